// HTTP API (PROTOCOL section 8) against a real server with live WebSocket clients: health endpoints,
// /websocket/health (client levels by RTT), /websocket/metrics (latency percentiles), connection
// listing and control (subscribe / unsubscribe / disconnect seen by the client), broadcast alerts,
// system start/stop, Prometheus /metrics, Swagger UI + OpenAPI, AsyncAPI 3.0 and CORS.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type TablecastServer } from '../../src/index.js';
import { clientLevel } from '../../src/http/websocket-api.js';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { alertPayload, sessionOf, startServer, statePayload, waitFor, type Started } from '../helpers/server.js';

let s: Started;
const clients: TestClient[] = [];
const extraServers: TablecastServer[] = [];
before(async () => {
  s = await startServer({ websocket: { ping_interval_s: 0.05, timeout_s: 30 } });
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(extraServers.map((x) => x.close()));
  await s.close();
});

async function client(query: Record<string, string> = {}): Promise<TestClient> {
  const c = await connect(s.ws, query);
  clients.push(c);
  return c;
}

const get = async (url: string) => s.server.app.inject({ method: 'GET', url });
const post = async (url: string, payload?: unknown) =>
  s.server.app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

test('health, health/live, health/ready: status, uptime, version, components', async () => {
  for (const url of ['/api/v1/health', '/api/v1/health/live', '/api/v1/health/ready']) {
    const r = await get(url);
    assert.equal(r.statusCode, 200, url);
    const b = r.json();
    assert.ok(['healthy', 'degraded', 'unhealthy'].includes(b.status), `${url} status`);
    assert.equal(typeof b.uptime, 'number');
    assert.ok(b.uptime >= 0 && b.uptime < 600, `${url} uptime in seconds`);
    assert.equal(typeof b.version, 'string');
    assert.equal(typeof b.components, 'object');
  }
  const h = (await get('/api/v1/health')).json();
  assert.equal(h.status, 'healthy');
  assert.equal(h.components.broker.status, 'healthy');
  assert.equal(h.components.websocket.status, 'healthy');
});

test('websocket/health: connections by level from measured RTT; latency; errors', async () => {
  const c = await client({ client_id: 'levels' });
  await waitFor(() => sessionOf(s, 'levels').lastRttMs !== null, 'an RTT measurement from a ping/pong');
  c.send('not json');
  await c.nextOf('error');
  await c.subscribe(['alert']);
  await s.server.publish('alert', alertPayload('latency sample'));
  await c.nextOf('alert');
  const b = (await get('/api/v1/websocket/health')).json();
  assert.ok(['healthy', 'degraded', 'unhealthy'].includes(b.overall_status));
  assert.ok(b.connections.total >= 1);
  for (const level of ['EXCELLENT', 'GOOD', 'FAIR', 'POOR', 'CRITICAL']) assert.equal(typeof b.connections.by_level[level], 'number', level);
  const sum = Object.values(b.connections.by_level as Record<string, number>).reduce((x, y) => x + y, 0);
  assert.equal(sum, b.connections.total, 'every connection has one level');
  const level = clientLevel(sessionOf(s, 'levels').lastRttMs);
  assert.ok(b.connections.by_level[level] >= 1, `the client is counted at its level ${level}`);
  // The thresholds of the original: EXCELLENT < 20 ms, GOOD < 50, FAIR < 100, POOR < 200, CRITICAL above.
  assert.deepEqual([0, 19.9, 20, 49.9, 50, 99.9, 100, 199.9, 200, 5000].map((ms) => clientLevel(ms)), [
    'EXCELLENT', 'EXCELLENT', 'GOOD', 'GOOD', 'FAIR', 'FAIR', 'POOR', 'POOR', 'CRITICAL', 'CRITICAL',
  ]);
  assert.equal(typeof b.performance.average_latency_ms, 'number');
  assert.equal(typeof b.performance.p99_latency_ms, 'number');
  assert.ok(b.errors.protocol_errors.INVALID_JSON >= 1);
});

