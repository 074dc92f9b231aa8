// The trajectory worker thread: same predictions as inline physics, errors answered per request,
// a dead thread restarted, and inline computing after too many deaths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { readdirSync, readFileSync } from 'node:fs';
import pino from 'pino';
import { TrajectoryWorker } from '../../src/trajectory/trajectory-worker.js';
import { InlineTrajectoryRunner } from '../../src/trajectory/trajectory-runner.js';
import type { PlanRequest } from '../../src/trajectory/trajectory-planner.js';

let nextId = 1;
function request(angleDeg: number, cueBallId = 'cue'): PlanRequest {
  return {
    id: nextId++,
    table: { preset: '9ft', width: 2.54, height: 1.27 },
    balls: [
      { id: 'cue', number: 0, x: 0.6, y: 0.635 },
      { id: '1', number: 1, x: 1.8, y: 0.6 },
      { id: '2', number: 2, x: 2.0, y: 0.9 },
    ],
    cueBallId,
    shot: { angleDeg, speed: 2.5 },
    maxEvents: 40,
    maxTime: 5,
  };
}

/** Kills the runner's current thread from outside (what a crash in the thread looks like). */
async function killThread(runner: TrajectoryWorker): Promise<void> {
  const w = (runner as unknown as { worker: Worker | null }).worker;
  assert.ok(w, 'a thread is running');
  await w.terminate();
}

test('trajectory worker: the same predictions as inline physics, computed in another thread', async (t) => {
  const runner = new TrajectoryWorker(pino({ level: 'silent' }));
  t.after(() => runner.close());
  runner.start();
  const inline = new InlineTrajectoryRunner();
  for (const angle of [-1.5, 0, 20, 135]) {
    const req = request(angle);
    const [a, b] = await Promise.all([runner.run(req), inline.run(req)]);
    const { calculation_time_ms: _a, ...pa } = a.payload;
    const { calculation_time_ms: _b, ...pb } = b.payload;
    assert.deepEqual(pa, pb, `angle ${angle}`);
    assert.ok(a.ms > 0 && a.ms < 1000);
    assert.ok(a.payload.lines.length > 0);
  }
  assert.deepEqual(runner.health(), { mode: 'worker', restarts: 0, pending: 0 });
  if (process.platform === 'linux') {
    // The prediction thread runs at nice 10 (field 19 of /proc/PID/task/TID/stat), the main thread at 0.
    const nice = readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
    assert.ok(nice.includes(10), `a thread at nice 10 (${nice.join(',')})`);
    assert.equal(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[16]), 0, 'main thread unchanged');
  }
});

test('trajectory worker: a request physics rejects is answered with its error; the thread keeps serving', async (t) => {
  const runner = new TrajectoryWorker(pino({ level: 'silent' }));
  t.after(() => runner.close());
  await assert.rejects(runner.run(request(0, 'no-such-ball')), /no-such-ball|cue ball/i);
  const ok = await runner.run(request(5));
  assert.ok(ok.payload.lines.length > 0);
  assert.equal(runner.health().restarts, 0);
});

test('trajectory worker: a dead thread fails its pending request, restarts, and after too many deaths computes inline', async (t) => {
  const runner = new TrajectoryWorker(pino({ level: 'silent' }), 1);
  t.after(() => runner.close());
  await runner.run(request(0));
  const pending = runner.run(request(1));
  await killThread(runner);
  await assert.rejects(pending, /exited/);
  const again = await runner.run(request(2));
  assert.ok(again.payload.lines.length > 0, 'restarted on the next request');
  assert.equal(runner.health().restarts, 1);
  await killThread(runner);
  await new Promise((r) => setImmediate(r));
  assert.equal(runner.health().mode, 'inline', 'maxRestarts 1 exceeded');
  const inline = await runner.run(request(3));
  assert.ok(inline.payload.lines.length > 0, 'still predicting, inline');
  await runner.close();
  await assert.rejects(runner.run(request(4)), /closed/);
});

test('trajectory worker: closed, then started again (pipeline stop and start), it predicts again', async (t) => {
  const runner = new TrajectoryWorker(pino({ level: 'silent' }));
  t.after(() => runner.close());
  runner.start();
  assert.ok((await runner.run(request(0))).payload.lines.length > 0);
  await runner.close();
  await assert.rejects(runner.run(request(1)), /closed/);
  runner.start();
  assert.ok((await runner.run(request(2))).payload.lines.length > 0, 'after start, a new thread serves');
  assert.equal(runner.health().mode, 'worker');
});
