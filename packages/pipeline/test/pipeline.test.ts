// The simulator: believable, deterministic detections (in-process, virtual time) and the real
// pipeline running it in a worker with JPEG frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createTable } from '@tablecast/physics';
import { FrameHub } from '../src/frames/frame-hub.js';
import { RecordingPort, pipelineConfig } from './helpers/ports.js';
import { SimulatorSession, type SimFrame } from '../src/sources/simulator/simulator-session.js';
import { observe } from '../src/sources/simulator/simulator-source.js';
import { createRng } from '../src/sources/simulator/rng.js';
import { createPipeline } from '../src/pipeline.js';

const FPS = 30;

function run(seed: number, seconds: number): { truth: SimFrame[]; dets: ReturnType<typeof observe>[] } {
  const session = new SimulatorSession(createTable('9ft'), createRng(seed));
  const noise = createRng(seed ^ 0x5eed5eed);
  const truth: SimFrame[] = [];
  const dets: ReturnType<typeof observe>[] = [];
  for (let i = 1; i <= seconds * FPS; i++) {
    const f = session.step(1 / FPS);
    truth.push(f);
    dets.push(observe(f, i, i * 33_333, noise, 0.0015, 0.01));
  }
  return { truth, dets };
}

test('simulator: 16 racked balls, ~1.5 mm noise, misses and confidences; cue approaches, aims, strikes; balls move then stop', () => {
  const { truth, dets } = run(3, 40);
  // Rack: 16 balls with the cue ball and 1..15.
  assert.equal(truth[0]!.balls.length, 16);
  assert.deepEqual(truth[0]!.balls.map((b) => b.number).sort((a, b) => a - b), [...Array(16).keys()]);
  // Noise: still frames before the break, per-coordinate error vs truth.
  const errs: number[] = [];
  let seen = 0;
  let possible = 0;
  for (let i = 0; i < 90; i++) {
    const t = truth[i]!;
    possible += t.balls.length;
    for (const b of dets[i]!.balls) {
      const tb = t.balls.find((x) => x.id === b.id)!;
      errs.push(b.x - tb.x, b.y - tb.y);
      seen++;
      assert.ok(b.confidence > 0.5 && b.confidence < 1);
      assert.ok(Math.abs(b.radius - 0.028575) < 0.002);
    }
  }
  const sd = Math.sqrt(errs.reduce((s, e) => s + e * e, 0) / errs.length);
  assert.ok(sd > 0.0013 && sd < 0.0017, `noise sd ${sd} m ~ 1.5 mm (tolerance 0.2 mm)`);
  const missRate = 1 - seen / possible;
  assert.ok(missRate > 0.002 && missRate < 0.03, `missed detections ${missRate} ~ 1 % (tolerance 0.2..3 %)`);
  // The cue: first absent, then approaching (distance to the cue ball shrinks), aiming with wobble
  // under 0.5 degrees, a pause, the stroke, then the balls move.
  const phases = truth.map((f) => f.phase);
  const order = ['idle', 'approach', 'aim', 'pause', 'stroke', 'rolling', 'settle'];
  let k = 0;
  for (const p of phases) if (p === order[k + 1]) k++;
  assert.equal(k, order.length - 1, `phases in order: ${[...new Set(phases)].join(' ')}`);
  const cueBallAt = (f: SimFrame) => f.balls.find((b) => b.id === 'cue')!;
  const dist = (f: SimFrame) => Math.hypot(f.cue!.tipX - cueBallAt(f).x, f.cue!.tipY - cueBallAt(f).y);
  const approach = truth.filter((f) => f.phase === 'approach');
  assert.ok(dist(approach[0]!) > dist(approach[approach.length - 1]!) + 0.2, 'the cue approaches');
  const firstShot = truth.slice(0, truth.findIndex((f) => f.phase === 'rolling'));
  const aim = firstShot.filter((f) => f.phase === 'aim').map((f) => f.cue!.angleDeg);
  const spread = Math.max(...aim) - Math.min(...aim);
  assert.ok(spread > 0.05 && spread < 1, `aim wobble ${spread} deg`);
  assert.equal(truth.find((f) => f.phase === 'idle')!.cue, null);
  const rolling = truth.filter((f) => f.phase === 'rolling');
  assert.ok(rolling.some((f) => f.balls.some((b) => b.moving)), 'balls move after the strike');
  const settle = truth.find((f) => f.phase === 'settle')!;
  assert.ok(settle.balls.every((b) => !b.moving), 'and stop');
  assert.ok(truth[truth.length - 1]!.shots >= 2, 'several shots in 40 s');
  assert.ok(dets.some((d) => d.cue && d.cue.power !== undefined && d.cue.confidence > 0.5));
});

