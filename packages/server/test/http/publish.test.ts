// POST /api/v1/publish (PROTOCOL section 8, publisher role): 401 without credentials (whatever the
// body), refused with a wrong key, 200 with a configured key (X-API-Key or Bearer), batches
// (all-or-nothing), invalid payloads answered 400 with details.path and never broadcast; and
// GET /api/v1/config?include_metadata=true with secrets redacted.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { startServer, TIMESTAMP_RE, type Started } from '../helpers/server.js';

const KEY = 'publish-test-key-0001';
const JWT_SECRET = 'a-jwt-secret-that-is-at-least-32-characters-long';
let s: Started;
let sub: TestClient;
before(async () => {
  s = await startServer({ publish: { api_keys: [KEY] }, broker: { url: 'memory://' }, auth: { jwt: { secret: JWT_SECRET } } });
  sub = await connect(s.ws);
  await sub.subscribe(['alert', 'event']);
});
after(async () => {
  await sub.close();
  await s.close();
});

const publish = (payload: unknown, headers: Record<string, string> = { 'x-api-key': KEY }) =>
  s.server.app.inject({ method: 'POST', url: '/api/v1/publish', headers, payload: payload as Record<string, unknown> });

const alert = (message: string) => ({ stream: 'alert', data: { level: 'info', message } });

test('credentials: 401 without a key (whatever the body), refused with a wrong key, 200 with a configured key', async () => {
  for (const body of [alert('no key'), { stream: 'nope', data: {} }, [1, 2], { messages: [] }]) {
    const r = await publish(body, {});
    assert.equal(r.statusCode, 401, `no key -> 401 for ${JSON.stringify(body)}`);
    assert.equal(r.json().error.code, 'UNAUTHORIZED');
  }
  const wrong = await publish(alert('wrong key'), { 'x-api-key': 'not-the-key-000' });
  assert.ok(wrong.statusCode === 401 || wrong.statusCode === 403, `wrong key refused (got ${wrong.statusCode})`);
  assert.ok(['UNAUTHORIZED', 'FORBIDDEN'].includes(wrong.json().error.code));
  const ok = await publish(alert('with key'));
  assert.equal(ok.statusCode, 200);
  const b = ok.json();
  assert.equal(b.stream, 'alert');
  assert.equal(typeof b.sequence, 'number');
  assert.match(b.timestamp, TIMESTAMP_RE);
  const bearer = await publish(alert('with bearer'), { authorization: `Bearer ${KEY}` });
  assert.equal(bearer.statusCode, 200);
  assert.equal(bearer.json().sequence, b.sequence + 1);
  const m1 = await sub.next((m) => m.type === 'alert' && m.sequence === b.sequence);
  assert.equal(m1.data.message, 'with key');
  assert.equal(m1.timestamp, b.timestamp, 'the response timestamp is the envelope timestamp');
  await sub.next((m) => m.type === 'alert' && m.data.message === 'with bearer');
  await sub.barrier();
  assert.deepEqual(sub.of('alert').filter((m) => /key$/.test(m.data.message) && m.data.message !== 'with key').map((m) => m.data.message), [], 'refused publishes never broadcast');
});

test('batches: an array or {messages}, sequenced in order; all-or-nothing', async () => {
  const arr = await publish([alert('b1'), { stream: 'event', data: { event: 'shot_started' } }, alert('b2')]);
  assert.equal(arr.statusCode, 200);
  const pubs = arr.json().published as { stream: string; sequence: number }[];
  assert.deepEqual(pubs.map((p) => p.stream), ['alert', 'event', 'alert']);
  assert.equal(pubs[2]!.sequence, pubs[0]!.sequence + 1);
  const obj = await publish({ messages: [alert('b3')] });
  assert.equal(obj.statusCode, 200);
  assert.equal(obj.json().published[0].sequence, pubs[2]!.sequence + 1);
  await sub.next((m) => m.type === 'alert' && m.data.message === 'b3');

  const before = (await s.server.hub.broker.position('alert')).latest;
  const bad = await publish([alert('never 1'), { stream: 'alert', data: { level: 'info' } }, alert('never 2')]);
  assert.equal(bad.statusCode, 400);
  const e = bad.json().error;
  assert.equal(e.code, 'INVALID_PAYLOAD');
  assert.equal(e.details.index, 1);
  assert.match(e.details.path, /^data/);
  assert.equal((await s.server.hub.broker.position('alert')).latest, before, 'nothing of a bad batch was sequenced');
  const empty = await publish([]);
  assert.equal(empty.statusCode, 400);
});

