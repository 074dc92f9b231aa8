// Whether a ball reached a cushion after the cue ball's contact (rail-contact.ts), against the
// physics' truth: seeded random layouts and shots (soft ones that stop short of every cushion,
// fast ones that bounce between two frames) simulated by @tablecast/physics, sampled at 30 fps with
// ~1.5 mm detection noise and missed detections, each through a real core; the truth is a
// `ball_cushion` event after the cue ball's first `ball_ball` event. The same shots check the
// shot's pocketed balls (game-events.ts: a fast ball last seen short of the mouth, a slow one
// dropping in after the others stopped) and, on breaks, the object balls driven to a cushion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTable, simulateShot, rackEightBall, powerToSpeed, BALL_RADIUS, type BallInput } from '@tablecast/physics';
import type { GameEvent } from '../../src/core/game-events.js';
import type { SimFrame } from '../../src/sources/simulator/simulator-session.js';
import { observe } from '../../src/sources/simulator/simulator-source.js';
import { createRng } from '../../src/sources/simulator/rng.js';
import { PipelineCore } from '../../src/loop/pipeline-core.js';
import { LEAVE_M, RailContact, type RailTrack } from '../../src/core/rail-contact.js';
import { FirstContact } from '../../src/core/first-contact.js';

const FPS = 30;
const table = createTable('9ft');
const numberOf = (id: string): number => (id === 'cue' ? 0 : Number(id));

/** One random shot: the layout, balls at least 3 cm clear of every cushion (none frozen to one). */
function randomShot(rng: ReturnType<typeof createRng>): { balls: BallInput[]; angleDeg: number; speed: number } {
  const clear = BALL_RADIUS + 0.03;
  const balls: BallInput[] = [];
  const count = 1 + Math.floor(rng.uniform(0, 5));
  while (balls.length < count + 1) {
    const x = rng.uniform(clear, table.width - clear);
    const y = rng.uniform(clear, table.height - clear);
    if (balls.some((b) => Math.hypot(b.x - x, b.y - y) < 3 * BALL_RADIUS)) continue;
    const id = balls.length === 0 ? 'cue' : String(balls.length * 2 - 1);
    balls.push({ id, number: numberOf(id), x, y });
  }
  const cue = balls[0]!;
  const target = balls[1 + Math.floor(rng.uniform(0, count))]!;
  const angleDeg = (Math.atan2(target.y - cue.y, target.x - cue.x) * 180) / Math.PI + rng.gaussian(0, 3);
  const u = rng.uniform(0, 1);
  return { balls, angleDeg, speed: 0.12 + 2.6 * u * u * u };
}

/** The shot through a fresh core: its `balls_stopped` event (null when the core saw none). */
function readShot(shot: { balls: BallInput[] }, noise: ReturnType<typeof createRng>, sim: ReturnType<typeof simulateShot>): GameEvent | null {
  let clockMs = 0;
  const core = new PipelineCore({ preset: '9ft', planner: { angleThresholdDeg: 0.5, positionThresholdM: 0.005, maxFps: FPS, now: () => clockMs } });
  let frameNumber = 0;
  let stopped: GameEvent | null = null;
  const feed = (balls: SimFrame['balls']) => {
    frameNumber++;
    clockMs += 1000 / FPS;
    const f: SimFrame = { time: frameNumber / FPS, phase: 'rolling', balls, cue: null, shots: 1, racks: 1 };
    for (const e of core.ingest(observe(f, frameNumber, frameNumber * 33_333, noise, 0.0015, 0.01)).events) {
      if (e.event === 'balls_stopped') stopped = e;
    }
  };
  const still = shot.balls.map((b) => ({ id: b.id, number: b.number!, x: b.x, y: b.y, moving: false }));
  for (let i = 0; i < 15; i++) feed(still);
  for (let t = 0; t <= sim.duration + 0.2; t += 1 / FPS) {
    feed(sim.positionsAt(t).filter((p) => !p.pocketed).map((p) => ({ id: p.id, number: numberOf(p.id), x: p.x, y: p.y, moving: p.moving })));
  }
  const rest = sim.final.filter((p) => !p.pocketed).map((p) => ({ id: p.id, number: numberOf(p.id), x: p.x, y: p.y, moving: false }));
  for (let i = 0; i < 15; i++) feed(rest);
  return stopped;
}

