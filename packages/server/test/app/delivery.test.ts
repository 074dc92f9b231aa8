// Delivery classes (PROTOCOL section 6) over real sockets with clients that stop reading (their TCP
// socket paused): latest-value conflation (far fewer messages, the newest last, drops counted),
// reliable resume with `since` (exactly the missed messages, in order), gaps older than the history
// and wrong epochs (recovered: false), `ack` dropping queued messages, the byte-bounded send queue
// closing a slow reliable consumer with 4100, and priorities when the queue flushes.
import { test } from 'node:test';
import { tracked } from '../helpers/fixtures.js';
import assert from 'node:assert/strict';
import {
  alertPayload, bigState, eventPayload, performancePayload, sessionOf, statePayload, waitFor, type Started,
} from '../helpers/server.js';

const { server, client } = tracked();

/**
 * Publishes big `state` messages until the paused client's session starts queueing (kernel and socket
 * buffers are full). Returns how many were published.
 */
async function fillUntilQueued(s: Started, clientId: string, bytes = 32 * 1024, max = 20_000): Promise<number> {
  const session = sessionOf(s, clientId);
  let n = 0;
  while (session.queueLength() === 0) {
    if (++n > max) throw new Error(`session ${clientId} never queued after ${max} publishes`);
    await s.server.publish('state', bigState(bytes, n));
  }
  return n;
}

