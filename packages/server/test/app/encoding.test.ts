// Wire encodings (PROTOCOL sections 1-2): `encoding=msgpack` sends binary frames with the same
// envelope as JSON (and accepts msgpack requests); permessage-deflate is negotiated only when
// websocket.compression.enabled, and compressed messages arrive intact.
import { test } from 'node:test';
import { tracked } from '../helpers/fixtures.js';
import assert from 'node:assert/strict';
import { pack } from 'msgpackr';
import type { Msg, TestClient } from '../helpers/ws-client.js';
import { alertPayload, bigState, burst, statePayload, TIMESTAMP_RE, type Started } from '../helpers/server.js';
import type { Socket as NetSocket } from 'node:net';

const fixtures = tracked();
const server = (websocket: Record<string, unknown> = {}): Promise<Started> => fixtures.server({ websocket });
const client = fixtures.client;

const envelope = (m: Msg) => ({ type: m.type, timestamp: m.timestamp, sequence: m.sequence, data: m.data });

test('encoding=msgpack: binary frames, same envelope as JSON, msgpack requests accepted', async () => {
  const s = await server();
  const mp = await client(s, { encoding: 'msgpack' });
  const js = await client(s);
  const w = mp.welcome!;
  assert.equal(w.binary, true, 'the welcome is a binary frame');
  assert.equal(w.data.encoding, 'msgpack');
  assert.equal(w.sequence, 0);
  assert.match(w.timestamp, TIMESTAMP_RE);
  // A msgpack-encoded subscribe (binary) and a JSON one (text) both work on a msgpack connection.
  mp.send(pack({ type: 'subscribe', data: { streams: ['state'] } }));
  const sub = await mp.nextOf('subscribed');
  assert.equal(sub.binary, true);
  assert.deepEqual(sub.data.streams, ['state']);
  mp.send({ type: 'subscribe', data: { streams: ['alert'], filters: { aggregation_window_ms: 50 } } });
  await mp.nextOf('subscribed');
  await js.subscribe(['state']);
  await js.subscribe(['alert'], { aggregation_window_ms: 50 });
  const counters = s.server.metrics.stream('state');
  const [messages0, bytes0] = [counters.messages, counters.bytes];
  const sent0 = [...s.server.hub.sessions.values()].map((x) => x.messagesSent);
  const r = await s.server.publish('state', statePayload([{ id: 'cue', number: 0, x: 0.7, y: 0.3 }]));
  const a = await mp.next((m) => m.type === 'state' && m.sequence === r.sequence);
  const b = await js.next((m) => m.type === 'state' && m.sequence === r.sequence);
  assert.equal(a.binary, true);
  assert.equal(b.binary, false);
  // One fan-out wrote a JSON and a msgpack frame (the hub's batched write): both counted, per stream and per session.
  assert.equal(counters.messages - messages0, 2);
  assert.ok(counters.bytes - bytes0 > 2 * 100, 'bytes of both frames counted');
  assert.deepEqual([...s.server.hub.sessions.values()].map((x, i) => x.messagesSent - sent0[i]!), [1, 1]);
  assert.deepEqual(envelope(a), envelope(b), 'identical envelope in both encodings');
  assert.equal(a.data.sequence, r.sequence);
  // Batches too.
  await burst(s, 'alert', [alertPayload('b1'), alertPayload('b2')]);
  const ba = await mp.nextOf('batch');
  const bb = await js.nextOf('batch');
  assert.equal(ba.binary, true);
  assert.deepEqual(ba.data.messages, bb.data.messages);
  assert.deepEqual(ba.data.messages.map((m: Msg) => m.data.message), ['b1', 'b2']);
  // Errors come back as msgpack too; garbage msgpack is INVALID_JSON.
  mp.send(Buffer.from([0xc1, 0xff, 0x00]));
  const err = await mp.nextOf('error');
  assert.equal(err.binary, true);
  assert.equal(err.data.code, 'INVALID_JSON');
  assert.deepEqual(mp.undecodable, []);
});

test('permessage-deflate is off by default', async () => {
  const s = await server();
  const c = await client(s, {}, { perMessageDeflate: true });
  assert.equal(c.ws.extensions, '', 'not negotiated when compression is disabled');
  assert.equal(s.server.config.websocket.compression.enabled, false);
});

test('permessage-deflate is negotiated when enabled; compressed messages arrive intact (json and msgpack)', async () => {
  const s = await server({ compression: { enabled: true, threshold: 256, level: 6 } });
  const z = await client(s, { client_id: 'deflate' }, { perMessageDeflate: true });
  const zmp = await client(s, { encoding: 'msgpack' }, { perMessageDeflate: true });
  const plain = await client(s, { client_id: 'plain' }, { perMessageDeflate: false });
  assert.match(z.ws.extensions, /permessage-deflate/);
  assert.match(zmp.ws.extensions, /permessage-deflate/);
  assert.equal(plain.ws.extensions, '', 'a client that does not offer it gets plain frames');
  for (const c of [z, zmp, plain]) await c.subscribe(['state', 'alert']);
  const big = await s.server.publish('state', bigState(50_000, 7));
  const small = await s.server.publish('alert', alertPayload('tiny'));
  const got = await Promise.all([z, zmp, plain].map((c) => c.next((m) => m.type === 'state' && m.sequence === big.sequence)));
  for (const m of got) {
    assert.equal(m.data.frame_number, 7);
    assert.equal(m.data.padding.length, got[2]!.data.padding.length, 'payload intact');
  }
  assert.deepEqual(envelope(got[0]!), envelope(got[2]!));
  assert.deepEqual(envelope(got[1]!), envelope(got[2]!));
  const tiny = await z.next((m) => m.type === 'alert' && m.sequence === small.sequence);
  assert.equal(tiny.data.message, 'tiny');
  const status = (await s.server.app.inject({ method: 'GET', url: '/api/v1/websocket/connections/deflate' })).json();
  assert.equal(status.compression, true);
  const plainStatus = (await s.server.app.inject({ method: 'GET', url: '/api/v1/websocket/connections/plain' })).json();
  assert.equal(plainStatus.compression, false);
  // The compressed connection really read fewer bytes off the wire for the same messages.
  const wireBytes = (c: TestClient) => (c.ws as unknown as { _socket: NetSocket })._socket.bytesRead;
  assert.ok(wireBytes(z) < wireBytes(plain) / 2, `compressed ${wireBytes(z)} B on the wire < half of ${wireBytes(plain)} B`);
});