test('rail_after_contact agrees with the physics on every shot it says "no rail", and judges nearly all; each shot\'s pocketed balls are the physics\' ones', (t) => {
  const rng = createRng(1);
  const noise = createRng(1 ^ 0x5eed5eed);
  let hits = 0;
  let judged = 0;
  let noRailTruth = 0;
  let noRailRead = 0;
  let noRailJudged = 0;
  const falseFouls: string[] = [];
  const pocketMismatch: string[] = [];
  const missed: string[] = [];
  for (let n = 0; n < 600; n++) {
    const shot = randomShot(rng);
    const sim = simulateShot(table, shot.balls, 'cue', { angleDeg: shot.angleDeg, speed: shot.speed });
    const hit = sim.events.find((e) => e.type === 'ball_ball' && e.ballIds.includes('cue'));
    if (!hit) continue;
    hits++;
    const truth = sim.events.some((e) => e.type === 'ball_cushion' && e.time > hit.time);
    if (!truth) noRailTruth++;
    const stopped = readShot(shot, noise, sim);
    assert.ok(stopped, `shot ${n}: the core saw the shot end`);
    const read = stopped.rail_after_contact as boolean | undefined;
    const downRead = [...(stopped.pocketed as string[])].sort().join();
    const downTruth = [...sim.pocketed].sort().join();
    if (downRead !== downTruth) pocketMismatch.push(`shot ${n}: read [${downRead}], truth [${downTruth}]`);
    if (read === undefined) continue;
    judged++;
    if (!truth) noRailJudged++;
    if (!read) noRailRead++;
    const what = `shot ${n} (${shot.speed.toFixed(2)} m/s, ${shot.balls.length} balls)`;
    if (!read && truth) falseFouls.push(what);
    if (read && !truth) missed.push(what);
  }
  const summary = `${judged}/${hits} judged; truth "no rail" ${noRailTruth} (${noRailJudged} judged), read ${noRailRead}; false "no rail": ${falseFouls.join(', ') || 'none'}; "rail" read where none: ${missed.length}`;
  t.diagnostic(summary);
  assert.deepEqual(pocketMismatch, [], 'the shot\'s pocketed balls (balls_stopped.pocketed) are the physics\' ones');
  assert.ok(noRailTruth >= 30 && hits - noRailTruth >= 30, `both kinds of shot played: ${summary}`);
  assert.deepEqual(falseFouls, [], summary);
  assert.ok(judged >= hits * 0.9, summary);
  assert.ok(noRailRead >= noRailJudged * 0.75, `most shots without a rail are read so: ${summary}`);
});

test('balls_to_cushion on breaks: a break read as illegal (nothing down, fewer than four object balls to a cushion) is one in the physics', (t) => {
  const rng = createRng(4);
  const noise = createRng(4 ^ 0x5eed5eed);
  let illegalTruth = 0;
  let illegalRead = 0;
  let sameCount = 0;
  let breaks = 0;
  const wrong: string[] = [];
  for (let n = 0; n < 60; n++) {
    const balls = rackEightBall(table, () => rng.next()).map((b) => ({ id: b.id, number: b.number ?? numberOf(b.id), x: b.x, y: b.y }));
    const cue = balls.find((b) => b.id === 'cue')!;
    const apex = balls.filter((b) => b.id !== 'cue').reduce((a, b) => (Math.abs(b.x - table.footSpot.x) + Math.abs(b.y - table.footSpot.y) < Math.abs(a.x - table.footSpot.x) + Math.abs(a.y - table.footSpot.y) ? b : a));
    const angleDeg = (Math.atan2(apex.y - cue.y, apex.x - cue.x) * 180) / Math.PI + rng.gaussian(0, 0.5);
    const power = rng.uniform(0.12, 0.95);
    const sim = simulateShot(table, balls, 'cue', { angleDeg, speed: powerToSpeed(power) });
    const driven = new Set(sim.events.filter((e) => e.type === 'ball_cushion' && e.ballIds[0] !== 'cue').map((e) => e.ballIds[0]));
    const down = sim.pocketed.filter((id) => id !== 'cue').length;
    const stopped = readShot({ balls }, noise, sim);
    if (!stopped || typeof stopped.balls_to_cushion !== 'number') continue;
    breaks++;
    const read = stopped.balls_to_cushion;
    const readDown = (stopped.pocketed as string[]).filter((id) => id !== 'cue').length;
    const truthLegal = down > 0 || driven.size >= 4;
    const readLegal = readDown > 0 || read >= 4;
    if (!truthLegal) illegalTruth++;
    if (!readLegal) illegalRead++;
    if (read === driven.size) sameCount++;
    if (!readLegal && truthLegal) wrong.push(`break ${n} (power ${power.toFixed(2)}): read ${read} to a cushion, ${readDown} down; truth ${driven.size}, ${down} down`);
  }
  const summary = `${breaks} breaks; illegal in the physics ${illegalTruth}, read ${illegalRead}; count exact ${sameCount}; wrong: ${wrong.join('; ') || 'none'}`;
  t.diagnostic(summary);
  assert.ok(breaks >= 55 && illegalTruth >= 5, summary);
  assert.deepEqual(wrong, [], summary);
  assert.ok(illegalRead >= illegalTruth * 0.6, summary);
});