test('latest-value: a slow client gets far fewer messages, the newest last; drops are counted', async () => {
  const s = await server();
  const c = await client(s, { client_id: 'slow-state' });
  await c.subscribe(['state']);
  c.pauseReading();
  const filled = await fillUntilQueued(s, 'slow-state');
  const extra = 2000;
  let last = 0;
  for (let i = 0; i < extra; i++) last = (await s.server.publish('state', bigState(32 * 1024, filled + i + 1))).sequence;
  const published = filled + extra;
  const session = sessionOf(s, 'slow-state');
  assert.equal(session.queueLength(), 1, 'one pending state message, not a backlog');
  assert.ok(session.pendingBytes() < s.server.config.websocket.max_queue_bytes, 'queue stays within its byte bound');
  c.resumeReading();
  const newest = await c.next((m) => m.type === 'state' && m.sequence === last, 10_000, 'the newest state');
  const got = c.of('state');
  assert.ok(got.length < published / 2, `far fewer than published (${got.length} of ${published})`);
  assert.equal(got[got.length - 1], newest, 'the last message received is the newest');
  for (let i = 1; i < got.length; i++) assert.ok(got[i]!.sequence > got[i - 1]!.sequence, 'in order, never repeated');
  assert.equal(c.closeInfo, null, 'a slow latest-value client is not disconnected');
  const metrics = (await s.server.app.inject({ method: 'GET', url: '/api/v1/websocket/metrics' })).json();
  assert.ok(metrics.dropped >= published - got.length, `dropped ${metrics.dropped} >= ${published - got.length}`);
  assert.ok(metrics.dropped_by_reason.conflated > 0);
  const prom = (await s.server.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(prom, /tablecast_ws_dropped_total\{reason="conflated",stream="state"\} [1-9]/);
  const st = await c.request({ type: 'get_status' }, 'status');
  assert.ok(st.data.dropped >= published - got.length, 'the client sees its own drop count');
});

test('reliable: reconnecting with `since` gets exactly the missed messages in order (recovered: true)', async () => {
  const s = await server();
  const c1 = await client(s, { client_id: 'resume-1' });
  const sub1 = await c1.subscribe(['alert', 'event']);
  const epoch = sub1.data.epochs.alert as string;
  assert.equal(typeof epoch, 'string');
  for (let i = 1; i <= 5; i++) await s.server.publish('alert', alertPayload(`a${i}`));
  await s.server.publish('event', eventPayload('game_started'));
  await c1.until(() => c1.of('alert').length === 5 && c1.of('event').length === 1, 2000, 'first alerts');
  const lastAlert = c1.of('alert').at(-1)!.sequence;
  await c1.close();
  for (let i = 6; i <= 12; i++) await s.server.publish('alert', alertPayload(`a${i}`));
  for (let i = 0; i < 3; i++) await s.server.publish('event', eventPayload('ball_pocketed', { i }));

  const c2 = await client(s, { client_id: 'resume-1' });
  const sub2 = await c2.subscribe(['alert', 'event'], undefined, { since: { alert: lastAlert, event: 1 }, epoch: { alert: epoch } });
  assert.deepEqual(sub2.data.recovered, { alert: true, event: true });
  assert.equal(sub2.data.offsets.alert, 12);
  await s.server.publish('alert', alertPayload('a13'));
  await c2.until(() => c2.of('alert').length >= 8 && c2.of('event').length >= 3, 3000, 'missed alerts and the live one');
  await c2.barrier();
  assert.deepEqual(c2.of('alert').map((m) => m.data.message), ['a6', 'a7', 'a8', 'a9', 'a10', 'a11', 'a12', 'a13'], 'missed in order, then live, no duplicates');
  assert.deepEqual(c2.of('alert').map((m) => m.sequence), [6, 7, 8, 9, 10, 11, 12, 13]);
  assert.deepEqual(c2.of('event').map((m) => m.sequence), [2, 3, 4]);
  const firstAlert = c2.of('alert')[0]!;
  assert.ok(firstAlert.index > sub2.index, 'the `subscribed` reply comes before the recovered messages');
  // Resuming from the latest sequence is recovered with nothing to send.
  const c3 = await client(s);
  const sub3 = await c3.subscribe(['alert'], undefined, { since: { alert: 13 } });
  assert.deepEqual(sub3.data.recovered, { alert: true });
  await c3.barrier();
  assert.equal(c3.of('alert').length, 0);
});

test('reliable: a client_id that acked resumes after its ack on reconnect, without `since`', async () => {
  const s = await server();
  const c1 = await client(s, { client_id: 'acked-resume' });
  await c1.subscribe(['event']);
  for (let i = 1; i <= 3; i++) await s.server.publish('event', eventPayload('tick', { i }));
  await c1.until(() => c1.of('event').length === 3, 2000, 'three events');
  c1.send({ type: 'ack', data: { stream: 'event', sequence: 3 } });
  await waitFor(() => sessionOf(s, 'acked-resume').acked.get('event') === 3, 'the ack');
  await c1.close();
  await waitFor(() => !s.server.hub.sessions.has('acked-resume'), 'the session to go');
  for (let i = 4; i <= 6; i++) await s.server.publish('event', eventPayload('tick', { i }));
  // A stranger with the same id does not get the offsets (they belong to the client's resume token).
  const stranger = await client(s, { client_id: 'acked-resume' });
  assert.equal((await stranger.subscribe(['event'])).data.recovered, undefined, 'no resume without the resume token');
  await stranger.close();
  await waitFor(() => !s.server.hub.sessions.has('acked-resume'), 'the stranger gone');
  const c2 = await client(s, { client_id: 'acked-resume', resume_token: c1.welcome!.data.resume_token as string });
  const sub = await c2.subscribe(['event']);
  assert.deepEqual(sub.data.recovered, { event: true });
  await c2.until(() => c2.of('event').length === 3, 2000, 'the three missed events');
  assert.deepEqual(c2.of('event').map((m) => m.sequence), [4, 5, 6]);
  const other = await client(s, { client_id: 'someone-else' });
  const sub2 = await other.subscribe(['event']);
  assert.equal(sub2.data.recovered, undefined, 'no resume for another client id');
  await other.barrier();
  assert.equal(other.of('event').length, 0, 'reliable streams send no backlog without since');
});

test('reliable: a gap older than the history, a future offset or a wrong epoch -> recovered: false', async () => {
  const s = await server({ history: { max_messages: 5 } });
  for (let i = 1; i <= 20; i++) await s.server.publish('event', eventPayload('tick', { i }));
  const old = await client(s);
  const sub = await old.subscribe(['event'], undefined, { since: { event: 2 } });
  assert.deepEqual(sub.data.recovered, { event: false }, 'messages 3..15 are gone');
  const inHistory = await client(s);
  const sub2 = await inHistory.subscribe(['event'], undefined, { since: { event: 15 } });
  assert.deepEqual(sub2.data.recovered, { event: true }, '16..20 are all in the 5-message history');
  const future = await client(s);
  const sub3 = await future.subscribe(['event'], undefined, { since: { event: 999 } });
  assert.deepEqual(sub3.data.recovered, { event: false });
  const wrongEpoch = await client(s);
  const sub4 = await wrongEpoch.subscribe(['event'], undefined, { since: { event: 18 }, epoch: { event: 'not-the-epoch' } });
  assert.deepEqual(sub4.data.recovered, { event: false });
  assert.notEqual(sub4.data.epochs.event, 'not-the-epoch', 'the reply names the current epoch');
  await s.server.publish('event', eventPayload('tick', { i: 21 }));
  for (const c of [old, inHistory, future, wrongEpoch]) await c.next((m) => m.type === 'event' && m.sequence === 21);
  assert.deepEqual(old.of('event').map((m) => m.sequence), [21], 'no partial backlog when not recovered; live continues');
  assert.deepEqual(inHistory.of('event').map((m) => m.sequence), [16, 17, 18, 19, 20, 21]);
  assert.deepEqual(wrongEpoch.of('event').map((m) => m.sequence), [21]);
});

test('reliable: `ack` drops queued messages the client confirmed', async () => {
  const s = await server();
  const c = await client(s, { client_id: 'acker' });
  await c.subscribe(['state', 'alert']);
  c.pauseReading();
  await fillUntilQueued(s, 'acker');
  const seqs: number[] = [];
  for (let i = 1; i <= 6; i++) seqs.push((await s.server.publish('alert', alertPayload(`q${i}`))).sequence);
  const session = sessionOf(s, 'acker');
  const queued = session.queueLength();
  assert.ok(queued >= 7, `six alerts queued behind the pending state (queue ${queued})`);
  c.send({ type: 'ack', data: { stream: 'alert', sequence: seqs[3] } });
  await waitFor(() => session.acked.get('alert') === seqs[3], 'the ack to be processed');
  assert.equal(session.queueLength(), queued - 4, 'four acknowledged alerts left the queue');
  c.resumeReading();
  await c.next((m) => m.type === 'alert' && m.sequence === seqs[5], 10_000);
  assert.deepEqual(c.of('alert').map((m) => m.data.message), ['q5', 'q6']);
  const metrics = (await s.server.app.inject({ method: 'GET', url: '/api/v1/websocket/metrics' })).json();
  assert.equal(metrics.dropped_by_reason.acked, 4);
  // An ack is not answered; an ack for an unknown stream is an error.
  const r = await c.request({ type: 'ack', data: { stream: 'nope', sequence: 1 } }, 'error');
  assert.equal(r.data.code, 'INVALID_STREAM');
});

test('per-client send queue is bounded in bytes: a paused client on a reliable stream is closed with 4100', async () => {
  const s = await server({ websocket: { max_queue_bytes: 64 * 1024, write_high_water_bytes: 4096 } });
  const slow = await client(s, { client_id: 'slow-alert' });
  await slow.subscribe(['alert']);
  const slowState = await client(s, { client_id: 'slow-state-only' });
  await slowState.subscribe(['state']);
  const healthy = await client(s, { client_id: 'healthy' });
  await healthy.subscribe(['alert']);
  slow.pauseReading();
  slowState.pauseReading();
  const session = sessionOf(s, 'slow-alert');
  const text = 'm'.repeat(2000);
  let n = 0;
  while (!session.closed) {
    if (++n > 20_000) throw new Error('never closed');
    await s.server.publish('alert', alertPayload(text, 'warning', { n }));
    await s.server.publish('state', bigState(2048, n));
    await new Promise((r) => setImmediate(r)); // let the healthy client (same process) read
    assert.ok(session.pendingBytes() <= 64 * 1024 + 8 * 1024, 'the queue never grows past its bound (+ one message)');
  }
  slow.resumeReading();
  const info = await slow.closed;
  assert.equal(info.code, 4100);
  assert.ok(Buffer.byteLength(info.reason) < 123);
  // The latest-value client under the same limits is not closed; the healthy one got everything.
  await healthy.next((m) => m.type === 'alert' && m.data.n === n, 10_000);
  assert.equal(healthy.of('alert').length, n);
  assert.equal(sessionOf(s, 'slow-state-only').closed, false, 'a slow latest-value client is conflated, not closed');
  slowState.resumeReading();
  await slowState.barrier(10_000);
  assert.equal(slowState.closeInfo, null);
  const prom = (await s.server.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(prom, /tablecast_ws_closes_total\{code="4100"\} 1/);
});

test('priorities under pressure: queued messages flush alert > config > event > trajectory > state > performance > frame', async () => {
  const s = await server();
  const c = await client(s, { client_id: 'prio' });
  await c.subscribe(['alert', 'config', 'event', 'trajectory', 'state', 'performance', 'frame']);
  c.pauseReading();
  await fillUntilQueued(s, 'prio');
  // Publish in reverse priority order while the socket is full.
  const frame = await s.server.publish('frame', { image: Buffer.from('not really a jpeg').toString('base64'), width: 1, height: 1 });
  const perf = await s.server.publish('performance', performancePayload(30));
  const state = await s.server.publish('state', statePayload([{ id: 1, x: 1, y: 0.5 }]));
  const traj = await s.server.publish('trajectory', { ball_id: 1, lines: [], collisions: [] });
  const event = await s.server.publish('event', eventPayload('shot_started'));
  const config = await s.server.publish('config', { section: 'websocket', config: {}, change_summary: 'test' });
  const alert = await s.server.publish('alert', alertPayload('urgent', 'critical'));
  c.resumeReading();
  await c.next((m) => m.type === 'frame' && m.sequence === frame.sequence, 10_000);
  const idx = (type: string, seq: number) => c.collect((m) => m.type === type && m.sequence === seq)[0]?.index ?? -1;
  const order = [
    ['alert', alert.sequence], ['config', config.sequence], ['event', event.sequence], ['trajectory', traj.sequence],
    ['state', state.sequence], ['performance', perf.sequence], ['frame', frame.sequence],
  ] as const;
  const indices = order.map(([t, q]) => idx(t, q));
  assert.ok(indices.every((i) => i >= 0), `all delivered: ${JSON.stringify(indices)}`);
  for (let i = 1; i < indices.length; i++) {
    assert.ok(indices[i - 1]! < indices[i]!, `${order[i - 1]![0]} before ${order[i]![0]} (${JSON.stringify(indices)})`);
  }
});

test('unsubscribe under pressure: nothing of the stream arrives after `unsubscribed`, even if it was queued', async () => {
  const s = await server();
  const c = await client(s, { client_id: 'unsub-queued' });
  await c.subscribe(['state', 'alert']);
  c.pauseReading();
  await fillUntilQueued(s, 'unsub-queued');
  await s.server.publish('alert', alertPayload('queued'));
  const session = sessionOf(s, 'unsub-queued');
  assert.ok(session.queueLength() >= 2);
  c.send({ type: 'unsubscribe', data: { streams: ['state', 'alert'] } });
  await waitFor(() => session.subscriptions.size === 0, 'the unsubscribe to be processed');
  c.resumeReading();
  const un = await c.nextOf('unsubscribed', 10_000);
  await c.barrier(10_000);
  const after = c.collect((m) => (m.type === 'state' || m.type === 'alert') && m.index > un.index);
  assert.deepEqual(after.map((m) => `${m.type}#${m.sequence}`), [], 'delivery stopped at once');
});

test('a subscription that throws mid-fan-out: subscribers before it still get the message, the server keeps serving', async () => {
  const s = await server();
  const [a, b, c] = [await client(s, { client_id: 'fan-a' }), await client(s, { client_id: 'fan-b' }), await client(s, { client_id: 'fan-c' })];
  for (const x of [a, b, c]) await x.subscribe(['state']);
  const faulty = sessionOf(s, 'fan-b');
  const send = faulty.send.bind(faulty);
  faulty.send = () => {
    throw new Error('injected failure');
  };
  const failed0 = s.server.metrics.failedSends;
  const r1 = await s.server.publish('state', statePayload([{ id: 'cue', number: 0, x: 1, y: 0.5 }]));
  // `a` subscribed before the faulty session: it was gathered into the write batch and must get its frame.
  await a.next((m) => m.type === 'state' && m.sequence === r1.sequence);
  assert.equal(s.server.metrics.failedSends, failed0 + 1, 'the failure is counted');
  faulty.send = send;
  const r2 = await s.server.publish('state', statePayload([{ id: 'cue', number: 0, x: 1.1, y: 0.5 }]));
  for (const x of [a, b, c]) await x.next((m) => m.type === 'state' && m.sequence === r2.sequence);
});
