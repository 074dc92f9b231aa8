// deploy/nginx.conf as deploy/compose.yaml runs it (issue 14), without Docker: Debian's nginx with
// that file (upstream addresses and the listen port swapped for free local ones) in front of two
// real nodes on one private redis-server. Through nginx: readiness, the dashboard, WebSocket clients
// with a browser's Origin on a non-default port (Host keeps the port), both nodes serving clients,
// one cluster-wide stream, and each client's own address from X-Forwarded-For (server.trusted_proxies).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { RedisProcess, freeTcpPort, redisServerPath } from '@tablecast/gateway/testing';
import { startServer, waitFor, type Started } from '../helpers/server.js';
import { ROOT } from '../helpers/cli.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const skip = !redisServerPath() ? 'redis-server not installed (scripts/setup-test.sh)' : !NGINX ? 'nginx not installed (scripts/setup-test.sh)' : false;
let redis: RedisProcess;
const nodes: Started[] = [];
let nginx: ChildProcess | null = null;
let dir = '';
let port = 0;
let nginxLog = '';

before(async () => {
  if (skip) return;
  redis = await RedisProcess.start();
  for (const id of ['tablecast-1', 'tablecast-2']) {
    nodes.push(await startServer({
      // nginx connects from 127.0.0.2 (proxy_bind below), the test's clients from other addresses.
      server: { node_id: id, trusted_proxies: ['127.0.0.2'], http_requests_per_ip_per_min: 5 },
      broker: { url: redis.url, key_prefix: 'nginx:' },
      cluster: { heartbeat_interval_ms: 100, node_ttl_ms: 1000 },
    }));
  }
  port = await freeTcpPort();
  dir = mkdtempSync(join(tmpdir(), 'tablecast-nginx-'));
  const conf = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8')
    .replace('server tablecast-1:8000', `server 127.0.0.1:${nodes[0]!.port}`)
    .replace('server tablecast-2:8000', `server 127.0.0.1:${nodes[1]!.port}`)
    .replace(/listen 80;/, `listen 127.0.0.1:${port};`)
    .replace('proxy_http_version 1.1;', 'proxy_http_version 1.1;\n        proxy_bind 127.0.0.2;');
  assert.ok(!conf.includes('tablecast-1:8000') && conf.includes(`listen 127.0.0.1:${port}`) && conf.includes('proxy_bind'), 'the substitutions applied');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stderr!.on('data', (d: Buffer) => (nginxLog += d.toString()));
  // Up when it accepts a connection (HTTP requests here would spend the clients' budgets).
  const start = Date.now();
  while (!(await accepts(port))) {
    if (Date.now() - start > 10_000 || nginx.exitCode !== null) throw new Error(`nginx did not come up: ${nginxLog}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => {
  nginx?.kill('SIGTERM');
  for (const n of nodes) await n.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function accepts(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(p, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A WebSocket through nginx with a browser's Origin; resolves with its welcome and the socket. */
function browserSocket(): Promise<{ ws: WebSocket; welcome: { type: string; data: { node_id: string } }; messages: { type: string; stream?: string }[] }> {
  return new Promise((resolve, reject) => {
    const messages: { type: string; stream?: string }[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, { headers: { origin: `http://127.0.0.1:${port}` } });
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; stream?: string; data: { node_id: string } };
      if (m.type === 'connection') resolve({ ws, welcome: m, messages });
      else messages.push(m);
    });
    ws.on('close', (code) => reject(new Error(`closed ${code} before the welcome`)));
    ws.on('error', reject);
  });
}

test('through nginx: ready, dashboard, browser WebSockets on both nodes, one stream for all', { skip }, async () => {
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  const clients = await Promise.all([browserSocket(), browserSocket(), browserSocket(), browserSocket()]);
  const served = new Set(clients.map((c) => c.welcome.data.node_id));
  assert.deepEqual([...served].sort(), ['tablecast-1', 'tablecast-2'], 'least_conn spreads the clients over both nodes');
  for (const c of clients) c.ws.send(JSON.stringify({ type: 'subscribe', data: { streams: ['alert'] } }));
  await waitFor(() => clients.every((c) => c.messages.some((m) => m.type === 'subscribed')), 'every subscription acknowledged');
  await nodes[0]!.server.publish('alert', { level: 'info', message: 'through nginx', code: 'T' });
  await waitFor(() => clients.every((c) => c.messages.some((m) => m.type === 'alert')), 'the alert on every client, whichever node serves it');
  for (const c of clients) c.ws.close();
});

test('through nginx each client has its own address: X-Forwarded-For from the trusted proxy only, a forged one ignored', { skip }, async () => {
  // Clients 127.0.0.4 and 127.0.0.5 (distinct loopback sources) against a 5-per-minute limit.
  const asClient = (local: string, headers: Record<string, string> = {}) => httpStatus(`http://127.0.0.1:${port}/api/v1/health/live`, local, headers);
  const first: number[] = [];
  for (let i = 0; i < 6; i++) first.push(await asClient('127.0.0.4', { 'x-forwarded-for': `198.51.100.${i}` }));
  assert.deepEqual(first, [200, 200, 200, 200, 200, 429], 'one budget for 127.0.0.4, whatever address it claims');
  assert.equal(await asClient('127.0.0.5'), 200, 'another client behind the same nginx has its own budget');
});

/** The status of a GET sent from the local address `local`. */
function httpStatus(url: string, local: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress: local, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
