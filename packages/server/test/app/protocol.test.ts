// Client -> server protocol (PROTOCOL sections 2 and 3) over real sockets: welcome, ping/pong,
// heartbeat, get_status, subscribe/unsubscribe (delivery stops at once), the `metrics` alias, the
// envelope (timestamp taken at publish, per-stream gapless sequence, data.sequence, replies with 0),
// in-order handling of pipelined messages, and two servers in one process sharing nothing.
import { test } from 'node:test';
import { tracked } from '../helpers/fixtures.js';
import assert from 'node:assert/strict';
import { STREAM_NAMES, PROTOCOL_VERSION, parseTimestamp } from '@tablecast/protocol';
import { REPLY_TYPES, type TestClient } from '../helpers/ws-client.js';
import type { Socket as NetSocket } from 'node:net';
import {
  alertPayload, eventPayload, performancePayload, statePayload, TIMESTAMP_RE, type Started,
} from '../helpers/server.js';

const fixtures = tracked();
const server = (websocket: Record<string, unknown> = {}): Promise<Started> => fixtures.server({ websocket });
const client = (s: Started, query: Record<string, string> = {}): Promise<TestClient> => fixtures.client(s, query);

test('welcome: `connection` with client id, versions, encoding, streams, limits; sequence 0', async () => {
  const s = await server({ ping_interval_s: 12.5, max_payload_bytes: 4096 });
  const c = await client(s, { client_id: 'welcome-1' });
  const w = c.messages[0]!;
  assert.equal(w.type, 'connection', 'first message is the welcome');
  assert.equal(w.sequence, 0);
  assert.match(w.timestamp, TIMESTAMP_RE);
  assert.equal(w.data.client_id, 'welcome-1', 'the requested client_id is used');
  assert.equal(w.data.protocol_version, PROTOCOL_VERSION);
  assert.equal(typeof w.data.server_version, 'string');
  assert.equal(w.data.encoding, 'json');
  assert.deepEqual([...w.data.available_streams].sort(), [...STREAM_NAMES].sort());
  assert.equal(w.data.max_payload_bytes, 4096);
  assert.equal(w.data.heartbeat_interval_ms, 12_500);
  const anon = await client(s);
  assert.match(anon.welcome!.data.client_id, /^[0-9a-f-]{36}$/, 'a generated id when none is given');
  const bad = await client(s, { client_id: 'has spaces and / slashes' });
  assert.notEqual(bad.welcome!.data.client_id, 'has spaces and / slashes', 'an invalid client_id is replaced');
});

test('ping -> pong echoes client_timestamp (string and number); heartbeat -> heartbeat_response', async () => {
  const s = await server();
  const c = await client(s);
  const p1 = await c.request({ type: 'ping', data: { timestamp: '2026-01-01T00:00:00.000000+00:00' } }, 'pong');
  assert.equal(p1.type, 'pong');
  assert.equal(p1.sequence, 0);
  assert.equal(p1.data.client_timestamp, '2026-01-01T00:00:00.000000+00:00');
  assert.match(p1.data.timestamp, TIMESTAMP_RE);
  const p2 = await c.request({ type: 'ping', data: { timestamp: 1234567.5 } }, 'pong');
  assert.equal(p2.data.client_timestamp, 1234567.5);
  const p3 = await c.request({ type: 'ping' }, 'pong');
  assert.equal(p3.type, 'pong', 'ping without data is answered');
  assert.equal('client_timestamp' in p3.data, false);

  const before = Date.now();
  const hb = await c.request({ type: 'heartbeat', data: { clientTime: 42 } }, 'heartbeat_response');
  assert.equal(hb.type, 'heartbeat_response');
  assert.equal(hb.sequence, 0);
  assert.match(hb.data.serverTime, TIMESTAMP_RE);
  const serverMs = parseTimestamp(hb.data.serverTime) / 1000;
  assert.ok(serverMs >= before - 50 && serverMs <= Date.now() + 50, 'serverTime is now (50 ms tolerance: wall clock vs monotonic clock)');
  const hb2 = await c.request({ type: 'heartbeat' }, 'heartbeat_response');
  assert.equal(hb2.type, 'heartbeat_response');
});

test('get_status reports the fields of PROTOCOL section 3 with live values', async () => {
  const s = await server();
  const c = await client(s, { client_id: 'status-1' });
  await c.subscribe(['alert', 'metrics']);
  await s.server.publish('alert', alertPayload('one'));
  await c.nextOf('alert');
  const st = await c.request({ type: 'get_status', data: { include_details: true } }, 'status');
  assert.equal(st.type, 'status');
  assert.equal(st.sequence, 0);
  const d = st.data;
  for (const k of ['client_id', 'connected_at', 'uptime', 'subscriptions', 'messages_sent', 'messages_received', 'bytes_sent', 'bytes_received', 'last_rtt_ms', 'dropped']) {
    assert.ok(k in d, `status has ${k}`);
  }
  assert.equal(d.client_id, 'status-1');
  assert.match(d.connected_at, TIMESTAMP_RE);
  assert.ok(d.uptime >= 0 && d.uptime < 60, 'uptime in seconds');
  assert.deepEqual([...d.subscriptions].sort(), ['alert', 'metrics']);
  assert.equal(d.messages_received, 2, 'subscribe + get_status');
  assert.ok(d.messages_sent >= 3, 'welcome, subscribed, alert');
  assert.ok(d.bytes_sent > 100 && d.bytes_received > 20);
  assert.ok(d.last_rtt_ms === null || typeof d.last_rtt_ms === 'number');
  assert.equal(d.dropped, 0);
  assert.ok(d.filters && 'alert' in d.filters, 'details list filters per subscription');
});

