// Core of the pipeline on the main thread: validation, game state, events, trajectory, state
// publishing — driven through the real IntegrationLoop with an in-test recording StreamPublisher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createTable } from '@tablecast/physics';
import { FrameHub } from '../../src/frames/frame-hub.js';
import type { Detection, DetectedBall, DetectedCue } from '../../src/core/detection.js';
import { PipelineCore } from '../../src/loop/pipeline-core.js';
import { IntegrationLoop, type DetectionFeed } from '../../src/loop/integration-loop.js';
import { StreamSender } from '../../src/loop/stream-sender.js';
import { CircuitBreaker } from '@tablecast/common';
import { RecordingPort } from '../helpers/ports.js';
import { createPipelineMetrics } from '../../src/metrics/pipeline-metrics.js';
import { validateDetection, DEFAULT_LIMITS } from '../../src/core/detection-validator.js';
import { InlineTrajectoryRunner, type TrajectoryResult, type TrajectoryRunner } from '../../src/trajectory/trajectory-runner.js';
import type { PlanRequest } from '../../src/trajectory/trajectory-planner.js';

const R = 0.028575;
const table = createTable('9ft');


class ArrayFeed implements DetectionFeed {
  queue: Detection[] = [];
  take(): Detection[] {
    return this.queue.splice(0);
  }
  dropped(): number {
    return 0;
  }
}

function rig(opts: { heartbeatS?: number; maxFps?: number; now?: () => number; trajectory?: TrajectoryRunner } = {}) {
  const publisher = new RecordingPort();
  const registry = new Registry();
  const metrics = createPipelineMetrics(registry);
  const log = pino({ level: 'silent' });
  const breaker = new CircuitBreaker({ failureThreshold: 10, timeoutS: 30 });
  const sender = new StreamSender(publisher, breaker, metrics, log, { retry: { maxRetries: 0, initialDelayS: 0.1, backoffMultiplier: 2 } });
  const core = new PipelineCore({
    preset: '9ft',
    planner: { angleThresholdDeg: 0.5, positionThresholdM: 0.005, maxFps: opts.maxFps ?? 1000, costFactor: 0, ...(opts.now ? { now: opts.now } : {}) },
  });
  const feed = new ArrayFeed();
  const frames = new FrameHub();
  const loop = new IntegrationLoop(core, feed, sender, publisher, frames, metrics, log, {
    targetFps: 30,
    stateChangeThresholdM: 0.002,
    stateHeartbeatS: opts.heartbeatS ?? 1,
    ...(opts.trajectory ? { trajectory: opts.trajectory } : {}),
  });
  return { publisher, registry, core, feed, loop, sender, frames };
}

/** A still 3-ball layout: cue at (0.6, 0.635), ball 1 and 2. */
function balls(over: Partial<Record<string, Partial<DetectedBall>>> = {}): DetectedBall[] {
  const base: DetectedBall[] = [
    { id: 'cue', number: 0, x: 0.6, y: 0.635, radius: R, confidence: 0.95 },
    { id: '1', number: 1, x: 1.8, y: 0.6, radius: R, confidence: 0.95 },
    { id: '2', number: 2, x: 2.0, y: 0.9, radius: R, confidence: 0.95 },
  ];
  return base.filter((b) => over[b.id!] !== null).map((b) => ({ ...b, ...(over[b.id!] ?? {}) }));
}

let frameNo = 0;
const t0 = 1_800_000_000_000_000;
function det(bs: DetectedBall[], cue: DetectedCue | null = null, extra: Partial<Detection> = {}): Detection {
  frameNo++;
  return { frameNumber: frameNo, captureTimestampMicros: t0 + Math.round((frameNo * 1e6) / 30), balls: bs, cue, ...extra };
}

