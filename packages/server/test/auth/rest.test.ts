// REST side of auth over real HTTP: the admin routes (connections subscribe/unsubscribe/disconnect,
// broadcast/alert, system/start|stop, group/user sends) answer 401/403 by credential when auth is
// enabled and stay open when it is off; POST /api/v1/publish needs a publisher/admin API key or JWT
// and per-stream permission; invalid payloads (single, batch, WebSocket) are answered with the path
// of the bad field and never broadcast; CORS preflight and the WebSocket Origin allow-list.
import { test, before } from 'node:test';
import { tracked } from '../helpers/fixtures.js';
import assert from 'node:assert/strict';
import { connect } from '../helpers/ws-client.js';
import type { Started } from '../helpers/server.js';
import { KEYS, SAMPLE_PAYLOADS, ask, attempt, authSection, mint, startAuthServer } from '../helpers/auth-fixtures.js';

const { servers, clients } = tracked();

let s: Started;
const jwt: Record<string, string> = {};
before(async () => {
  s = await startAuthServer(authSection({ permissions: { publisher: { subscribe: '*', publish: ['detection', 'event'] } } }));
  servers.push(s);
  jwt.subscriber = await mint('alice', { role: 'subscriber' });
  jwt.publisher = await mint('pat', { role: 'publisher' });
  jwt.admin = await mint('root', { role: 'admin' });
  jwt.expired = await mint('root', { role: 'admin' }, { expiresInS: -30 });
});