test('websocket/metrics: counters and publish-to-send latency percentiles', async () => {
  const c = await client();
  await c.subscribe(['state']);
  for (let i = 0; i < 20; i++) await s.server.publish('state', statePayload([{ id: 1, x: 1 + i / 100, y: 0.5 }]));
  await c.until(() => c.of('state').length >= 20, 2000, '20 states');
  const m = (await get('/api/v1/websocket/metrics')).json();
  for (const k of ['messages_sent', 'bytes_sent', 'failed_sends', 'dropped', 'average_latency', 'peak_latency', 'p50_latency_ms', 'p99_latency_ms']) {
    assert.equal(typeof m[k], 'number', k);
  }
  assert.ok(m.messages_sent >= 20 && m.bytes_sent > 1000);
  assert.ok(m.latency_samples >= 20);
  assert.ok(m.p50_latency_ms <= m.p99_latency_ms && m.p99_latency_ms <= m.peak_latency + 0.01, 'p50 <= p99 <= peak (0.01 ms HDR rounding)');
  assert.ok(m.average_latency >= 0 && m.average_latency < 1000, 'publish-to-send under 1 s on loopback');
  assert.ok(m.by_stream.state.messages >= 20);
});

test('websocket/connections: list, one with details, 404 for an unknown id', async () => {
  const c = await client({ client_id: 'listed-1' });
  await c.subscribe(['alert'], { min_confidence: 0.5 });
  const list = (await get('/api/v1/websocket/connections')).json();
  assert.ok(list.total >= 1);
  const mine = list.connections.find((x: { client_id: string }) => x.client_id === 'listed-1');
  assert.ok(mine, 'the client is listed');
  assert.deepEqual(mine.subscriptions, ['alert']);
  const one = await get('/api/v1/websocket/connections/listed-1');
  assert.equal(one.statusCode, 200);
  const d = one.json();
  assert.equal(d.client_id, 'listed-1');
  assert.deepEqual(d.filters, { alert: { min_confidence: 0.5 } });
  for (const k of ['connected_at', 'uptime', 'messages_sent', 'messages_received', 'bytes_sent', 'bytes_received', 'last_rtt_ms', 'dropped']) assert.ok(k in d, k);
  const missing = await get('/api/v1/websocket/connections/nobody');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'NOT_FOUND');
});

test('POST connections/{id}/subscribe|unsubscribe|disconnect act on the live connection', async () => {
  const c = await client({ client_id: 'remote-ctl' });
  const sub = await post('/api/v1/websocket/connections/remote-ctl/subscribe', { streams: ['alert', 'event'] });
  assert.equal(sub.statusCode, 200);
  assert.deepEqual(sub.json().all_subscriptions, ['alert', 'event']);
  const subscribed = await c.nextOf('subscribed');
  assert.deepEqual(subscribed.data.streams, ['alert', 'event'], 'the client is told');
  await s.server.publish('alert', alertPayload('to remote-ctl'));
  assert.equal((await c.nextOf('alert')).data.message, 'to remote-ctl');
  const bad = await post('/api/v1/websocket/connections/remote-ctl/subscribe', { streams: ['nope'] });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.code, 'INVALID_STREAM');
  const badFilter = await post('/api/v1/websocket/connections/remote-ctl/subscribe', { streams: ['state'], filters: { max_fps: -1 } });
  assert.equal(badFilter.statusCode, 400);
  assert.equal(badFilter.json().error.code, 'INVALID_FILTER');

  const un = await post('/api/v1/websocket/connections/remote-ctl/unsubscribe', { streams: ['alert'] });
  assert.equal(un.statusCode, 200);
  assert.deepEqual(un.json().all_subscriptions, ['event']);
  const unsubscribed = await c.nextOf('unsubscribed');
  await s.server.publish('alert', alertPayload('not for remote-ctl'));
  await c.barrier();
  assert.deepEqual(c.collect((m) => m.type === 'alert' && m.index > unsubscribed.index), []);
  assert.equal((await post('/api/v1/websocket/connections/nobody/unsubscribe', { streams: ['alert'] })).statusCode, 404);

  const dis = await post('/api/v1/websocket/connections/remote-ctl/disconnect?code=4100&reason=maintenance');
  assert.equal(dis.statusCode, 200);
  const info = await c.closed;
  assert.equal(info.code, 4100);
  assert.equal(info.reason, 'maintenance');
  await waitFor(() => !s.server.hub.sessions.has('remote-ctl'), 'the session to go');
  assert.equal((await post('/api/v1/websocket/connections/remote-ctl/disconnect')).statusCode, 404);
  const c2 = await client({ client_id: 'remote-ctl-2' });
  await post('/api/v1/websocket/connections/remote-ctl-2/disconnect');
  assert.equal((await c2.closed).code, 1000, 'default close code 1000');
});

