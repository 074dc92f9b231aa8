// The SDK against the real server (createServer on port 0, real sockets): typed handlers, filters,
// msgpack, RTT, stats, close-code policy, reconnect with resubscribe, and reliable resume.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { parseTimestamp, type Envelope, type StatePayload } from '@tablecast/protocol';
import { TablecastClient, type ClientStatus } from '@tablecast/client';
import { sleep, startServer, stateWith, waitFor, type Started } from './helpers.js';

const servers: Started[] = [];
const clients: TablecastClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.server.close()));
});

async function setup(): Promise<Started> {
  const s = await startServer();
  servers.push(s);
  return s;
}

function client(s: Started, extra: Partial<ConstructorParameters<typeof TablecastClient>[0]> = {}): TablecastClient {
  const c = new TablecastClient({ url: s.ws, WebSocket, ...extra });
  clients.push(c);
  return c;
}

function statusLog(c: TablecastClient): ClientStatus[] {
  const log: ClientStatus[] = [];
  c.onStatus((st) => log.push(st));
  return log;
}

test('typed state with filters over json and msgpack; envelope timestamp and sequence', async () => {
  const s = await setup();
  for (const encoding of ['json', 'msgpack'] as const) {
    const c = client(s, { encoding });
    const got: { data: StatePayload; env: Envelope<StatePayload> }[] = [];
    c.on('state', (data, env) => got.push({ data, env }));
    await c.connect();
    assert.equal(c.serverInfo?.encoding, encoding);
    const reply = await c.subscribe(['state'], { min_confidence: 0.5 });
    assert.deepEqual(reply.streams, ['state']);
    const before = Date.now() * 1000;
    const pub = await s.server.publish(
      'state',
      stateWith([
        { id: 'cue', number: 0, x: 0.5, y: 0.6 },
        { id: 1, number: 1, x: 1.9, y: 0.4, confidence: 0.3 },
        { id: 9, number: 9, x: 2.0, y: 0.9 },
      ]),
    );
    await waitFor(() => got.some((g) => g.env.sequence === pub.sequence), `${encoding} state`);
    const last = got.find((g) => g.env.sequence === pub.sequence)!;
    assert.deepEqual(
      last.data.balls.map((b) => b.id),
      ['cue', 9],
      'min_confidence 0.5 removed ball 1',
    );
    assert.equal(last.data.balls[1]?.position.x, 2.0);
    const ts = parseTimestamp(last.env.timestamp);
    assert.ok(Math.abs(ts - before) < 2_000_000, 'publish timestamp within 2 s of now');
    await c.close();
  }
});

test('live filter change resubscribes; ping measures RTT; stats count messages', async () => {
  const s = await setup();
  const c = client(s, { pingIntervalMs: 100 });
  const ids: (string | number)[][] = [];
  c.on('state', (d) => ids.push(d.balls.map((b) => b.id)));
  await c.connect();
  await c.subscribe(['state'], { ball_ids: [1] });
  const balls = [
    { id: 1, number: 1, x: 1, y: 0.5 },
    { id: 2, number: 2, x: 1.5, y: 0.5 },
  ];
  await s.server.publish('state', stateWith(balls));
  await waitFor(() => ids.length >= 1, 'first state');
  assert.deepEqual(ids.at(-1), [1]);
  await c.subscribe(['state'], { ball_ids: [2] });
  ids.length = 0;
  await s.server.publish('state', stateWith(balls));
  await waitFor(() => ids.some((x) => x.length === 1 && x[0] === 2), 'state with ball 2 after the filter change');
  assert.ok(ids.every((x) => !x.includes(1)), 'no ball 1 after the change');

  const rtt = await c.ping();
  assert.ok(rtt >= 0 && rtt < 1000, `rtt ${rtt} ms in [0, 1000)`);
  await waitFor(() => c.rtt !== null, 'periodic ping');
  for (let i = 0; i < 40; i++) await s.server.publish('state', stateWith(balls));
  await waitFor(() => c.stats.messagesReceived >= 40, '40 states');
  const st = c.stats;
  assert.ok(st.messagesPerSecond > 10, `messages/s ${st.messagesPerSecond} > 10`);
  assert.equal(st.decodeErrors, 0);
  const server = await c.getStatus();
  assert.equal(server.client_id, c.clientId);
  assert.deepEqual(server.subscriptions, ['state']);
});

test('unknown stream names are rejected; server errors surface as status events', async () => {
  const s = await setup();
  const c = client(s);
  const log = statusLog(c);
  await c.connect();
  await assert.rejects(c.subscribe(['nope' as 'state']), { code: 'INVALID_STREAM' });
  await assert.rejects(c.subscribe(['state'], { max_fps: -3 }), { code: 'INVALID_FILTER' });
  assert.ok(log.some((e) => e.type === 'server_error' && e.code === 'INVALID_FILTER'));
});