test('simulator: balls never teleport and pocketed balls stay down (the settle phase shows where they stopped)', () => {
  const { truth } = run(7, 90);
  // Fastest physical motion: 8 m/s (break) -> 0.27 m per 1/30 s frame; allow 0.3 m. A re-rack and
  // the cue-ball respot after a scratch are the only legitimate jumps.
  let checked = 0;
  for (let i = 1; i < truth.length; i++) {
    const a = truth[i - 1]!;
    const b = truth[i]!;
    if (b.racks !== a.racks) continue;
    const prev = new Map(a.balls.map((x) => [x.id, x]));
    for (const ball of b.balls) {
      const p = prev.get(ball.id);
      if (!p) {
        assert.equal(ball.id, 'cue', `frame ${i}: ball ${ball.id} reappeared (${a.phase} -> ${b.phase})`);
        continue;
      }
      if (ball.id === 'cue' && a.phase !== b.phase && b.phase === 'idle') continue; // respot after a scratch
      const d = Math.hypot(ball.x - p.x, ball.y - p.y);
      assert.ok(d <= 0.3, `frame ${i}: ball ${ball.id} jumped ${d.toFixed(3)} m (${a.phase} -> ${b.phase}); tolerance 0.3 m`);
      checked++;
    }
  }
  assert.ok(checked > 1000 && truth[truth.length - 1]!.shots >= 3, `checked ${checked} ball steps over several shots`);
});

test('simulator: deterministic from the seed', () => {
  const a = run(11, 8).dets;
  const b = run(11, 8).dets;
  const c = run(12, 8).dets;
  assert.deepEqual(a.map((d) => d.balls), b.map((d) => d.balls));
  assert.notDeepEqual(a.map((d) => d.balls), c.map((d) => d.balls));
});

test('simulator: re-racks after N shots or a cleared table, respots the cue ball after a scratch', () => {
  const session = new SimulatorSession(createTable('9ft'), createRng(5), { maxShotsPerRack: 3, paceFactor: 4 });
  let racks = 1;
  let sawRespot = false;
  let prevCue = true;
  for (let i = 0; i < 200 * FPS && racks < 3; i++) {
    const f = session.step(1 / FPS);
    racks = f.racks;
    const hasCue = f.balls.some((b) => b.id === 'cue');
    if (!prevCue && hasCue && f.phase !== 'rolling') {
      const cb = f.balls.find((b) => b.id === 'cue')!;
      assert.ok(cb.x < createTable('9ft').headStringX, 'respotted behind the head string');
      sawRespot = true;
    }
    if (f.phase !== 'rolling') prevCue = hasCue;
  }
  assert.ok(racks >= 3, `re-racked (racks ${racks})`);
  void sawRespot; // a scratch depends on the seed; the respot position is asserted when one happens
});