test('POST websocket/broadcast/alert reaches alert subscribers', async () => {
  const c = await client();
  await c.subscribe(['alert']);
  const r = await post('/api/v1/websocket/broadcast/alert?level=warning&message=table%20bumped&code=BUMP');
  assert.equal(r.statusCode, 200);
  const b = r.json();
  assert.equal(b.published, true);
  assert.ok(b.recipients >= 1);
  const m = await c.next((x) => x.type === 'alert' && x.sequence === b.sequence);
  assert.equal(m.data.level, 'warning');
  assert.equal(m.data.message, 'table bumped');
  assert.equal(m.data.code, 'BUMP');
  assert.equal((await post('/api/v1/websocket/broadcast/alert?level=panic&message=x')).statusCode, 400, 'level is validated');
  assert.equal((await post('/api/v1/websocket/broadcast/alert?level=info')).statusCode, 400, 'message is required');
});

test('POST websocket/system/start|stop drive the pipeline; clients stay connected', async () => {
  // A server with a source configured but not started, and a stand-in pipeline.
  const x = await createServer({ env: {}, logger: false, startPipeline: false, overrides: { server: { port: 0, host: '127.0.0.1' }, source: { spec: 'simulator' } } });
  extraServers.push(x);
  const { port } = await x.listen();
  const calls: string[] = [];
  const standIn = {
    start: async () => void calls.push('start'),
    stop: async () => void calls.push('stop'),
    health: () => ({ source: { status: 'running' }, breaker: { state: 'closed' } }),
    calibration: () => null,
  };
  x.pipeline = standIn as unknown as NonNullable<TablecastServer['pipeline']>;
  const c = await connect(`ws://127.0.0.1:${port}/api/v1/ws`);
  clients.push(c);
  const start = await x.app.inject({ method: 'POST', url: '/api/v1/websocket/system/start' });
  assert.equal(start.statusCode, 200);
  assert.deepEqual(start.json(), { running: true });
  const again = await x.app.inject({ method: 'POST', url: '/api/v1/websocket/system/start' });
  assert.deepEqual(again.json(), { running: true }, 'idempotent');
  const health = (await x.app.inject({ method: 'GET', url: '/api/v1/health' })).json();
  assert.equal(health.components.pipeline.running, true);
  const stop = await x.app.inject({ method: 'POST', url: '/api/v1/websocket/system/stop' });
  assert.deepEqual(stop.json(), { running: false });
  assert.deepEqual(calls, ['start', 'stop']);
  assert.equal(c.closeInfo, null, 'clients stay connected');
  // With source none there is nothing to start.
  const none = await post('/api/v1/websocket/system/start');
  assert.equal(none.statusCode, 200);
  assert.deepEqual(none.json(), { running: false });
});