test('validation rejects NaN, off-table, duplicate ids and impossible radii, and never publishes them', async () => {
  const limits = { ...DEFAULT_LIMITS, width: table.width, height: table.height };
  const bad: DetectedBall[] = [
    { id: 'cue', number: 0, x: 0.6, y: 0.6, radius: R, confidence: 0.9 },
    { id: 'nan', x: Number.NaN, y: 0.5, radius: R, confidence: 0.9 },
    { id: 'off', x: table.width + 0.2, y: 0.5, radius: R, confidence: 0.9 },
    { id: 'cue', number: 0, x: 1.0, y: 0.6, radius: R, confidence: 0.9 },
    { id: 'big', x: 1.2, y: 0.6, radius: 0.08, confidence: 0.9 },
    { id: 'tiny', x: 1.3, y: 0.6, radius: 0.01, confidence: 0.9 },
  ];
  const r = validateDetection(det(bad), limits);
  assert.deepEqual(r.rejections.map((x) => x.reason).sort(), ['bad_radius', 'bad_radius', 'duplicate_id', 'nan', 'off_table']);
  assert.deepEqual(r.detection!.balls.map((b) => b.id), ['cue']);
  assert.equal(validateDetection({ ...det([]), captureTimestampMicros: Number.NaN }, limits).detection, null);

  const { publisher, feed, loop, sender, registry } = rig();
  feed.queue.push(det(bad));
  loop.tick();
  await sender.flush();
  const states = publisher.on('state');
  assert.equal(states.length, 1);
  const ids = (states[0]!.balls as { id: string; position: { x: number } }[]).map((b) => b.id);
  assert.deepEqual(ids, ['cue']);
  const json = JSON.stringify(publisher.published);
  assert.ok(!json.includes('null,"y"') && !json.includes('"off"') && !json.includes('"big"'), 'rejected balls never published');
  const alerts = publisher.on('alert');
  assert.equal(alerts.length, 1, 'one (rate-limited) alert');
  assert.equal(alerts[0]!.code, 'VALIDATION_REJECTED');
  const metric = await registry.getSingleMetric('tablecast_validation_rejects_total')!.get();
  const byReason = Object.fromEntries(metric.values.map((v) => [v.labels.reason, v.value]));
  assert.deepEqual(byReason, { nan: 1, off_table: 1, duplicate_id: 1, bad_radius: 2 });
  // A second bad frame right away is counted but not alerted again (rate limit 10 s).
  feed.queue.push(det(bad));
  loop.tick();
  await sender.flush();
  assert.equal(publisher.on('alert').length, 1);
});