test('pipeline with the simulator in a worker: states, events, trajectories and JPEG frames', async () => {
  const publisher = new RecordingPort();
  publisher.subscribers = 1;
  const frames = new FrameHub();
  const config = pipelineConfig({ source: { spec: 'simulator', seed: 2, frames: true, jpeg_quality: 60 }, integration: { target_fps: 30 } });
  const pipeline = createPipeline({ publisher, frames, registry: new Registry(), log: pino({ level: 'silent' }), config });
  const release = frames.acquire(); // a video viewer: frames are rendered on demand
  await pipeline.start();
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline && !publisher.on('event').some((e) => e.event === 'shot_started')) await new Promise((r) => setTimeout(r, 50));
  const h = pipeline.health();
  // The viewer leaves: the simulator stops rendering (detections go on).
  release();
  await new Promise((r) => setTimeout(r, 300));
  const afterRelease = frames.count();
  const statesBefore = publisher.counts.get('state') ?? 0;
  await new Promise((r) => setTimeout(r, 700));
  const framesWithoutViewer = frames.count() - afterRelease;
  const statesWithoutViewer = (publisher.counts.get('state') ?? 0) - statesBefore;
  await pipeline.stop();
  assert.equal(framesWithoutViewer, 0, 'no frames rendered without a viewer');
  assert.ok(statesWithoutViewer > 5, `detections continue without a viewer (${statesWithoutViewer} states)`);
  assert.equal(h.source.status, 'running');
  assert.ok(h.loop.frames > 30, `frames ${h.loop.frames}`);
  assert.ok((publisher.counts.get('state') ?? 0) > 10);
  const names = publisher.on('event').map((e) => e.event);
  assert.ok(names.includes('game_started') && names.includes('cue_detected') && names.includes('shot_started'), names.join());
  assert.ok((publisher.counts.get('trajectory') ?? 0) >= 1, 'a trajectory while aiming');
  assert.equal(h.trajectory.mode, 'worker', 'predictions computed in the trajectory worker thread');
  assert.ok(h.trajectory.computed >= 1 && h.trajectory.failed === 0, JSON.stringify(h.trajectory));
  const f = frames.latest();
  assert.ok(f, 'JPEG frames reach the FrameHub');
  assert.equal(f.width, 960);
  assert.equal(f.height, 540);
  assert.equal(f.jpeg[0], 0xff);
  assert.equal(f.jpeg[1], 0xd8, 'JPEG SOI marker');
  assert.ok(f.jpeg.length > 5000 && f.jpeg.length < 300_000, `jpeg ${f.jpeg.length} bytes`);
  assert.ok(frames.count() > 20);
  const state = pipeline.tableState()!;
  assert.ok(state.balls.length >= 14 && state.balls.length <= 16);
  assert.ok(pipeline.calibration()!.pockets.length === 6);
});

test('pipeline stopped and started again (system/stop, system/start): trajectories and on-demand frames come back', async () => {
  const publisher = new RecordingPort();
  publisher.subscribers = 1;
  const frames = new FrameHub();
  const config = pipelineConfig({ source: { spec: 'simulator', seed: 2, frames: true }, integration: { target_fps: 30 } });
  const pipeline = createPipeline({ publisher, frames, registry: new Registry(), log: pino({ level: 'silent' }), config });
  const until = async (what: string, ok: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !ok()) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ok(), what);
  };
  const release = frames.acquire();
  try {
    await pipeline.start();
    await until('a trajectory in the first run', () => (publisher.counts.get('trajectory') ?? 0) >= 1);
    await pipeline.stop();
    const trajectories = publisher.counts.get('trajectory') ?? 0;
    const framesBefore = frames.count();
    const statesBefore = publisher.counts.get('state') ?? 0;
    await pipeline.start();
    await until('states published after the restart', () => (publisher.counts.get('state') ?? 0) > statesBefore + 10);
    await until('a trajectory after the restart', () => (publisher.counts.get('trajectory') ?? 0) > trajectories);
    await until('frames after the restart (a viewer still holds demand)', () => frames.count() > framesBefore);
    const h = pipeline.health();
    assert.equal(h.trajectory.mode, 'worker');
    assert.equal(h.trajectory.failed, 0, 'no prediction failed across the restart');
  } finally {
    release();
    await pipeline.stop();
  }
});