test('GET /metrics: Prometheus text with the gateway series', async () => {
  const c = await client();
  await c.subscribe(['alert']);
  await s.server.publish('alert', alertPayload('for metrics'));
  await c.nextOf('alert');
  const r = await get('/metrics');
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  const body = r.body;
  assert.match(body, /^# TYPE tablecast_ws_connections gauge$/m);
  assert.match(body, /^tablecast_ws_connections [1-9]\d*$/m);
  assert.match(body, /^tablecast_ws_messages_sent_total\{stream="alert"\} [1-9]\d*$/m);
  assert.match(body, /^tablecast_ws_bytes_sent_total\{stream="alert"\} [1-9]\d*$/m);
  assert.match(body, /^# TYPE tablecast_ws_dropped_total counter$/m);
  assert.match(body, /^tablecast_publish_to_send_seconds_bucket\{le="0\.001"\} \d+$/m);
  assert.match(body, /^tablecast_publish_to_send_seconds_count [1-9]\d*$/m);
  assert.match(body, /^tablecast_event_loop_lag_p99_seconds [\d.e-]+$/m);
  // Standard Node.js process metrics under their standard names, and the build.
  assert.match(body, /^process_cpu_user_seconds_total [\d.e-]+$/m);
  assert.match(body, /^nodejs_heap_size_used_bytes [\d.e+-]+$/m);
  assert.doesNotMatch(body, /tablecast_process_/);
  assert.match(body, /^tablecast_build_info\{version="[^"]+",protocol_version="[^"]+",node_version="v\d+[^"]*"\} 1$/m);
});

test('GET /docs serves Swagger UI; /docs/json is an OpenAPI document listing the routes', async () => {
  const ui = await get('/docs');
  assert.equal(ui.statusCode, 200);
  assert.match(String(ui.headers['content-type']), /text\/html/);
  assert.match(ui.body, /swagger-ui/i);
  const doc = (await get('/docs/json')).json();
  assert.match(doc.openapi, /^3\./);
  for (const path of [
    '/api/v1/health', '/api/v1/health/live', '/api/v1/health/ready', '/api/v1/websocket/health', '/api/v1/websocket/metrics',
    '/api/v1/websocket/connections', '/api/v1/websocket/connections/{id}', '/api/v1/websocket/connections/{id}/subscribe',
    '/api/v1/websocket/connections/{id}/unsubscribe', '/api/v1/websocket/connections/{id}/disconnect',
    '/api/v1/websocket/broadcast/alert', '/api/v1/websocket/system/start', '/api/v1/websocket/system/stop', '/api/v1/publish',
    '/api/v1/config', '/api/v1/asyncapi.json', '/metrics',
  ]) {
    assert.ok(doc.paths[path], `OpenAPI lists ${path}`);
  }
  assert.ok(doc.paths['/api/v1/publish'].post);
});

test('GET /api/v1/asyncapi.json: AsyncAPI 3.0 with client, reply and stream messages', async () => {
  const r = await get('/api/v1/asyncapi.json');
  assert.equal(r.statusCode, 200);
  const d = r.json();
  assert.equal(d.asyncapi, '3.0.0');
  assert.equal(d.channels.gateway.address, '/api/v1/ws');
  const names = Object.keys(d.channels.gateway.messages);
  assert.deepEqual(Object.keys(d.components.messages).sort(), [...names, 'targeted'].sort(), 'the gateway carries every message but the targeted one');
  for (const n of ['client_ping', 'client_subscribe', 'client_unsubscribe', 'client_get_status', 'client_ack', 'client_publish', 'client_heartbeat']) assert.ok(names.includes(n), n);
  for (const n of ['reply_connection', 'reply_pong', 'reply_subscribed', 'reply_error', 'reply_batch', 'reply_status']) assert.ok(names.includes(n), n);
  for (const n of ['stream_state', 'stream_trajectory', 'stream_frame', 'stream_alert', 'stream_config', 'stream_performance', 'stream_event', 'stream_detection']) assert.ok(names.includes(n), n);
  assert.equal(d.operations.gatewayReceive.action, 'receive');
  assert.equal(d.operations.gatewaySendStreams.action, 'send');
  assert.equal(d.channels.gateway.messages.stream_state.$ref, '#/components/messages/stream_state');
  const state = d.components.messages.stream_state.payload;
  assert.deepEqual(state.required, ['type', 'timestamp', 'sequence', 'data']);
  assert.ok(state.properties.data.properties.balls, 'the state payload schema is included');
  assert.match(d.info.description, /4100/);
});

test('CORS by default: another site gets no grant, the server\'s own origin does (issue 14: not open to every origin)', async () => {
  const ask = (origin: string) => s.server.app.inject({
    method: 'OPTIONS', url: '/api/v1/health',
    headers: { origin, host: `127.0.0.1:${s.port}`, 'access-control-request-method': 'GET' },
  });
  assert.equal((await ask('http://other.example')).headers['access-control-allow-origin'], undefined);
  assert.equal((await ask(`http://127.0.0.1:${s.port}`)).headers['access-control-allow-origin'], `http://127.0.0.1:${s.port}`);
});

test('one error shape: a schema violation, a body that is not JSON and an unknown route all answer {error: {code, message}} with a code of the protocol table', async () => {
  const bad = await fetch(`${s.url}/api/v1/config/export?format=xml`);
  assert.equal(bad.status, 400);
  const b = (await bad.json()) as { error: { code: string; message: string; details: { path: string } } };
  assert.equal(b.error.code, 'INVALID_PARAMETER');
  assert.equal(b.error.details.path, 'querystring.format');
  assert.match(b.error.message, /^querystring\.format: /);
  const notJson = await fetch(`${s.url}/api/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"stream": ' });
  assert.equal(notJson.status, 400);
  assert.equal(((await notJson.json()) as { error: { code: string } }).error.code, 'INVALID_JSON');
  const missing = await fetch(`${s.url}/api/v1/nowhere`);
  assert.equal(missing.status, 404);
  assert.deepEqual(Object.keys(((await missing.json()) as { error: object }).error).sort(), ['code', 'message']);
  for (const body of [b]) assert.deepEqual(Object.keys(body), ['error'], 'nothing but `error` (no Fastify statusCode/error fields)');
});

test('security headers (@fastify/helmet): nosniff, frame options and a CSP of the own origin, without upgrade-insecure-requests (a venue LAN is plain http)', async () => {
  for (const path of ['/api/v1/health', '/api/v1/nowhere']) {
    const r = await fetch(`${s.url}${path}`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN', path);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/, path);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/, path);
    assert.equal(r.headers.get('cross-origin-resource-policy'), 'cross-origin', `${path}: the original's web app may embed the MJPEG stream`);
  }
});

test('GET /metrics passes `promtool check metrics` (Prometheus\' own linter: names, suffixes, labels)', async (t) => {
  const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
  if (!promtool) {
    t.skip('promtool not installed (scripts/setup-test.sh installs Debian\'s prometheus package)');
    return;
  }
  const c = await connect(s.ws, { client_id: 'promtool-probe' });
  await c.subscribe(['alert']);
  await s.server.publish('alert', alertPayload('for the counters'));
  await c.nextOf('alert');
  const body = (await s.server.app.inject({ method: 'GET', url: '/metrics' })).body;
  const r = spawnSync(promtool, ['check', 'metrics'], { input: body, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool exit ${r.status}: ${r.stdout}${r.stderr}`);
  await c.close();
});

test('the Grafana dashboard (deploy/grafana/tablecast.json) queries only metrics this server exports', async (t) => {
  const dash = JSON.parse(readFileSync(new URL('../../../../deploy/grafana/tablecast.json', import.meta.url), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  // A server that runs the pipeline (its metrics are registered when it starts).
  const sim = await startServer({ source: { spec: 'simulator', frames: false } });
  t.after(() => sim.close());
  await waitFor(() => (sim.server.pipeline?.health().loop.frames ?? 0) > 0, 'the first detection', 15_000);
  const body = (await sim.server.app.inject({ method: 'GET', url: '/metrics' })).body;
  // Metric families (a labelled counter has no sample before its first increment, but its TYPE line).
  const exported = new Set([...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const queried = new Set<string>();
  for (const p of dash.panels) {
    assert.ok(p.targets.length > 0, `${p.title}: has a query`);
    for (const t of p.targets) for (const m of t.expr.matchAll(/\b((?:tablecast|process|nodejs)_[a-z0-9_]+)\b/g)) queried.add(m[1]!);
  }
  assert.ok(queried.size >= 10, `the dashboard shows the headline figures (${queried.size} metrics)`);
  for (const name of queried) {
    const family = exported.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(exported.has(family), `${name} is exported by GET /metrics`);
  }
});
