// Per-address limits over real sockets (issue 14): an upgrade over websocket.connections_per_ip_per_min
// is refused with HTTP 429 and Retry-After before the handshake, and refused attempts do not count
// (a client knocking every 100 ms gets in when the window ends); the HTTP API has its own limit
// (429 RATE_LIMIT, Retry-After); forwarding headers are believed only from server.trusted_proxies
// (X-Forwarded-For and RFC 7239 Forwarded), which also decides the loopback-only admin rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createServer as createHttpServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createServer } from '@tablecast/server';
import { Gateway, type AttemptLimiter } from '@tablecast/gateway';
import { tracked } from '../helpers/fixtures.js';
import { waitFor, type Started } from '../helpers/server.js';

const fixtures = tracked();
const LIMITED = '/api/v1/websocket/ws';

/** Opens a WebSocket on `path`: 'open' (then closed again) or the HTTP status and Retry-After of a refusal. */
function attempt(s: Started, path = LIMITED, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode, retryAfter: res.headers['retry-after'] });
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response|closed before/.test(err.message)) reject(err);
    });
  });
}

test('upgrades over the per-address limit get HTTP 429 with Retry-After, no handshake; refused attempts do not count', async () => {
  const s = await fixtures.server({ websocket: { connections_per_ip_per_min: 2, connection_rate_window_s: 1.5 } });
  const started = Date.now();
  assert.equal((await attempt(s)).opened, true);
  assert.equal((await attempt(s)).opened, true);
  const refused = await attempt(s);
  assert.equal(refused.opened, false);
  assert.equal(refused.status, 429);
  assert.ok(refused.retryAfter === '1' || refused.retryAfter === '2', `Retry-After in whole seconds up to the window (got ${refused.retryAfter})`);
  // A client that keeps knocking (as a reloading page or a reconnecting SDK does) gets in once the
  // window it was refused in ends; with refused attempts counted, the window would never empty.
  let knocks = 0;
  let opened = false;
  while (!opened && Date.now() - started < 4000) {
    await new Promise((r) => setTimeout(r, 100));
    knocks++;
    opened = (await attempt(s)).opened;
  }
  assert.ok(opened, `a connection opens within the next window (after ${knocks} knocks)`);
  assert.ok(knocks >= 5, `the client knocked while refused (${knocks} times)`);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith('tablecast_ws_upgrades_refused_total{status="429"}'));
  assert.ok(line && Number(line.split(' ')[1]) >= knocks, `refusals counted in metrics: ${line}`);
  // The main path is not limited (the original limited its live-view path only).
  for (let i = 0; i < 4; i++) assert.equal((await attempt(s, '/api/v1/ws')).opened, true);
});

test('the HTTP API: 429 RATE_LIMIT with Retry-After over server.http_requests_per_ip_per_min, in the one error shape', async () => {
  const s = await fixtures.server({ server: { http_requests_per_ip_per_min: 3 } });
  for (let i = 0; i < 3; i++) assert.equal((await fetch(`${s.url}/api/v1/health`)).status, 200, `request ${i + 1}`);
  const r = await fetch(`${s.url}/api/v1/health`);
  assert.equal(r.status, 429);
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  const body = await r.json() as { error: { code: string; message: string; details: { retry_after_s: number } } };
  assert.equal(body.error.code, 'RATE_LIMIT');
  assert.equal(body.error.details.retry_after_s, retry);
  assert.equal((await fetch(`${s.url}/api/v1/websocket/metrics`)).status, 429, 'every route shares the budget');
});