test('invalid payloads: 400 with details.path, never broadcast', async () => {
  const cases: [unknown, string, RegExp | null][] = [
    [{ stream: 'alert', data: { level: 'panic', message: 'x' } }, 'INVALID_PAYLOAD', /^data\.level$/],
    [{ stream: 'alert', data: { level: 'info' } }, 'INVALID_PAYLOAD', /^data/],
    [{ stream: 'state', data: { balls: [{ id: 1, position: { x: 'left', y: 0 }, radius: 0.03 }], cue: null, table: null } }, 'INVALID_PAYLOAD', /^data\.balls\.0\.position\.x$/],
    [{ stream: 'event', data: { event: '' } }, 'INVALID_PAYLOAD', /^data\.event$/],
    [{ stream: 'event', data: { event: 'deep', x: JSON.parse('['.repeat(100) + ']'.repeat(100)) } }, 'INVALID_PAYLOAD', /^data\.x(\.0)+$/],
    [{ stream: 'nope', data: {} }, 'INVALID_STREAM', null],
    [{ stream: 'alert', data: 'text' }, 'INVALID_MESSAGE', null],
    [{ data: {} }, 'INVALID_MESSAGE', null],
  ];
  const before = { alert: (await s.server.hub.broker.position('alert')).latest, event: (await s.server.hub.broker.position('event')).latest };
  for (const [body, code, path] of cases) {
    const r = await publish(body);
    assert.equal(r.statusCode, 400, JSON.stringify(body).slice(0, 100));
    const e = r.json().error;
    assert.equal(e.code, code, JSON.stringify(body).slice(0, 100));
    if (path) assert.match(e.details.path, path, `details.path ${e.details.path}`);
  }
  assert.equal((await s.server.hub.broker.position('alert')).latest, before.alert);
  assert.equal((await s.server.hub.broker.position('event')).latest, before.event);
  const mark = sub.messages.length;
  const ok = await publish(alert('after the bad ones'));
  const m = await sub.next((x) => x.type === 'alert' && x.sequence === ok.json().sequence);
  assert.equal(m.data.message, 'after the bad ones');
  assert.deepEqual(sub.messages.slice(mark).filter((x) => x !== m && (x.type === 'alert' || x.type === 'event')), [], 'nothing else was broadcast');
});

test('GET /api/v1/config?include_metadata=true: the effective config with secrets redacted', async () => {
  const r = await s.server.app.inject({ method: 'GET', url: '/api/v1/config?include_metadata=true' });
  assert.equal(r.statusCode, 200);
  const b = r.json();
  assert.equal(b.config.websocket.ping_interval_s, 30);
  assert.equal(b.config.websocket.rate_limit_per_min, 1_000_000, 'the effective value, overrides included');
  assert.deepEqual(b.config.publish.api_keys, ['***']);
  assert.ok(!r.body.includes(KEY), 'the API key never appears');
  assert.ok(!r.body.includes(JWT_SECRET), 'the JWT secret never appears');
  assert.equal(typeof b.metadata.version, 'string');
  assert.equal(typeof b.metadata.node_id, 'string');
  assert.equal(typeof b.metadata.schema, 'object');
  const plain = (await s.server.app.inject({ method: 'GET', url: '/api/v1/config' })).json();
  assert.equal(plain.metadata, undefined);
  assert.deepEqual(plain.config.publish.api_keys, ['***']);
});