const track = (id: string, number: number, x: number, y: number, moving = false): RailTrack & { x: number; y: number } => ({ id, type: number === 0 ? 'cue' : number < 8 ? 'solid' : 'stripe', number, x, y, measuredX: x, measuredY: y, moving, missed: 0, radius: BALL_RADIUS });

test('RailContact: a frozen ball counts only after leaving the cushion; a cue ball\'s kick before the contact does not count', () => {
  const box = { width: 2.54, height: 1.27 };
  // The reading follows the shot's FirstContact, as the event detector drives them.
  const fc = new FirstContact();
  const reading = new RailContact();
  const rc = {
    begin: (ts: ReturnType<typeof track>[]) => {
      fc.begin(ts);
      reading.begin(ts, box, fc);
    },
    sample: (ts: ReturnType<typeof track>[]) => {
      fc.sample(ts);
      reading.sample(ts, fc);
    },
    end: (ts: ReturnType<typeof track>[]) => reading.end(ts),
  };
  // Ball 3 frozen to the top cushion (y = R): pushed along it, never leaving: no rail.
  const frozen = track('3', 3, 1.5, BALL_RADIUS + 0.001);
  rc.begin([track('cue', 0, 1.3, 0.3, true), frozen]);
  rc.sample([track('cue', 0, 1.4, 0.2, true), { ...frozen, moving: true }]);
  rc.sample([track('cue', 0, 1.45, 0.2, false), { ...frozen, measuredX: 1.6, moving: true }]);
  assert.equal(rc.end([track('cue', 0, 1.45, 0.2), { ...frozen, measuredX: 1.7 }]).afterContact, false, 'pushed along the cushion it was frozen to');
  // The same ball leaving the cushion by more than LEAVE_M and coming back: a rail.
  rc.begin([track('cue', 0, 1.3, 0.3, true), frozen]);
  rc.sample([track('cue', 0, 1.4, 0.2, true), { ...frozen, moving: true }]);
  rc.sample([track('cue', 0, 1.45, 0.2), { ...frozen, measuredY: BALL_RADIUS + LEAVE_M + 0.01, moving: true }]);
  rc.sample([track('cue', 0, 1.45, 0.2), { ...frozen, measuredY: BALL_RADIUS + 0.002, moving: true }]);
  assert.equal(rc.end([track('cue', 0, 1.45, 0.2), { ...frozen, measuredY: 0.1 }]).afterContact, true, 'left and came back');
  // The cue ball kicks off the bottom cushion, then rolls 10 frames before it reaches ball 5: the
  // kick came before the contact; nothing reaches a cushion after it.
  const five = track('5', 5, 1.0, 0.9);
  rc.begin([track('cue', 0, 1.0, 1.0, true), five]);
  rc.sample([track('cue', 0, 1.0, box.height - BALL_RADIUS - 0.002, true), five]);
  for (let k = 1; k <= 10; k++) rc.sample([track('cue', 0, 1.0, box.height - BALL_RADIUS - 0.02 * k, true), five]);
  rc.sample([track('cue', 0, 1.0, 0.97, true), { ...five, measuredY: 0.88, moving: true }]);
  rc.sample([track('cue', 0, 1.0, 0.97), { ...five, measuredY: 0.85, moving: true }]);
  assert.equal(rc.end([track('cue', 0, 1.0, 0.97), { ...five, measuredY: 0.8 }]).afterContact, false, 'a kick before the contact is no rail after it');
  // A fast object ball that bounces between two frames (never sampled near the cushion).
  rc.begin([track('cue', 0, 1.0, 0.6, true), five]);
  rc.sample([track('cue', 0, 1.0, 0.7, true), { ...five, measuredX: 2.3, moving: true }]);
  rc.sample([track('cue', 0, 1.0, 0.7), { ...five, measuredX: box.width - BALL_RADIUS - 0.03, moving: true }]);
  rc.sample([track('cue', 0, 1.0, 0.7), { ...five, measuredX: box.width - BALL_RADIUS - 0.06, moving: true }]);
  assert.equal(rc.end([track('cue', 0, 1.0, 0.7), { ...five, measuredX: 2.2 }]).afterContact, true, 'the turn 3 cm from the cushion, in 4 cm steps');
  // The cue ball did not start the shot: not judged.
  rc.begin([track('cue', 0, 1.0, 0.6), { ...five, moving: true }]);
  assert.equal(rc.end([track('cue', 0, 1.0, 0.6), five]).afterContact, undefined);
});
