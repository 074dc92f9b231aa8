// Bad input (PROTOCOL section 7) over real sockets: malformed JSON, wrong types, unknown message
// types, unknown streams, bad subscribe/unsubscribe/ack/publish data, bad filters, binary garbage on a
// JSON connection, invalid UTF-8 and oversize frames. Each gets the documented error (one reply, with
// sequence 0) and the connection stays open where the contract says so. Also keeps
// docs/PROTOCOL-ERRORS.md in sync with the error and close-code tables.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLOSE_CODE_DESCRIPTIONS, ERROR_CODE_DESCRIPTIONS } from '@tablecast/protocol';
import { connect, REPLY_TYPES, type Msg, type TestClient } from '../helpers/ws-client.js';
import { startServer, TIMESTAMP_RE, type Started } from '../helpers/server.js';

const API_KEY = 'errors-test-publisher-key';
let s: Started;
const clients: TestClient[] = [];
before(async () => {
  s = await startServer({ publish: { api_keys: [API_KEY] }, websocket: { max_payload_bytes: 8192 } });
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await s.close();
});

async function client(query: Record<string, string> = {}): Promise<TestClient> {
  const c = await connect(s.ws, query);
  clients.push(c);
  return c;
}

/** Sends one frame and returns every reply it caused (up to the barrier pong). */
async function repliesTo(c: TestClient, frame: unknown, binary?: boolean): Promise<Msg[]> {
  const from = c.messages.length;
  c.send(frame, binary === undefined ? {} : { binary });
  const barrier = await c.barrier();
  return c.messages.slice(from, barrier).filter((m) => REPLY_TYPES.has(m.type));
}

async function expectError(c: TestClient, frame: unknown, code: string, binary?: boolean): Promise<Msg> {
  const replies = await repliesTo(c, frame, binary);
  assert.equal(replies.length, 1, `exactly one reply to ${String(JSON.stringify(frame)).slice(0, 80)}: ${replies.map((r) => r.type)}`);
  const r = replies[0]!;
  assert.equal(r.type, 'error', `error reply to ${String(JSON.stringify(frame)).slice(0, 80)}`);
  assert.equal(r.sequence, 0);
  assert.match(r.timestamp, TIMESTAMP_RE);
  assert.equal(r.data.code, code, `code for ${String(JSON.stringify(frame)).slice(0, 80)}: ${r.data.message}`);
  assert.equal(typeof r.data.message, 'string');
  assert.ok(r.data.message.length > 0 && r.data.message.length < 1000);
  return r;
}

test('malformed JSON and non-object messages: INVALID_JSON / INVALID_MESSAGE, connection open', async () => {
  const c = await client();
  for (const text of ['{"type":', 'not json', '{"type": "ping",}', "{'type': 'ping'}", '', '\u0000\u0001']) {
    await expectError(c, text, 'INVALID_JSON');
  }
  for (const text of ['5', '"ping"', 'null', '[]', '[{"type":"ping"}]', 'true', '{}', '{"type": 5}', '{"type": null}', '{"type": ["ping"]}', '{"data": {}}']) {
    await expectError(c, text, 'INVALID_MESSAGE');
  }
  assert.equal(c.closeInfo, null);
  const pong = await c.request({ type: 'ping' }, 'pong');
  assert.equal(pong.type, 'pong', 'still served');
});

test('unknown message types: UNKNOWN_MESSAGE_TYPE with the known types', async () => {
  const c = await client();
  for (const type of ['subscribe_all', 'PING', '', 'x'.repeat(5000), '__proto__', 'constructor']) {
    const r = await expectError(c, { type, data: {} }, 'UNKNOWN_MESSAGE_TYPE');
    assert.ok(Array.isArray(r.data.details?.known) && r.data.details.known.includes('subscribe'));
    assert.ok(JSON.stringify(r.data).length < 2000, 'a huge type is not echoed back in full');
  }
});