async function call(base: string, method: string, path: string, auth?: { bearer?: string; key?: string }, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (auth?.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  if (auth?.key) headers['x-api-key'] = auth.key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

test('admin routes: 401 without/with invalid credentials, 403 for non-admin roles, 2xx for admin', async () => {
  const target = await connect(s.ws, { token: jwt.subscriber!, client_id: 'target-1' });
  clients.push(target);
  const routes: [string, string, unknown?][] = [
    ['POST', '/api/v1/websocket/connections/target-1/subscribe', { streams: ['state'] }],
    ['POST', '/api/v1/websocket/connections/target-1/unsubscribe', { streams: ['state'] }],
    ['POST', '/api/v1/websocket/broadcast/alert?message=hello&level=info'],
    ['POST', '/api/v1/websocket/system/stop'],
    ['POST', '/api/v1/websocket/system/start'],
    ['POST', '/api/v1/groups/tables/broadcast', { data: { text: 'hi' } }],
    ['POST', '/api/v1/users/alice/send', { data: { text: 'hi' } }],
    ['GET', '/api/v1/groups'],
    ['GET', '/api/v1/websocket/connections'],
    ['GET', '/api/v1/websocket/connections/target-1'],
  ];
  const creds: [string, { bearer?: string; key?: string } | undefined, number | 'ok'][] = [
    ['none', undefined, 401],
    ['expired JWT', { bearer: jwt.expired }, 401],
    ['garbage', { bearer: 'garbage-token-xyz' }, 401],
    ['subscriber JWT', { bearer: jwt.subscriber }, 403],
    ['publisher JWT', { bearer: jwt.publisher }, 403],
    ['publisher key', { key: KEYS.publisher }, 403],
    ['admin JWT', { bearer: jwt.admin }, 'ok'],
    ['admin key', { key: KEYS.admin }, 'ok'],
  ];
  const failures: string[] = [];
  for (const [method, path, body] of routes) {
    for (const [name, auth, expected] of creds) {
      const r = await call(s.url, method, path, auth, body);
      const ok = expected === 'ok' ? r.status >= 200 && r.status < 300 || (path.includes('/users/') && r.status === 404) : r.status === expected;
      if (!ok) failures.push(`${method} ${path} as ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      if (typeof expected === 'number') {
        const code = (r.body.error as { code?: string } | undefined)?.code;
        if (code !== (expected === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN')) failures.push(`${method} ${path} as ${name}: error code ${code}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  // The disconnect route last (it closes the target).
  assert.equal((await call(s.url, 'POST', '/api/v1/websocket/connections/target-1/disconnect', { bearer: jwt.subscriber })).status, 403);
  assert.equal(target.closeInfo, null, 'a refused disconnect leaves the connection open');
  assert.equal((await call(s.url, 'POST', '/api/v1/websocket/connections/target-1/disconnect', { bearer: jwt.admin })).status, 200);
  assert.equal((await target.closed).code, 1000);
  // Read-only routes stay public.
  assert.equal((await call(s.url, 'GET', '/api/v1/websocket/health')).status, 200);
});

test('admin routes answer only loopback clients when auth is off (embedded demo)', async () => {
  const demo = await startAuthServer({});
  servers.push(demo);
  assert.equal((await call(demo.url, 'POST', '/api/v1/websocket/broadcast/alert?message=open')).status, 200);
  assert.equal((await call(demo.url, 'POST', '/api/v1/groups/g/broadcast', undefined, { data: { x: 1 } })).status, 200);
  // From another address of the venue network (light-my-request sets the peer address; this
  // machine has no second network to send from): refused, the pipeline keeps running.
  for (const url of ['/api/v1/websocket/system/stop', '/api/v1/websocket/broadcast/alert?message=x', '/api/v1/stream/video/stop']) {
    const r = await demo.server.app.inject({ method: 'POST', url, remoteAddress: '192.0.2.10' });
    assert.equal(r.statusCode, 403, `${url} from 192.0.2.10`);
    assert.match(r.json<{ error: { message: string } }>().error.message, /loopback/);
  }
  assert.equal((await demo.server.app.inject({ method: 'GET', url: '/api/v1/health', remoteAddress: '192.0.2.10' })).statusCode, 200, 'public routes stay public');
  // Publishing always needs credentials.
  assert.equal((await call(demo.url, 'POST', '/api/v1/publish', undefined, { stream: 'detection', data: SAMPLE_PAYLOADS.detection })).status, 401);
  assert.equal((await call(demo.url, 'POST', '/api/v1/publish', { key: KEYS.legacyPublish }, { stream: 'detection', data: SAMPLE_PAYLOADS.detection })).status, 200);
});

test('REST publish: credentials x streams (401/403/200), legacy publish key, ?token=', async () => {
  const one = { stream: 'detection', data: SAMPLE_PAYLOADS.detection };
  const cases: [string, { bearer?: string; key?: string } | undefined, unknown, number][] = [
    ['none', undefined, one, 401],
    ['expired', { bearer: jwt.expired }, one, 401],
    ['subscriber JWT', { bearer: jwt.subscriber }, one, 403],
    ['subscriber key', { key: KEYS.subscriber }, one, 403],
    ['publisher JWT', { bearer: jwt.publisher }, one, 200],
    ['publisher key', { key: KEYS.publisher }, one, 200],
    ['legacy publish key', { key: KEYS.legacyPublish }, one, 200],
    ['publisher JWT, forbidden stream', { bearer: jwt.publisher }, { stream: 'alert', data: SAMPLE_PAYLOADS.alert }, 403],
    ['publisher JWT, batch with a forbidden stream', { bearer: jwt.publisher }, [one, { stream: 'state', data: SAMPLE_PAYLOADS.state }], 403],
    ['admin JWT, any stream', { bearer: jwt.admin }, { stream: 'alert', data: SAMPLE_PAYLOADS.alert }, 200],
  ];
  for (const [name, auth, body, status] of cases) {
    const r = await call(s.url, 'POST', '/api/v1/publish', auth, body);
    assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
  }
  const viaQuery = await call(s.url, 'POST', `/api/v1/publish?token=${encodeURIComponent(jwt.publisher!)}`, undefined, one);
  assert.equal(viaQuery.status, 200, '?token= works for REST too');
});

test('invalid payloads are answered with the bad field path and never broadcast (REST single, batch, WebSocket)', async () => {
  const watcher = await connect(s.url, {}, { path: '/ws/detection' });
  clients.push(watcher);
  await watcher.nextOf('subscribed');
  const start = watcher.messages.length;

  const single = await call(s.url, 'POST', '/api/v1/publish', { key: KEYS.publisher }, { stream: 'detection', data: { event_type: 'x', severity: 'loud', message: 'm' } });
  assert.equal(single.status, 400);
  const e1 = single.body.error as { code: string; details: { path: string } };
  assert.equal(e1.code, 'INVALID_PAYLOAD');
  assert.equal(e1.details.path, 'data.severity');

  const batch = await call(s.url, 'POST', '/api/v1/publish', { key: KEYS.publisher }, {
    messages: [{ stream: 'detection', data: { event_type: 'ok', severity: 'info', message: 'fine' } }, { stream: 'detection', data: { event_type: '', severity: 'info', message: 'm' } }],
  });
  assert.equal(batch.status, 400, 'a batch is all-or-nothing');
  const e2 = batch.body.error as { code: string; details: { path: string; index: number } };
  assert.deepEqual([e2.code, e2.details.path, e2.details.index], ['INVALID_PAYLOAD', 'data.event_type', 1]);

  const pub = await connect(s.ws, { token: KEYS.publisher });
  clients.push(pub);
  const r = await ask(pub, { type: 'publish', data: { stream: 'detection', data: { event_type: 'x', severity: 'info', message: 42 } } }, 'published');
  assert.equal(r.type, 'error');
  assert.equal(r.data.code, 'INVALID_PAYLOAD');
  assert.equal((r.data.details as { path: string }).path, 'data.message');

  // A valid one afterwards is the only detection the watcher sees.
  const ok = await ask(pub, { type: 'publish', data: { stream: 'detection', data: { event_type: 'valid', severity: 'success', message: 'yes' } } }, 'published');
  assert.equal(ok.type, 'published');
  await watcher.next((m) => m.type === 'detection' && m.sequence === ok.data.sequence);
  await watcher.barrier();
  const seen = watcher.messages.slice(start).filter((m) => m.type === 'detection');
  assert.deepEqual(seen.map((m) => m.data.event_type), ['valid'], 'only the valid event was broadcast');
});

test('CORS: preflight allowed / refused origin when the list is restricted; WebSocket Origin allow-list', async () => {
  const allowed = 'https://table.example';
  const r = await startAuthServer({}, { server: { cors_origins: [allowed] } });
  servers.push(r);
  const preflight = (origin: string) => fetch(`${r.url}/api/v1/publish`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  const good = await preflight(allowed);
  assert.ok(good.status === 204 || good.status === 200, `preflight status ${good.status}`);
  assert.equal(good.headers.get('access-control-allow-origin'), allowed);
  assert.match(good.headers.get('access-control-allow-headers') ?? '', /authorization/i);
  const bad = await preflight('https://evil.example');
  assert.equal(bad.headers.get('access-control-allow-origin'), null, 'no CORS grant for a foreign origin');
  const simpleGood = await fetch(`${r.url}/api/v1/health`, { headers: { origin: allowed } });
  assert.equal(simpleGood.headers.get('access-control-allow-origin'), allowed);
  const simpleBad = await fetch(`${r.url}/api/v1/health`, { headers: { origin: 'https://evil.example' } });
  assert.equal(simpleBad.headers.get('access-control-allow-origin'), null);

  // Browser WebSocket connections: the Origin header must be listed (non-browser clients send none).
  for (const path of ['/api/v1/ws', '/ws/detection', '/ws/status']) {
    const refused = await attempt(r, path, undefined, {}, { Origin: 'https://evil.example' });
    assert.ok(!refused.open && refused.close.code === 4003 && /origin/.test(refused.close.reason), `${path}: foreign origin refused`);
    const fine = await attempt(r, path, undefined, {}, { Origin: allowed });
    assert.ok(fine.open, `${path}: allowed origin accepted`);
    clients.push(fine.client);
    const noOrigin = await attempt(r, path);
    assert.ok(noOrigin.open, `${path}: no Origin (non-browser) accepted`);
    clients.push(noOrigin.client);
  }

  // '*' (a closed network) allows any origin, REST and WebSocket.
  const open = await startAuthServer({}, { server: { cors_origins: ['*'] } });
  servers.push(open);
  const any = await fetch(`${open.url}/api/v1/health`, { headers: { origin: 'https://anywhere.example' } });
  assert.ok(any.headers.get('access-control-allow-origin'), "CORS allowed for all with '*'");
  const ws = await attempt(open, '/api/v1/ws', undefined, {}, { Origin: 'https://anywhere.example' });
  assert.ok(ws.open);
  clients.push(ws.client);
  // The default: the server's own origin only.
  const own = await startAuthServer({});
  servers.push(own);
  const foreign = await fetch(`${own.url}/api/v1/health`, { headers: { origin: 'https://anywhere.example' } });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'no CORS grant for another site by default');
});
