// The detection feed from worker threads to /ws/detection: a real Worker emits through a
// MessagePort link and through the BroadcastChannel; events arrive in order on the stream; the
// sink's bounded queue drops the oldest events and counts them; the in-flight bound of a link drops
// at the emitter while the main thread is blocked (counted through shared Atomics counters); invalid
// events are counted and never broadcast; all drops show in the Prometheus metrics.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createDetectionEmitter } from '../src/channels/detection-emitter.js';
import { connect, type TestClient } from './helpers/ws-client.js';
import type { Started } from './helpers/server.js';
import { startAuthServer } from './auth-fixtures.js';

const EMITTER_MODULE = new URL('../src/channels/detection-emitter.ts', import.meta.url).href;
const clients: TestClient[] = [];
const servers: Started[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function setup(queue = 256): Promise<{ s: Started; feed: TestClient }> {
  const s = await startAuthServer({}, { channels: { detection_queue_size: queue } });
  servers.push(s);
  const feed = await connect(s.url, {}, { path: '/ws/detection' });
  clients.push(feed);
  await feed.nextOf('subscribed');
  return { s, feed };
}

/**
 * Runs `body` (the source of an async function of `(createDetectionEmitter, workerData, signal)`) in a
 * worker thread that loads the emitter module; resolves with what the function returned.
 */
function inWorker(body: string, workerData: Record<string, unknown>, transferList: Transferable[] = []): { result: Promise<unknown>; worker: Worker } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    // Workers do not inherit tsx's --import hooks on Node 20: register them first.
    import(workerData.tsx).then(({ register }) => { register(); return import(workerData.module); }).then(async ({ createDetectionEmitter }) => {
      const fn = ${body};
      parentPort.postMessage({ result: await fn(createDetectionEmitter, workerData) });
    }).catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
  `;
  const worker = new Worker(code, { eval: true, workerData: { ...workerData, module: EMITTER_MODULE, tsx: import.meta.resolve('tsx/esm/api') }, transferList: transferList as never });
  const result = new Promise<unknown>((resolve, reject) => {
    worker.once('message', (m: { result?: unknown; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.result)));
    worker.once('error', reject);
  });
  return { result, worker };
}

async function metric(s: Started, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

test('a worker emits through a MessagePort link; /ws/detection receives every event in order', async () => {
  const { s, feed } = await setup();
  const link = s.server.channels.detections.createLink();
  const { result, worker } = inWorker(
    `async (create, wd) => {
      const e = create(wd.port, { shared: wd.shared });
      for (let i = 0; i < 50; i++) e.emit({ event_type: 'card_detected', message: 'card ' + i, data: { i } });
      return { emitted: e.emitted, dropped: e.dropped };
    }`,
    { port: link.port, shared: link.shared },
    [link.port as unknown as Transferable],
  );
  assert.deepEqual(await result, { emitted: 50, dropped: 0 });
  await feed.until(() => feed.of('detection').length === 50, 3000, '50 detections');
  const got = feed.of('detection');
  assert.deepEqual(got.map((m) => m.data.data.i), Array.from({ length: 50 }, (_, i) => i), 'in emit order');
  assert.deepEqual(got.map((m) => m.sequence), Array.from({ length: 50 }, (_, i) => i + 1), 'gapless sequence');
  assert.equal(got[0]!.data.severity, 'info', 'severity defaults to info');
  await worker.terminate();
});

test('a worker emits through the BroadcastChannel by name; invalid events are counted and not broadcast', async () => {
  const { s, feed } = await setup();
  const sink = s.server.channels.detections;
  const { result, worker } = inWorker(
    `async (create, wd) => {
      const bc = new BroadcastChannel(wd.name);
      const e = create(bc, { shared: wd.shared });
      e.emit({ event_type: 'ok', severity: 'success', message: 'a' });
      e.emit({ event_type: 'bad', severity: 'catastrophic', message: 'b' });
      e.emit({ event_type: 'ok', severity: 'error', message: 'c' });
      let threw = false;
      try { e.emit({ message: 'no type' }); } catch (err) { threw = err instanceof TypeError; }
      e.close();
      return { emitted: e.emitted, threw };
    }`,
    { name: sink.channelName, shared: sink.shared },
  );
  assert.deepEqual(await result, { emitted: 3, threw: true });
  await feed.until(() => feed.of('detection').length === 2, 3000, 'two valid detections');
  await sink.idle();
  await feed.barrier();
  assert.deepEqual(feed.of('detection').map((m) => m.data.message), ['a', 'c']);
  assert.equal(sink.stats().invalid, 1);
  assert.equal(await metric(s, 'tablecast_detection_events_total', 'outcome="invalid"'), 1);
  await worker.terminate();
});

test('bounded sink queue: the oldest events are dropped and counted (prom-client counter)', async () => {
  const { s, feed } = await setup(8);
  const ch = s.server.channels;
  for (let i = 0; i < 100; i++) ch.emitDetectionEvent({ event_type: 'burst', message: String(i) });
  await ch.detections.idle();
  // Event 0 is already being published when the burst arrives; the queue then keeps the newest 8.
  const expected = ['0', ...Array.from({ length: 8 }, (_, i) => String(92 + i))];
  await feed.until(() => feed.of('detection').length === expected.length, 3000, '9 detections');
  await feed.barrier();
  assert.deepEqual(feed.of('detection').map((m) => m.data.message), expected);
  assert.deepEqual([ch.detections.stats().dropped, ch.detections.stats().published], [91, 9]);
  assert.equal(await metric(s, 'tablecast_detection_events_dropped_total', 'where="sink"'), 91);
});

test('link in-flight bound: a blocked main thread makes the emitter drop beyond capacity (shared counters)', async () => {
  const { s, feed } = await setup(16);
  const sink = s.server.channels.detections;
  const link = sink.createLink();
  const gate = new Int32Array(new SharedArrayBuffer(8)); // [0] go, [1] done
  const { result, worker } = inWorker(
    `async (create, wd) => {
      const e = create(wd.port, { shared: wd.shared });
      const gate = new Int32Array(wd.gate);
      Atomics.wait(gate, 0, 0);            // wait for the main thread to block
      for (let i = 0; i < 1000; i++) e.emit({ event_type: 'fast', message: String(i) });
      Atomics.store(gate, 1, 1);
      Atomics.notify(gate, 1);
      return { emitted: e.emitted, dropped: e.dropped };
    }`,
    { port: link.port, shared: link.shared, gate: gate.buffer },
    [link.port as unknown as Transferable],
  );
  await new Promise((r) => setTimeout(r, 200)); // let the worker load and wait on the gate
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  Atomics.wait(gate, 1, 0, 10_000); // the main thread is blocked: nothing is received meanwhile
  assert.deepEqual(await result, { emitted: 16, dropped: 984 });
  await feed.until(() => feed.of('detection').length === 16, 3000, '16 detections');
  assert.deepEqual(feed.of('detection').map((m) => m.data.message), Array.from({ length: 16 }, (_, i) => String(i)), 'the first 16, in order');
  assert.equal(sink.stats().droppedAtEmitters, 984);
  assert.equal(await metric(s, 'tablecast_detection_events_dropped_total', 'where="emitter"'), 984);
  await worker.terminate();
});

test('createDetectionEmitter over any postMessage target (main thread, no shared counters)', () => {
  const posted: unknown[] = [];
  const e = createDetectionEmitter({ postMessage: (m) => posted.push(m) });
  assert.equal(e.emit({ event_type: 'x' }), true);
  e.close();
  assert.equal(e.emit({ event_type: 'y' }), false, 'closed emitters drop');
  assert.equal(posted.length, 1);
  assert.throws(() => e.emit({ event_type: '' }), TypeError);
});