test('state: published on change beyond the threshold, heartbeat only while subscribed, capture_timestamp carried', async () => {
  const { publisher, feed, loop, sender } = rig({ heartbeatS: 0.1 });
  feed.queue.push(det(balls()));
  loop.tick();
  // 1 mm jitter: below the 2 mm threshold -> no publish.
  for (let i = 0; i < 5; i++) {
    feed.queue.push(det(balls({ '1': { x: 1.8 + (i % 2 ? 0.001 : -0.001) } })));
    loop.tick();
  }
  await sender.flush();
  assert.equal(publisher.on('state').length, 1);
  const s0 = publisher.on('state')[0]!;
  assert.match(String(s0.capture_timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  assert.equal(s0.ball_count, 3);
  const ball = (s0.balls as Record<string, unknown>[])[0]!;
  for (const k of ['id', 'number', 'type', 'position', 'velocity', 'radius', 'is_moving', 'is_pocketed', 'confidence', 'track_id', 'last_update']) assert.ok(k in ball, k);
  assert.deepEqual((ball.position as { scale: number[] }).scale, [1, 1]);
  // No subscribers: no heartbeat even after the interval.
  await new Promise((r) => setTimeout(r, 120));
  loop.tick();
  await sender.flush();
  assert.equal(publisher.on('state').length, 1);
  publisher.subscribers = 1;
  loop.tick();
  await sender.flush();
  assert.equal(publisher.on('state').length, 2, 'heartbeat while subscribed');
  loop.tick();
  await sender.flush();
  assert.equal(publisher.on('state').length, 2, 'no second heartbeat within the interval');
  // A real move (1 cm) publishes within a few frames (a still ball's position is smoothed).
  for (let i = 0; i < 5; i++) {
    feed.queue.push(det(balls({ '1': { x: 1.81 } })));
    loop.tick();
  }
  await sender.flush();
  assert.equal(publisher.on('state').length, 3);
});

test('events: game_started, cue_detected/lost, shot_started, ball_pocketed, scratch, balls_stopped (debounced)', async () => {
  const { publisher, feed, loop, sender } = rig();
  const rack: DetectedBall[] = [{ id: 'cue', number: 0, x: 0.6, y: 0.635, radius: R, confidence: 0.95 }];
  for (let n = 1; n <= 15; n++) rack.push({ id: String(n), number: n, x: 1.9 + 0.06 * Math.floor((n - 1) / 5), y: 0.45 + 0.06 * ((n - 1) % 5), radius: R, confidence: 0.95 });
  const step = (bs: DetectedBall[], cue: DetectedCue | null = null) => {
    feed.queue.push(det(bs, cue));
    loop.tick();
  };
  // Still rack with 1.5 mm noise for 20 frames, one missed detection: no shot, no pocketing.
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.005;
  for (let i = 0; i < 20; i++) step(rack.filter((b, k) => !(i === 5 && k === 3)).map((b) => ({ ...b, x: b.x + noise(), y: b.y + noise() })));
  const cue: DetectedCue = { tipX: 0.5, tipY: 0.635, angleDeg: 0, length: 1.45, confidence: 0.9 };
  for (let i = 0; i < 5; i++) step(rack, cue);
  // Strike: the cue ball runs at 3 m/s towards the top-left corner... then vanishes there (scratch),
  // ball 1 rolls into the bottom-right corner.
  const pockets = table.pockets;
  const tl = pockets.reduce((a, p) => (p.x + p.y < a.x + a.y ? p : a));
  const br = pockets.reduce((a, p) => (p.x + p.y > a.x + a.y ? p : a));
  let cb = { x: 0.6, y: 0.635 };
  let b1 = { x: rack[1]!.x, y: rack[1]!.y };
  for (let i = 0; i < 12; i++) {
    cb = { x: cb.x + (tl.x - cb.x) * 0.25, y: cb.y + (tl.y - cb.y) * 0.25 };
    b1 = { x: b1.x + (br.x - b1.x) * 0.2, y: b1.y + (br.y - b1.y) * 0.2 };
    step(rack.map((b) => (b.id === 'cue' ? { ...b, ...cb } : b.id === '1' ? { ...b, ...b1 } : b)), null);
  }
  const rest = rack.filter((b) => b.id !== 'cue' && b.id !== '1');
  for (let i = 0; i < 20; i++) step(rest);
  await sender.flush();
  const evs = publisher.on('event');
  const names = evs.map((e) => e.event);
  assert.deepEqual(names.filter((n) => n === 'game_started').length, 1, names.join());
  assert.equal(names[0], 'game_started');
  for (const n of ['cue_detected', 'shot_started', 'cue_lost', 'ball_pocketed', 'scratch', 'balls_stopped']) assert.ok(names.includes(n), `${n} in ${names.join()}`);
  assert.equal(names.filter((n) => n === 'shot_started').length, 1, 'noise and a missed frame do not start shots');
  assert.equal(names.filter((n) => n === 'balls_stopped').length, 1);
  const pocketed = evs.filter((e) => e.event === 'ball_pocketed').map((e) => e.ball_id).sort();
  assert.deepEqual(pocketed, ['1', 'cue']);
  const scratch = evs.find((e) => e.event === 'scratch')!;
  assert.equal(scratch.ball_id, 'cue');
  assert.ok(names.indexOf('shot_started') < names.indexOf('ball_pocketed'));
  assert.ok(names.indexOf('ball_pocketed') < names.indexOf('balls_stopped'));
  const stopped = evs.find((e) => e.event === 'balls_stopped')!;
  assert.deepEqual([...(stopped.pocketed as string[])].sort(), ['1', 'cue']);
  for (const e of evs) assert.equal(typeof e.frame_number, 'number');
  // The shot as a replay: the layout at the strike; paths for the two balls that moved (the cue
  // ball's ends where it dropped), none for the still ones; samples every 0.1 s of capture time.
  const replay = stopped.replay as { interval_s: number; layout: { id: string; x: number }[]; paths: Record<string, [number, number][]> };
  assert.equal(replay.interval_s, 0.1);
  assert.equal(replay.layout.length, 16);
  assert.deepEqual(Object.keys(replay.paths).sort(), ['1', 'cue']);
  assert.ok(replay.paths.cue!.length >= 3 && replay.paths['1']!.length >= 3, 'several samples over the 0.4 s of motion');
  const end = replay.paths.cue!.at(-1)!;
  assert.ok(Math.hypot(end[0] - tl.x, end[1] - tl.y) < 0.15, `the cue ball's path ends at the pocket it dropped into (${end})`);
  // The game: a scratch is a foul, the turn passes, the solid went down but no group is taken.
  const shot = stopped.shot as { shooter: number; foul: boolean; turn_kept: boolean; pocketed: number[] };
  assert.deepEqual({ shooter: shot.shooter, foul: shot.foul, turn_kept: shot.turn_kept, pocketed: [...shot.pocketed].sort() }, { shooter: 0, foul: true, turn_kept: false, pocketed: [0, 1] });
  const foul = evs.find((e) => e.event === 'foul')!;
  assert.equal(foul.player, 0);
  const game = publisher.on('state').at(-1)!.game as { turn: number; players: { fouls: number; group: string | null }[]; balls_left: { solids: number; stripes: number; eight: boolean } };
  assert.equal(game.turn, 1, 'player 2 to shoot');
  assert.deepEqual(game.players.map((p) => [p.fouls, p.group]), [[1, null], [0, null]]);
  assert.deepEqual(game.balls_left, { solids: 6, stripes: 7, eight: true });
});

test('trajectory: published when aimed and still, only on real aim change, and throttled', async () => {
  let clock = 0;
  const { publisher, feed, loop, sender, core } = rig({ maxFps: 10, now: () => clock });
  const aim = (angleDeg: number, tipX = 0.5): DetectedCue => ({ tipX, tipY: 0.635, angleDeg, length: 1.45, confidence: 0.9 });
  const step = (cue: DetectedCue | null) => {
    feed.queue.push(det(balls(), cue));
    loop.tick();
  };
  for (let i = 0; i < 6; i++) step(null); // let the tracks settle (velocity window)
  step(aim(0));
  await sender.flush();
  assert.equal(publisher.on('trajectory').length, 1, 'first aim computes');
  const tr = publisher.on('trajectory')[0]!;
  assert.equal(tr.ball_id, 'cue');
  assert.ok(Array.isArray(tr.lines) && (tr.lines as unknown[]).length > 0);
  assert.equal(typeof tr.calculation_time_ms, 'number');
  // Wobble below 0.5 degrees and tip jitter below 5 mm: no recompute, even with time passing.
  for (let i = 0; i < 10; i++) {
    clock += 1000;
    step({ ...aim(i % 2 ? 0.3 : -0.3), tipX: 0.5 + (i % 2 ? 0.002 : -0.002) });
  }
  await sender.flush();
  assert.equal(publisher.on('trajectory').length, 1, 'no recompute without a real change');
  assert.ok(core.planner.stats.unchanged >= 10);
  // Real changes every frame but the clock advances 20 ms per frame: at most 10 per second.
  const computedBefore = core.planner.stats.computed;
  const publishedBefore = publisher.on('trajectory').length;
  for (let i = 1; i <= 50; i++) {
    clock += 20;
    step(aim(i * 2));
    await sender.flush();
  }
  const n = core.planner.stats.computed - computedBefore;
  assert.equal(publisher.on('trajectory').length - publishedBefore, n, 'every computed trajectory is published');
  assert.ok(n >= 9 && n <= 11, `~10 recomputes in 1 s at maxFps 10 (got ${n}, tolerance +-1)`);
  assert.ok(core.planner.stats.throttled > 30);
  // Balls moving: no trajectory (the first frame of a motion is not yet known as motion: +1 allowed).
  const before = publisher.on('trajectory').length;
  for (let i = 0; i < 8; i++) {
    clock += 200;
    feed.queue.push(det(balls({ cue: { x: 0.6 + 0.05 * (i + 1) } }), aim(90 + i)));
    loop.tick();
  }
  await sender.flush();
  assert.ok(publisher.on('trajectory').length <= before + 1, 'no trajectories while balls move');
  assert.equal(core.state.anyMoving(), true);
});

/** A runner whose predictions complete when the test says so (computed inline, released later). */
class HeldRunner implements TrajectoryRunner {
  readonly held: { req: PlanRequest; release: () => void }[] = [];
  private readonly inline = new InlineTrajectoryRunner();
  run(req: PlanRequest): Promise<TrajectoryResult> {
    return new Promise((resolve, reject) => {
      this.held.push({ req, release: () => void this.inline.run(req).then(resolve, reject) });
    });
  }
  async close(): Promise<void> {}
}

test('trajectory off the loop: state never waits for it, one prediction in flight, stale results dropped, later aims not lost', async () => {
  const runner = new HeldRunner();
  const { publisher, feed, loop, sender, core } = rig({ maxFps: 1000, trajectory: runner });
  const aim = (angleDeg: number): DetectedCue => ({ tipX: 0.5, tipY: 0.635, angleDeg, length: 1.45, confidence: 0.9 });
  const step = (cue: DetectedCue | null, bs = balls()) => {
    feed.queue.push(det(bs, cue));
    loop.tick();
  };
  const settle = async () => {
    await sender.flush();
    await new Promise((r) => setImmediate(r));
    await sender.flush();
  };
  for (let i = 0; i < 6; i++) step(null);
  step(aim(0));
  assert.equal(runner.held.length, 1, 'aimed and still: one prediction requested');
  assert.equal(core.planner.busy, true);
  // While it computes: frames keep flowing and their state is published; a new aim is not requested yet.
  const statesBefore = publisher.on('state').length;
  step({ ...aim(10), tipX: 0.45 });
  step({ ...aim(10), tipX: 0.45 });
  await settle();
  assert.ok(publisher.on('state').length > statesBefore, 'state published while the prediction runs');
  assert.equal(runner.held.length, 1, 'one prediction in flight at most');
  assert.equal(publisher.on('trajectory').length, 0);
  runner.held[0]!.release();
  await settle();
  assert.equal(publisher.on('trajectory').length, 1, 'the finished prediction is published');
  // The aim that changed during the computation is requested on the next frame.
  step({ ...aim(10), tipX: 0.45 });
  assert.equal(runner.held.length, 2, 'the changed aim is computed next');
  assert.ok(Math.abs(runner.held[1]!.req.shot.angleDeg - 10) < 1e-9);
  // The balls start moving before it completes: the result no longer applies and is dropped.
  for (let i = 0; i < 4; i++) step(null, balls({ cue: { x: 0.6 + 0.05 * (i + 1) } }));
  assert.equal(core.state.anyMoving(), true);
  runner.held[1]!.release();
  await settle();
  assert.equal(publisher.on('trajectory').length, 1, 'a stale prediction is not published');
  assert.equal(core.planner.stats.stale, 1);
  assert.equal(core.planner.busy, false);
});

test('performance: published once per interval with fps, frame time, cpu, memory, status', async () => {
  const { publisher, feed, loop, sender } = rig();
  const start = performance.now();
  while (performance.now() - start < 1100) {
    feed.queue.push(det(balls()));
    loop.tick();
    await new Promise((r) => setTimeout(r, 30));
  }
  await sender.flush();
  const perf = publisher.on('performance');
  assert.equal(perf.length, 1);
  const p = perf[0]!;
  for (const k of ['fps', 'target_fps', 'frame_time_ms', 'cpu_percent', 'memory_mb', 'status', 'bottlenecks']) assert.ok(k in p, k);
  assert.ok((p.fps as number) > 15 && (p.fps as number) < 40, `fps ~30 (got ${p.fps}, tolerance 15..40)`);
  assert.ok((p.frame_time_ms as number) < 5, `frame time under 5 ms (got ${p.frame_time_ms})`);
  assert.ok((p.memory_mb as number) > 10);
});
