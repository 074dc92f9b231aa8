#!/usr/bin/env node
/**
 * tablecast CLI.
 *
 *   tablecast serve [--port N] [--host H] [--source SPEC] [--broker URL] [--config FILE] [--node-id ID]
 *   tablecast record FILE [--url ws://127.0.0.1:8000/api/v1/ws] [--streams state,event,...]
 *
 * SIGTERM/SIGINT: stop accepting, close clients with 1001, exit within server.shutdown_timeout_s.
 */
// First: refuses an unsupported Node.js before any other module loads.
import './node-version.js';
import { parseArgs } from 'node:util';
import { createServer } from './server.js';
import { ConfigError, type ConfigInput } from './config/index.js';
import { PROTOCOL_VERSION } from '@tablecast/protocol';
import { SERVER_VERSION } from './version.js';

const USAGE = `usage:
  tablecast serve [--port N] [--host H] [--source simulator|replay:FILE|image:PATH|video:PATH|camera:DEVICE|none]
                  [--broker memory://|redis://HOST:PORT] [--config FILE] [--node-id ID]
  tablecast record FILE [--url ws://127.0.0.1:8000/api/v1/ws] [--streams state,trajectory,event,alert]
  tablecast --version | --help | <command> --help`;

const SERVE_HELP = `usage: tablecast serve [options]

Starts the server: the gateway (WebSocket /api/v1/ws), the HTTP API (/api/v1, docs at /docs), the
dashboard (/) and the pipeline of the configured source.

options:
  --port N          listen port (server.port, env PORT; default 8000)
  --host H          listen address (server.host, env HOST; default 0.0.0.0)
  --source SPEC     simulator | replay:FILE | image:PATH | video:PATH | camera:DEVICE | none
                    (source.spec, env TABLECAST_SOURCE; default simulator)
  --broker URL      memory:// or redis://HOST:PORT for cluster mode (broker.url, env TABLECAST_BROKER)
  --config FILE     JSON configuration file (env TABLECAST_CONFIG)
  --node-id ID      this node's id in a cluster (server.node_id)
  -h, --help        this help

configuration: defaults, then the --config file, then the environment, then these flags. Any key
can be set as TABLECAST__SECTION__KEY, e.g. TABLECAST__WEBSOCKET__PING_INTERVAL_S=10; the keys and
their defaults: GET /api/v1/config/schema, or README.md. Shortcuts: PORT, HOST, RATE_LIMIT,
TABLECAST_SOURCE, TABLECAST_BROKER, TABLECAST_PUBLISH_API_KEY.`;

const RECORD_HELP = `usage: tablecast record FILE [options]

Records a live gateway's messages to FILE (NDJSON), for \`serve --source replay:FILE\`.

options:
  --url URL         gateway to record (default ws://127.0.0.1:8000/api/v1/ws)
  --streams LIST    comma-separated streams (default state,trajectory,event,alert)
  -h, --help        this help`;

const COMMANDS = ['serve', 'record'];

/** Levenshtein distance (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** " (did you mean X?)" for the closest of `known` within 2 edits, else "". */
export function didYouMean(word: string, known: readonly string[]): string {
  const best = known.map((k) => ({ k, d: distance(word, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? ` (did you mean ${best.k}?)` : '';
}

/** Runs `parse` (a parseArgs call), turning an unknown option into "did you mean" with the usage. */
function explained<T>(options: object, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const m = /Unknown option '(-{1,2})([^']+)'/.exec((err as Error).message);
    if (m) throw new Error(`unknown option ${m[1]}${m[2]}${didYouMean(m[2]!, Object.keys(options)).replace('mean ', 'mean --')}\n${USAGE}`, { cause: err });
    throw err;
  }
}

async function serve(argv: string[]): Promise<void> {
  const options = {
    port: { type: 'string' }, host: { type: 'string' }, source: { type: 'string' }, broker: { type: 'string' },
    config: { type: 'string' }, 'node-id': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } as const;
  const { values } = explained(options, () => parseArgs({ args: argv, options, strict: true }));
  if (values.help) {
    console.log(SERVE_HELP);
    return;
  }
  const overrides: ConfigInput = {};
  const server: Record<string, unknown> = {};
  if (values.port !== undefined) server.port = Number(values.port);
  if (values.host !== undefined) server.host = values.host;
  if (values['node-id'] !== undefined) server.node_id = values['node-id'];
  if (Object.keys(server).length) overrides.server = server;
  if (values.source !== undefined) overrides.source = { spec: values.source };
  if (values.broker !== undefined) overrides.broker = { url: values.broker };
  const app = await createServer({ overrides, configFile: values.config });
  const { url } = await app.listen();
  app.log.info(`tablecast listening on ${url} (dashboard ${url}/, WebSocket ${url.replace('http', 'ws')}/api/v1/ws, docs ${url}/docs)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    const hard = setTimeout(() => process.exit(1), app.config.server.shutdown_timeout_s * 1000);
    hard.unref();
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function record(argv: string[]): Promise<void> {
  const options = {
    url: { type: 'string', default: 'ws://127.0.0.1:8000/api/v1/ws' }, streams: { type: 'string', default: 'state,trajectory,event,alert' }, help: { type: 'boolean', short: 'h' },
  } as const;
  const { values, positionals } = explained(options, () => parseArgs({ args: argv, options, strict: true, allowPositionals: true }));
  if (values.help) {
    console.log(RECORD_HELP);
    return;
  }
  const file = positionals[0];
  if (!file) throw new Error(`record needs a FILE\n${USAGE}`);
  const { recordToFile } = await import('@tablecast/pipeline');
  const rec = await recordToFile(values.url!, file, values.streams!.split(',').filter(Boolean));
  console.error(`recording ${values.streams} from ${values.url} to ${file}; Ctrl-C to stop`);
  const stop = () => void rec.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === '--version' || cmd === '-v') {
    console.log(`tablecast ${SERVER_VERSION} (protocol ${PROTOCOL_VERSION}, Node.js ${process.version})`);
    return;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(`tablecast ${SERVER_VERSION}: real-time table-detection broadcast\n\n${USAGE}\n\n${SERVE_HELP}`);
    return;
  }
  if (cmd === 'serve' || cmd === undefined || cmd.startsWith('-')) return serve(cmd === undefined || cmd === 'serve' ? rest : [cmd, ...rest]);
  if (cmd === 'record') return record(rest);
  console.error(`unknown command ${cmd}${didYouMean(cmd, COMMANDS)}\n${USAGE}`);
  process.exit(2);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