test('subscribe / unsubscribe format errors name the bad field; unknown streams only subscribe nothing, known ones beside unknown ones are subscribed', async () => {
  const c = await client();
  const cases: [unknown, string, string?][] = [
    [{ type: 'subscribe' }, 'INVALID_SUBSCRIBE_FORMAT', 'data.streams'],
    [{ type: 'subscribe', data: { streams: 'state' } }, 'INVALID_SUBSCRIBE_FORMAT', 'data.streams'],
    [{ type: 'subscribe', data: { streams: [] } }, 'INVALID_SUBSCRIBE_FORMAT', 'data.streams'],
    [{ type: 'subscribe', data: { streams: [1, 2] } }, 'INVALID_SUBSCRIBE_FORMAT', 'data.streams.0'],
    [{ type: 'subscribe', data: { streams: ['alert'], since: { alert: -1 } } }, 'INVALID_SUBSCRIBE_FORMAT', 'data.since.alert'],
    [{ type: 'subscribe', data: { streams: ['alert'], since: { alert: 'NaN' } } }, 'INVALID_SUBSCRIBE_FORMAT', 'data.since.alert'],
    [{ type: 'subscribe', data: 'state' }, 'INVALID_SUBSCRIBE_FORMAT'],
    [{ type: 'subscribe', data: { streams: ['balls'] } }, 'INVALID_STREAM'],
    [{ type: 'subscribe', data: { streams: ['state'], filters: 'fast' } }, 'INVALID_FILTER'],
    [{ type: 'subscribe', data: { streams: ['state'], filters: { max_fps: 1e308 } } }, 'INVALID_FILTER'],
    [{ type: 'unsubscribe' }, 'INVALID_UNSUBSCRIBE_FORMAT', 'data.streams'],
    [{ type: 'unsubscribe', data: { streams: [1] } }, 'INVALID_UNSUBSCRIBE_FORMAT', 'data.streams.0'],
    [{ type: 'unsubscribe', data: { streams: ['nope'] } }, 'INVALID_STREAM'],
  ];
  for (const [frame, code, path] of cases) {
    const r = await expectError(c, frame, code);
    if (path) assert.equal(r.data.details?.path, path, `details.path for ${JSON.stringify(frame)}`);
  }
  const unknown = await expectError(c, { type: 'subscribe', data: { streams: ['balls', 'cue'] } }, 'INVALID_STREAM');
  assert.deepEqual(unknown.data.details.streams, ['balls', 'cue']);
  const st = await c.request({ type: 'get_status' }, 'status');
  assert.deepEqual(st.data.subscriptions, [], 'nothing subscribed by rejected subscribes');
  // As the original: the known streams are subscribed, the unknown ones listed in `rejected`.
  const mixed = await c.request({ type: 'subscribe', data: { streams: ['state', 'balls', 'cue'] } }, 'subscribed');
  assert.equal(mixed.type, 'subscribed');
  assert.deepEqual(mixed.data.streams, ['state']);
  assert.deepEqual(mixed.data.rejected.map((r: { stream: string }) => r.stream), ['balls', 'cue']);
});

test('ack and publish errors: INVALID_MESSAGE, INVALID_STREAM, FORBIDDEN, INVALID_PAYLOAD', async () => {
  const sub = await client();
  await sub.subscribe(['alert']);
  const c = await client();
  await expectError(c, { type: 'ack', data: { stream: 'alert' } }, 'INVALID_MESSAGE');
  await expectError(c, { type: 'ack', data: { stream: 'alert', sequence: -3 } }, 'INVALID_MESSAGE');
  await expectError(c, { type: 'ack', data: { stream: 'bogus', sequence: 3 } }, 'INVALID_STREAM');
  assert.deepEqual(await repliesTo(c, { type: 'ack', data: { stream: 'alert', sequence: 3 } }), [], 'a valid ack has no reply');
  await expectError(c, { type: 'publish', data: { stream: 'alert', data: { level: 'info', message: 'x' } } }, 'FORBIDDEN');
  const pub = await client({ token: API_KEY });
  assert.equal(pub.welcome?.data.role, 'publisher');
  await expectError(pub, { type: 'publish', data: { stream: 'alert' } }, 'INVALID_MESSAGE');
  await expectError(pub, { type: 'publish', data: { stream: 'nope', data: {} } }, 'INVALID_STREAM');
  const bad = await expectError(pub, { type: 'publish', data: { stream: 'alert', data: { level: 'panic', message: 'x' } } }, 'INVALID_PAYLOAD');
  assert.equal(bad.data.details.path, 'data.level');
  const ok = await pub.request({ type: 'publish', data: { stream: 'alert', data: { level: 'info', message: 'valid' } } }, 'published');
  assert.equal(ok.type, 'published');
  assert.equal(ok.data.stream, 'alert');
  const got = await sub.next((m) => m.type === 'alert');
  assert.equal(got.data.message, 'valid', 'only the valid publish was broadcast');
  assert.equal(got.sequence, ok.data.sequence);
});