test('trusted proxies: X-Forwarded-For and Forwarded name the client; from anyone else the headers are ignored', async () => {
  const proxied = await fixtures.server({ server: { trusted_proxies: ['loopback'], http_requests_per_ip_per_min: 2 }, websocket: { connections_per_ip_per_min: 1 } });
  const get = (s: Started, headers: Record<string, string>, path = '/api/v1/health') => fetch(`${s.url}${path}`, { headers }).then((r) => r.status);
  const a = { 'x-forwarded-for': '203.0.113.1' };
  assert.deepEqual([await get(proxied, a), await get(proxied, a), await get(proxied, a)], [200, 200, 429], 'one client behind the proxy has its own budget');
  assert.equal(await get(proxied, { 'x-forwarded-for': '203.0.113.2' }), 200, 'another client behind the same proxy is not affected');
  assert.equal(await get(proxied, { forwarded: 'for="[2001:db8::7]:4711";proto=http' }), 200, 'RFC 7239 Forwarded');
  assert.equal(await get(proxied, { forwarded: 'for=203.0.113.1' }), 429, 'the same client named by Forwarded');
  // A chain: only the trusted hops are skipped (the client cannot prepend a chosen address).
  assert.equal(await get(proxied, { 'x-forwarded-for': '198.51.100.99, 203.0.113.1' }), 429, 'the right-most untrusted address is the client');
  // The loopback-only admin rule (auth off) sees the client, not the proxy on loopback.
  assert.equal(await get(proxied, { 'x-forwarded-for': '203.0.113.50' }, '/api/v1/websocket/connections'), 403, 'a remote client through a local proxy is not loopback');
  assert.equal(await get(proxied, {}, '/api/v1/websocket/connections'), 200, 'a direct loopback client is');
  // WebSocket upgrades: the same addresses.
  assert.equal((await attempt(proxied, LIMITED, { 'x-forwarded-for': '198.51.100.1' })).opened, true);
  assert.equal((await attempt(proxied, LIMITED, { 'x-forwarded-for': '198.51.100.1' })).status, 429);
  assert.equal((await attempt(proxied, LIMITED, { 'x-forwarded-for': '198.51.100.2' })).opened, true, 'another client behind the proxy');

  const direct = await fixtures.server({ server: { http_requests_per_ip_per_min: 2 } });
  assert.deepEqual(
    [await get(direct, { 'x-forwarded-for': '203.0.113.1' }), await get(direct, { 'x-forwarded-for': '203.0.113.2' }), await get(direct, { forwarded: 'for=203.0.113.3' })],
    [200, 200, 429],
    'without trusted proxies a client cannot escape its budget with a forged header',
  );
});

test('a server.trusted_proxies entry that is not an address, range or name fails the start with one line naming the key', async () => {
  await assert.rejects(
    createServer({ env: {}, logger: false, overrides: { server: { trusted_proxies: ['10.0.0.0/8', 'nginx-box'] }, source: { spec: 'none' } } }),
    (e: Error) => e.name === 'ConfigError' && /server\.trusted_proxies/.test(e.message) && /nginx-box/.test(e.message) && !e.message.includes('\n'),
  );
});

test('a client that resets its connection while the limiter is still answering does not take the server down', async () => {
  const s = await fixtures.server();
  // A gateway on its own port whose limiter answers after 200 ms (as Redis might), on the server's hub.
  let answered = 0;
  const slow: AttemptLimiter = { take: () => new Promise((r) => setTimeout(() => (answered++, r({ allowed: true })), 200)) };
  const gateway = new Gateway({
    config: { websocket: s.server.config.websocket, history: s.server.config.history, allowedOrigins: [] },
    hub: s.server.hub, metrics: s.server.metrics, authenticator: s.server.auth, serverVersion: 'test', nodeId: 'slow-limiter',
    connectionLimiter: slow,
  });
  const http = createHttpServer();
  http.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  try {
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(`GET ${LIMITED} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    sock.resetAndDestroy(); // TCP RST while the limiter has not answered yet
    await waitFor(() => answered === 1, 'the limiter to answer', 2000);
    await new Promise((r) => setTimeout(r, 50));
    // Still serving: a normal client on the same gateway connects.
    const ws = new WebSocket(`ws://127.0.0.1:${port}${LIMITED}`);
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    ws.close();
  } finally {
    await gateway.close();
    http.close();
  }
});