test('close codes: 4100 reconnects and resubscribes, 4003 is terminal', async () => {
  const s = await setup();
  const c = client(s, { reconnect: { initialMs: 50, maxMs: 200 } });
  const log = statusLog(c);
  const states: number[] = [];
  c.on('state', (_d, env) => states.push(env.sequence));
  await c.connect();
  await c.subscribe(['state'], { max_fps: 100 });
  const kick = (code: number) =>
    fetch(`${s.http}/api/v1/websocket/connections/${c.clientId}/disconnect?code=${code}&reason=test`, { method: 'POST' });
  assert.equal((await kick(4100)).status, 200);
  await waitFor(() => log.filter((e) => e.type === 'connected').length === 2, 'reconnect after 4100');
  const disc = log.find((e) => e.type === 'disconnected');
  assert.deepEqual(disc, { type: 'disconnected', code: 4100, reason: 'test', willReconnect: true });
  const rec = log.find((e) => e.type === 'reconnecting');
  assert.ok(rec && rec.type === 'reconnecting' && rec.attempt === 1 && rec.delayMs >= 0 && rec.delayMs <= 50, 'first delay within [0, 50] ms');
  await waitFor(() => c.state === 'connected', 'connected');
  // the subscription (with its filters) was restored by itself
  const pub = await s.server.publish('state', stateWith([{ id: 1, number: 1, x: 1, y: 1 }]));
  await waitFor(() => states.includes(pub.sequence), 'state after the reconnect');
  assert.equal(c.stats.reconnects, 1);

  assert.equal((await kick(4003)).status, 200);
  await waitFor(() => c.state === 'closed', 'closed after 4003');
  const last = log.slice(-2);
  assert.deepEqual(last, [
    { type: 'disconnected', code: 4003, reason: 'test', willReconnect: false },
    { type: 'closed', code: 4003, reason: 'test' },
  ]);
  await sleep(150);
  assert.equal(log.filter((e) => e.type === 'connecting').length, 2, 'no reconnect attempt after a terminal code');
});

test('normal closure 1000 from the server does not reconnect; the status iterator ends with closed', async () => {
  const s = await setup();
  const c = client(s, { reconnect: { initialMs: 20 } });
  const seen: string[] = [];
  const done = (async () => {
    for await (const st of c.status()) seen.push(st.type);
  })();
  await c.connect();
  await fetch(`${s.http}/api/v1/websocket/connections/${c.clientId}/disconnect?code=1000`, { method: 'POST' });
  await done;
  assert.deepEqual(seen, ['connecting', 'connected', 'disconnected', 'closed']);
});

test('reliable stream resumes after a dropped connection: every event once, in order, recovered', async () => {
  const s = await setup();
  const c = client(s, { reconnect: { initialMs: 200, minMs: 150 } });
  const log = statusLog(c);
  const got: number[] = [];
  c.on('event', (d) => got.push(d.n as number));
  await c.connect();
  await c.subscribe(['event', 'state']);
  for (let n = 0; n < 5; n++) await s.server.publish('event', { event: 'test', n });
  await waitFor(() => got.length === 5, 'first 5 events');
  await fetch(`${s.http}/api/v1/websocket/connections/${c.clientId}/disconnect?code=4102`, { method: 'POST' });
  await waitFor(() => c.state !== 'connected', 'disconnect');
  for (let n = 5; n < 15; n++) await s.server.publish('event', { event: 'test', n }); // during the gap
  await waitFor(() => got.length >= 15, 'the 10 missed events');
  for (let n = 15; n < 20; n++) await s.server.publish('event', { event: 'test', n });
  await waitFor(() => got.length >= 20, 'live events after the resume');
  await sleep(50);
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => i), 'all 20 events, once each, in order');
  const res = log.find((e) => e.type === 'resubscribed');
  assert.ok(res && res.type === 'resubscribed');
  assert.deepEqual(res.recovered, { event: true });
  assert.deepEqual(res.restarted, []);
  assert.equal(c.lastSequence('event'), 20);
});

test('auto-ack is coalesced and reaches the server', async () => {
  const s = await setup();
  const c = client(s, { ackIntervalMs: 50 });
  await c.connect();
  await c.subscribe(['alert']);
  let count = 0;
  c.on('alert', () => count++);
  for (let i = 0; i < 10; i++) await s.server.publish('alert', { level: 'info', message: `a${i}` });
  await waitFor(() => count === 10, '10 alerts');
  await sleep(120);
  const st = (await c.getStatus(true)) as unknown as { acked?: Record<string, number>; messages_received: number };
  assert.equal(st.acked?.alert, 10, 'server holds ack up to sequence 10');
  // subscribe + get_status + one coalesced ack (+ at most one more if the window split the burst)
  assert.ok(st.messages_received <= 4, `coalesced acks: ${st.messages_received} inbound messages`);
});
