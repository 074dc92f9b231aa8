// Connection and inbound limits (PROTOCOL section 7) with small config values over real sockets:
// inbound message rate (RATE_LIMIT, then 1008 after repeated violations), new connections per IP per
// minute (HTTP 429), max payload (1009), heartbeat (4102 for a client that stops answering pings, none for
// a responsive one), max connections (4101) and the origin allow-list (4003).
import { test } from 'node:test';
import { tracked } from '../helpers/fixtures.js';
import assert from 'node:assert/strict';
import { sessionOf, waitFor, type Started } from '../helpers/server.js';

const fixtures = tracked();
const server = (websocket: Record<string, unknown>, extra: Record<string, Record<string, unknown>> = {}): Promise<Started> =>
  fixtures.server({ websocket, ...extra });
const client = fixtures.client;

test('inbound rate limit: extra messages get RATE_LIMIT; repeated violations close 1008', async () => {
  const s = await server({ rate_limit_per_min: 5, rate_limit_violations_before_close: 3 });
  const c = await client(s);
  const other = await client(s);
  for (let i = 0; i < 5; i++) {
    const r = await c.request({ type: 'ping', data: { timestamp: i } }, 'pong');
    assert.equal(r.type, 'pong', `message ${i + 1} of 5 is answered`);
  }
  for (let v = 1; v <= 3; v++) {
    const r = await c.request({ type: 'ping', data: { timestamp: 100 + v } }, 'pong');
    assert.equal(r.type, 'error', `violation ${v} is answered with an error`);
    assert.equal(r.data.code, 'RATE_LIMIT');
  }
  assert.equal(c.closeInfo, null, 'still open after 3 violations');
  c.send({ type: 'ping', data: { timestamp: 'one too many' } });
  const info = await c.closed;
  assert.equal(info.code, 1008);
  assert.ok(Buffer.byteLength(info.reason) < 123);
  assert.equal(c.of('pong').length, 5, 'no pong for any message over the limit');
  // The limit is per connection: another connection is unaffected.
  const r = await other.request({ type: 'ping' }, 'pong');
  assert.equal(r.type, 'pong');
  const errors = (await s.server.app.inject({ method: 'GET', url: '/api/v1/websocket/health' })).json().errors.protocol_errors;
  assert.equal(errors.RATE_LIMIT, 3);
});

test('connections per IP per minute on the limited paths: the connection over the limit is refused before the handshake; the main path is not limited', async () => {
  const s = await server({ connections_per_ip_per_min: 3 });
  const path = '/api/v1/websocket/ws'; // the original limited its live-view path only
  for (let i = 0; i < 3; i++) {
    const c = await client(s, {}, { path });
    assert.equal(c.welcome?.type, 'connection');
  }
  await assert.rejects(client(s, {}, { path }), /429/, 'HTTP 429 instead of a handshake (app/rate-limits.test.ts has the details)');
  assert.equal(s.server.hub.sessions.size, 3);
  // Page reloads of the original's clients on /api/v1/ws never hit it.
  for (let i = 0; i < 6; i++) {
    const c = await client(s);
    assert.equal(c.welcome?.type, 'connection', `main-path connection ${i + 1}`);
  }
  // The paths are configurable.
  const all = await server({ connections_per_ip_per_min: 2, connections_per_ip_paths: ['/api/v1/ws'] });
  await client(all);
  await client(all);
  await assert.rejects(client(all), /429/);
});

test('max payload: a frame over websocket.max_payload_bytes closes 1009; one under it is fine', async () => {
  const s = await server({ max_payload_bytes: 1024 });
  const c = await client(s);
  const ok = await c.request({ type: 'ping', data: { timestamp: 'x'.repeat(900) } }, 'pong');
  assert.equal(ok.type, 'pong');
  c.send({ type: 'ping', data: { timestamp: 'x'.repeat(2000) } });
  const info = await c.closed;
  assert.equal(info.code, 1009);
  await waitFor(() => s.server.hub.sessions.size === 0, 'the session to be removed');
});

test('heartbeat: a client that stops answering pings is closed with 4102; a responsive one is not', async () => {
  const s = await server({ ping_interval_s: 0.2, timeout_s: 1 });
  const silent = await client(s, { client_id: 'silent' }, { autoPong: false });
  const alive = await client(s, { client_id: 'alive' });
  assert.equal(alive.welcome?.data.heartbeat_interval_ms, 200);
  const info = await silent.closed;
  assert.equal(info.code, 4102);
  const aliveSession = sessionOf(s, 'alive');
  assert.notEqual(aliveSession.lastRttMs, null, 'the responsive client answered pings (RTT measured)');
  // Stay connected for two more timeouts: pongs keep it alive without any message.
  await waitFor(() => Date.now() - aliveSession.connectedAtMs > 3000, 'two more timeouts', 6000);
  assert.equal(alive.closeInfo, null);
  assert.equal(aliveSession.closed, false);
  const pong = await alive.request({ type: 'ping' }, 'pong');
  assert.equal(typeof pong.data.rtt_ms, 'number', 'pong carries the measured rtt_ms');
});

test('max_connections: the connection over the limit is closed with 4101; a slot frees on close', async () => {
  const s = await server({ max_connections: 2 });
  const a = await client(s);
  await client(s);
  const third = await client(s, {}, { allowClose: true });
  const info = await third.closed;
  assert.equal(info.code, 4101);
  await a.close();
  await waitFor(() => s.server.hub.sessions.size === 1, 'the closed session to be removed');
  const again = await client(s);
  assert.equal(again.welcome?.type, 'connection');
});

test('safe default: only the server\'s own browser origin may connect or get a CORS grant; any other page is refused', async () => {
  const s = await server({});
  const own = `http://127.0.0.1:${s.port}`;
  const bad = await client(s, {}, { allowClose: true, origin: 'http://evil.example' });
  assert.equal((await bad.closed).code, 4003, 'a page on another site cannot open the feed');
  const good = await client(s, {}, { origin: own });
  assert.equal(good.welcome?.type, 'connection', 'the dashboard served by this server can');
  const preflight = (origin: string) => fetch(`${s.url}/api/v1/websocket/broadcast/alert`, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal((await preflight('http://evil.example')).headers.get('access-control-allow-origin'), null, 'no CORS grant for another site');
  assert.equal((await preflight(own)).headers.get('access-control-allow-origin'), own);
});

test('origin allow-list: a browser origin not in server.cors_origins is closed with 4003', async () => {
  const s = await server({}, { server: { cors_origins: ['http://allowed.example'] } });
  const bad = await client(s, {}, { allowClose: true, origin: 'http://evil.example' });
  assert.equal((await bad.closed).code, 4003);
  const good = await client(s, {}, { origin: 'http://allowed.example' });
  assert.equal(good.welcome?.type, 'connection');
  const noOrigin = await client(s);
  assert.equal(noOrigin.welcome?.type, 'connection', 'non-browser clients send no Origin');
});