test('deeply nested values: not echoed, refused as INVALID_FILTER / INVALID_PAYLOAD, never INTERNAL', async () => {
  const deep = (n: number) => '['.repeat(n) + '1' + ']'.repeat(n);
  const c = await client();
  const pong = (await repliesTo(c, `{"type":"ping","data":{"timestamp":${deep(3000)}}}`))[0]!;
  assert.equal(pong.type, 'pong');
  assert.equal('client_timestamp' in pong.data, false, 'a non-clock timestamp is not echoed');
  const hb = (await repliesTo(c, `{"type":"heartbeat","data":{"clientTime":${deep(3000)}}}`))[0]!;
  assert.equal(hb.type, 'heartbeat_response');
  assert.equal(hb.data.clientTime, undefined);
  const f = await expectError(c, `{"type":"subscribe","data":{"streams":["event"],"filters":{"conditions":{"n":{"in":${deep(3000)}}}}}}`, 'INVALID_FILTER');
  assert.equal(f.data.details.path, 'filters.conditions.n');
  const sub = await client();
  await sub.subscribe(['event']);
  const pub = await client({ token: API_KEY });
  const p = await expectError(pub, `{"type":"publish","data":{"stream":"event","data":{"event":"deep","x":${deep(3000)}}}}`, 'INVALID_PAYLOAD');
  assert.match(p.data.details.path, /^data\.x(\.0)+$/);
  const ok = await pub.request({ type: 'publish', data: { stream: 'event', data: { event: 'shallow', x: [[[1]]] } } }, 'published');
  const got = await sub.next((m) => m.type === 'event');
  assert.equal(got.data.event, 'shallow', 'the deep one was never broadcast');
  assert.equal(got.sequence, ok.data.sequence);
});

test('binary garbage on a JSON connection: INVALID_JSON, connection open', async () => {
  const c = await client();
  await expectError(c, Buffer.from([0, 1, 2, 3, 255, 254]), 'INVALID_JSON', true);
  await expectError(c, Buffer.from(JSON.stringify({ type: 'ping' })), 'INVALID_JSON', true);
  await expectError(c, Buffer.alloc(0), 'INVALID_JSON', true);
  assert.equal(c.closeInfo, null);
});

test('invalid UTF-8 in a text frame closes 1007; an oversize frame closes 1009', async () => {
  const a = await client();
  a.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  assert.equal((await a.closed).code, 1007);
  const b = await client();
  b.send({ type: 'ping', data: { timestamp: 'x'.repeat(9000) } });
  assert.equal((await b.closed).code, 1009);
  const c = await client();
  const pong = await c.request({ type: 'ping' }, 'pong');
  assert.equal(pong.type, 'pong', 'the server keeps serving others');
});

test('docs/PROTOCOL-ERRORS.md lists every error code and close code', () => {
  const doc = readFileSync(new URL('../../../../docs/PROTOCOL-ERRORS.md', import.meta.url), 'utf8');
  for (const code of Object.keys(ERROR_CODE_DESCRIPTIONS)) assert.ok(doc.includes(`\`${code}\``), `error code ${code} is documented`);
  for (const code of Object.keys(CLOSE_CODE_DESCRIPTIONS)) assert.ok(doc.includes(`\`${code}\``), `close code ${code} is documented`);
  // And nothing documented that the tables do not know.
  const documented = [...doc.matchAll(/^\| `([A-Z_]+|\d{4})` \|/gm)].map((m) => m[1]!);
  const known = new Set([...Object.keys(ERROR_CODE_DESCRIPTIONS), ...Object.keys(CLOSE_CODE_DESCRIPTIONS)]);
  for (const code of documented) assert.ok(known.has(code), `documented code ${code} exists in the tables`);
  assert.equal(documented.length, known.size, 'one row per code');
});
