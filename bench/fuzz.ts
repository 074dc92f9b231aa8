/**
 * The hardening fuzz in its benchmark form: 10^5 (or more) seeded raw HTTP requests and WebSocket
 * upgrades over every route and upgrade path of a live tablecast server (auth on or off), then a
 * health check. The suite runs the same generator with 3,000 inputs (hardening.test.ts).
 *
 *   node --import tsx bench/fuzz.ts [--count 100000] [--seed 1503266] [--auth] [--concurrency 8]
 *
 * Prints the inputs sent, answers by status, 5xx answers (defects; 503 is the documented
 * UNAVAILABLE), unanswered requests, the rate, and whether the server still serves. Exit 1 on a defect.
 */
import { createServer } from '@tablecast/server';
import { fuzzHttp } from '@tablecast/server/testing';
import { numArg } from './lib/args.js';


const count = numArg('count', 100_000);
const seed = numArg('seed', 0x16f022);
const concurrency = numArg('concurrency', 8);
const auth = process.argv.includes('--auth');
const server = await createServer({
  env: {},
  logger: false,
  overrides: {
    server: { port: 0, host: '127.0.0.1', http_requests_per_ip_per_min: 10_000_000 },
    source: { spec: 'none' },
    websocket: { connections_per_ip_per_min: 1_000_000, rate_limit_per_min: 1_000_000 },
    ...(auth ? { auth: { enabled: true, jwt: { secret: 'bench-fuzz-secret-0123456789-abcdefgh' }, api_keys: [{ key: 'bench-fuzz-admin-key', role: 'admin' }] } } : {}),
  },
});
const { port, url } = await server.listen();
const routes = [...new Set(server.routes.map((r) => r.url))];
const paths = server.upgrades.paths();
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const report = await fuzzHttp(port, routes, paths, count, seed, concurrency);
const seconds = (performance.now() - t0) / 1000;
const live = (await fetch(`${url}/api/v1/health/live`)).status;
console.log(`fuzz: ${report.sent} inputs (seed ${seed}, auth ${auth ? 'on' : 'off'}, ${routes.length} routes, ${paths.length} upgrade paths) in ${seconds.toFixed(1)} s = ${(report.sent / seconds).toFixed(0)}/s`);
console.log(`  answers by status: ${JSON.stringify(report.byStatus)}`);
console.log(`  5xx (not 503): ${report.serverErrors.length}${report.serverErrors.length ? `\n    ${report.serverErrors.join('\n    ')}` : ''}`);
console.log(`  unanswered: ${report.noAnswer}; server still serves: ${live === 200 ? 'yes' : `no (${live})`}; rss ${(rss0 / 2 ** 20).toFixed(0)} -> ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
await server.close();
process.exit(report.serverErrors.length === 0 && live === 200 ? 0 : 1);
