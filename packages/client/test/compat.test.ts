// Compatibility with the original clients, over a raw `ws` socket (no SDK): the exact messages they
// send and the fields they read must work against tablecast unchanged.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startServer, stateWith, type Started } from './helpers.js';

interface Msg {
  type: string;
  timestamp: string;
  sequence: number;
  data: Record<string, unknown>;
}

let srv: Started | null = null;
after(async () => srv?.server.close());

/** A raw socket that records every message and can wait for one of a type. */
async function rawClient(url: string) {
  const ws = new WebSocket(url);
  const inbox: Msg[] = [];
  const waiters: { type: string; pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  ws.on('message', (raw, isBinary) => {
    assert.equal(isBinary, false, 'JSON arrives in text frames');
    const m = JSON.parse(raw.toString()) as Msg;
    inbox.push(m);
    for (const w of [...waiters]) {
      if (w.type === m.type && w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (type: string, pred: (m: Msg) => boolean = () => true, timeoutMs = 3000) => {
    const have = inbox.find((m) => m.type === type && pred(m));
    if (have) return Promise.resolve(have);
    return new Promise<Msg>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ type, pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  };
  return { ws, inbox, next, send: (o: unknown) => ws.send(JSON.stringify(o)) };
}

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

test('original browser client: subscribe to state and read balls[].id, position.x/y, radius, number, confidence', async () => {
  srv ??= await startServer();
  const c = await rawClient(srv.ws);
  c.send({ type: 'subscribe', data: { streams: ['state'] } });
  const sub = await c.next('subscribed');
  assert.deepEqual(sub.data.streams, ['state']);
  assert.deepEqual(sub.data.all_subscriptions, ['state']);
  assert.equal(sub.sequence, 0, 'replies carry sequence 0');
  assert.match(sub.timestamp, TS);

  const published = await srv.server.publish(
    'state',
    stateWith([
      { id: 'cue', number: 0, x: 0.635, y: 0.635, confidence: 0.99 },
      { id: 8, number: 8, x: 1.905, y: 0.635, confidence: 0.87 },
    ]),
  );
  const state = await c.next('state', (m) => m.sequence === published.sequence);
  assert.match(state.timestamp, TS);
  assert.equal((state.data as { sequence?: number }).sequence, published.sequence, 'data.sequence mirrors the envelope');
  const balls = state.data.balls as Record<string, unknown>[];
  assert.equal(balls.length, 2);
  for (const b of balls) {
    for (const key of ['id', 'position', 'radius', 'number', 'confidence']) assert.ok(key in b, `ball has ${key}`);
    const p = b.position as { x: unknown; y: unknown; scale: unknown };
    assert.equal(typeof p.x, 'number');
    assert.equal(typeof p.y, 'number');
    assert.deepEqual(p.scale, [1, 1]);
  }
  const eight = balls.find((b) => b.id === 8) as { position: { x: number; y: number }; radius: number; number: number; confidence: number };
  assert.equal(eight.position.x, 1.905);
  assert.equal(eight.position.y, 0.635);
  assert.equal(eight.radius, 0.028575);
  assert.equal(eight.number, 8);
  assert.equal(eight.confidence, 0.87);
  c.ws.close();
});

test('original live view: frame/state/trajectory/metrics/alert with quality + frame_rate, ping and heartbeat', async () => {
  srv ??= await startServer();
  const c = await rawClient(`ws://127.0.0.1:${srv.port}/api/v1/websocket/ws`);
  const streams = ['frame', 'state', 'trajectory', 'metrics', 'alert'];
  c.send({ type: 'subscribe', data: { streams, filters: { quality: 'medium', frame_rate: 15 } } });
  const sub = await c.next('subscribed');
  assert.deepEqual([...(sub.data.streams as string[])].sort(), [...streams].sort());

  const clientTs = new Date().toISOString();
  c.send({ type: 'ping', data: { timestamp: clientTs } });
  const pong = await c.next('pong');
  assert.match(pong.data.timestamp as string, TS);
  assert.equal(pong.data.client_timestamp, clientTs, 'pong echoes the client timestamp');

  c.send({ type: 'heartbeat', data: { clientTime: Date.now() } });
  const hb = await c.next('heartbeat_response');
  assert.equal(typeof hb.data.serverTime, 'string');
  assert.ok(Number.isFinite(Date.parse(hb.data.serverTime as string)), 'serverTime is a date');

  await srv.server.publish('state', stateWith([{ id: 'cue', number: 0, x: 1, y: 0.5 }]));
  await srv.server.publish('performance', { fps: 29.8, target_fps: 30, frame_time_ms: 12, cpu_percent: 20, memory_mb: 150, status: 'ok', bottlenecks: [] });
  await srv.server.publish('alert', { level: 'warning', message: 'cue ball not found', code: 'CUE_LOST', details: {} });
  const state = await c.next('state');
  assert.ok(Array.isArray(state.data.balls));
  const alert = await c.next('alert');
  assert.equal(alert.data.level, 'warning');
  assert.equal(alert.data.message, 'cue ball not found');
  // `metrics` is an alias of `performance`: the message arrives under one of the two names
  const perf = await Promise.race([c.next('performance'), c.next('metrics')]);
  assert.equal(perf.data.fps, 29.8);
  c.ws.close();
});