test('subscribe / unsubscribe: replies list streams; delivery stops at once after `unsubscribed`', async () => {
  const s = await server();
  const c = await client(s);
  const sub = await c.subscribe(['state', 'alert']);
  assert.deepEqual(sub.data.streams, ['state', 'alert']);
  assert.deepEqual([...sub.data.all_subscriptions].sort(), ['alert', 'state']);
  assert.equal(sub.sequence, 0);
  await s.server.publish('state', statePayload([{ id: 1, x: 1, y: 0.5 }]));
  await s.server.publish('alert', alertPayload('before'));
  await c.nextOf('alert');

  const un = await c.request({ type: 'unsubscribe', data: { streams: ['alert'] } }, 'unsubscribed');
  assert.equal(un.type, 'unsubscribed');
  assert.deepEqual(un.data.streams, ['alert']);
  assert.deepEqual(un.data.all_subscriptions, ['state']);
  // Publish right after the reply: nothing of `alert` may arrive; `state` still does.
  for (let i = 0; i < 20; i++) await s.server.publish('alert', alertPayload(`after ${i}`));
  const st = await s.server.publish('state', statePayload([{ id: 1, x: 1.1, y: 0.5 }]));
  await c.next((m) => m.type === 'state' && m.sequence === st.sequence);
  const barrier = await c.barrier();
  assert.deepEqual(c.collect((m) => m.type === 'alert' && m.index > un.index), [], 'no alert after unsubscribed');
  assert.ok(barrier > un.index);

  // Unsubscribing from a stream one is not subscribed to is harmless; unknown streams are errors.
  const again = await c.request({ type: 'unsubscribe', data: { streams: ['alert'] } }, 'unsubscribed');
  assert.equal(again.type, 'unsubscribed');
  const unknown = await c.request({ type: 'unsubscribe', data: { streams: ['nope'] } }, 'unsubscribed');
  assert.equal(unknown.type, 'error');
  assert.equal(unknown.data.code, 'INVALID_STREAM');
});

test('pipelined subscribe + unsubscribe in one TCP write are handled in order', async () => {
  const s = await server();
  const c = await client(s);
  await s.server.publish('state', statePayload([{ id: 1, x: 1, y: 0.5 }])); // a last value exists
  const sock = (c.ws as unknown as { _socket: NetSocket })._socket;
  sock.cork();
  c.send({ type: 'subscribe', data: { streams: ['state'] } });
  c.send({ type: 'unsubscribe', data: { streams: ['state'] } });
  sock.uncork();
  const first = await c.next((m) => m.type === 'subscribed' || m.type === 'unsubscribed');
  assert.equal(first.type, 'subscribed', 'the subscribe reply comes first');
  const second = await c.next((m) => m.type === 'unsubscribed');
  assert.deepEqual(second.data.all_subscriptions, []);
  await s.server.publish('state', statePayload([{ id: 1, x: 1.2, y: 0.5 }]));
  await c.barrier();
  const late = c.collect((m) => m.type === 'state' && m.index > second.index);
  assert.deepEqual(late, [], 'no state after unsubscribed');
});

test('subscribing to a latest-value stream sends its newest message at once, with its publish timestamp', async () => {
  const s = await server();
  await s.server.publish('state', statePayload([{ id: 1, x: 1, y: 0.5 }]));
  const last = await s.server.publish('state', statePayload([{ id: 1, x: 1.5, y: 0.5 }]));
  const c = await client(s);
  await c.subscribe(['state']);
  const m = await c.nextOf('state');
  assert.equal(m.sequence, last.sequence);
  assert.equal(m.timestamp, last.timestamp, 'timestamp is the publish time, not the send time');
  assert.equal(m.data.balls[0].position.x, 1.5);
});

test('`metrics` is an alias of `performance`', async () => {
  const s = await server();
  const c = await client(s);
  const sub = await c.subscribe(['metrics']);
  assert.deepEqual(sub.data.streams, ['metrics']);
  assert.deepEqual(sub.data.all_subscriptions, ['metrics']);
  const r = await s.server.publish('performance', performancePayload(29.5));
  const m = await c.next((x) => x.sequence === r.sequence && x.type !== 'subscribed');
  assert.equal(m.type, 'metrics', 'original clients filter on the name they subscribed with');
  assert.equal(m.data.fps, 29.5);
  const st = await c.request({ type: 'get_status' }, 'status');
  assert.deepEqual(st.data.subscriptions, ['metrics']);
  const un = await c.request({ type: 'unsubscribe', data: { streams: ['metrics'] } }, 'unsubscribed');
  assert.deepEqual(un.data.all_subscriptions, []);
});

test('envelope: timestamp format taken at publish; per-stream sequence +1 without gaps; data.sequence; replies 0', async () => {
  const s = await server();
  const c = await client(s);
  await c.subscribe(['state', 'alert', 'event']);
  const results: { stream: string; sequence: number; timestamp: string; beforeUs: number; afterUs: number }[] = [];
  const N = 300;
  for (let i = 0; i < N; i++) {
    const stream = (['state', 'alert', 'event'] as const)[i % 3]!;
    const payload = stream === 'state' ? statePayload([{ id: 1, x: 1 + i / 1000, y: 0.5 }]) : stream === 'alert' ? alertPayload(`a${i}`) : eventPayload('shot_started', { i });
    const beforeUs = Date.now() * 1000;
    const r = await s.server.publish(stream, payload);
    results.push({ ...r, beforeUs, afterUs: Date.now() * 1000 });
  }
  await c.until(() => c.collect((m) => ['state', 'alert', 'event'].includes(m.type)).length >= N, 5000, `${N} stream messages`);
  for (const stream of ['state', 'alert', 'event']) {
    const got = c.of(stream);
    assert.deepEqual(got.map((m) => m.sequence), Array.from({ length: N / 3 }, (_, i) => i + 1), `${stream}: 1..${N / 3} in order, no gaps`);
    const pubs = results.filter((r) => r.stream === stream);
    for (const [i, m] of got.entries()) {
      assert.equal(m.data.sequence, m.sequence, 'data.sequence equals sequence');
      assert.match(m.timestamp, TIMESTAMP_RE);
      assert.equal(m.timestamp, pubs[i]!.timestamp, 'envelope timestamp is the publish timestamp');
      const us = parseTimestamp(m.timestamp);
      assert.ok(us >= pubs[i]!.beforeUs - 50_000 && us <= pubs[i]!.afterUs + 50_000, 'taken during publish (50 ms tolerance: wall clock vs monotonic clock)');
    }
  }
  for (const m of c.collect((x) => REPLY_TYPES.has(x.type) || x.type === 'connection')) assert.equal(m.sequence, 0, `${m.type} has sequence 0`);
  // A published payload's own `sequence` field is replaced by the stream sequence.
  const r = await s.server.publish('alert', { ...alertPayload('own seq'), sequence: 999 } as Record<string, unknown>);
  const m = await c.next((x) => x.type === 'alert' && x.sequence === r.sequence);
  assert.equal(m.data.sequence, r.sequence);
});

test('two servers in one process share no state (sequences, sessions, history, metrics)', async () => {
  const [a, b] = await Promise.all([server(), server()]);
  const ca = await client(a, { client_id: 'same-id' });
  const cb = await client(b, { client_id: 'same-id' });
  await ca.subscribe(['alert', 'state']);
  await cb.subscribe(['alert', 'state']);
  const ra1 = await a.server.publish('alert', alertPayload('a1'));
  const ra2 = await a.server.publish('alert', alertPayload('a2'));
  const rb1 = await b.server.publish('alert', alertPayload('b1'));
  assert.deepEqual([ra1.sequence, ra2.sequence, rb1.sequence], [1, 2, 1], 'sequences are per server');
  await ca.until(() => ca.of('alert').length === 2, 2000, 'two alerts on A');
  await cb.until(() => cb.of('alert').length === 1, 2000, 'one alert on B');
  await a.server.publish('state', statePayload([{ id: 1, x: 1, y: 0.5 }]));
  await ca.nextOf('state');
  await cb.barrier();
  await ca.barrier();
  assert.deepEqual(cb.of('alert').map((m) => m.data.message), ['b1']);
  assert.deepEqual(cb.of('state'), [], 'B never sees A\'s state');
  assert.deepEqual(ca.of('alert').map((m) => m.data.message), ['a1', 'a2']);
  assert.notEqual(a.server.hub, b.server.hub);
  assert.equal(a.server.hub.sessions.size, 1);
  assert.equal(b.server.hub.sessions.size, 1);
  // Same client_id on both servers: neither replaced the other.
  assert.equal(ca.closeInfo, null);
  assert.equal(cb.closeInfo, null);
  // Histories are separate: resuming on B from 0 gives only B's alert.
  const cb2 = await client(b, { client_id: 'resumer' });
  const sub = await cb2.subscribe(['alert'], undefined, { since: { alert: 0 } });
  assert.equal(sub.data.recovered.alert, true);
  await cb2.barrier();
  assert.deepEqual(cb2.of('alert').map((m) => m.data.message), ['b1']);
  // Metrics are per server.
  assert.equal(a.server.metrics.stream('alert').published, 2);
  assert.equal(b.server.metrics.stream('alert').published, 1);
  const ma = await a.server.app.inject({ method: 'GET', url: '/metrics' });
  const mb = await b.server.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(ma.body, /tablecast_messages_published_total\{stream="alert"\} 2/);
  assert.match(mb.body, /tablecast_messages_published_total\{stream="alert"\} 1/);
});
