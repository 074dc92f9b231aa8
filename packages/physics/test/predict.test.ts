import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { TrajectoryPayload } from '@tablecast/protocol';
import { createTable, powerToSpeed, predictShot, predictionToTrajectory, DEFAULT_PHYSICS } from '../src/index.js';

const R = DEFAULT_PHYSICS.R;
const table = createTable('9ft');
const y0 = table.height / 2;

test('ghost ball of a straight-in shot is 2R short of the object ball on the line (1e-9 m), cut 0', () => {
  const pred = predictShot(table, [{ id: 'cue', x: 0.6, y: y0 }, { id: '1', x: 1.6, y: y0 }], 'cue', { angleDeg: 0, speed: 2 });
  assert.deepEqual(pred.firstContact?.ballId, '1');
  assert.ok(Math.abs(pred.ghostBall!.x - (1.6 - 2 * R)) <= 1e-9 && Math.abs(pred.ghostBall!.y - y0) <= 1e-9);
  assert.ok(Math.abs(pred.cutAngleDeg!) <= 1e-6);
  assert.ok(pred.calculationTimeMs >= 0);
  // Object-ball line starts at the object ball and runs along +x (1e-9 m).
  assert.ok(Math.abs(pred.objectBallLine!.start.x - 1.6) <= 1e-9 && pred.objectBallLine!.end.x > 1.6);
  assert.ok(Math.abs(pred.objectBallLine!.end.y - y0) <= 1e-9);
});

test('30-degree cut: cut angle 30 (1e-6 deg), tangent line perpendicular to the object-ball line (1e-9)', () => {
  const off = 2 * R * Math.sin(Math.PI / 6);
  const pred = predictShot(table, [{ id: 'cue', x: 0.6, y: y0 }, { id: '1', x: 1.4, y: y0 + off }], 'cue', { angleDeg: 0, speed: 2 });
  assert.ok(Math.abs(pred.cutAngleDeg! - 30) <= 1e-6, `${pred.cutAngleDeg}`);
  const g = pred.ghostBall!;
  assert.ok(Math.abs(g.y - y0) <= 1e-9 && Math.abs(g.x - (1.4 - 2 * R * Math.cos(Math.PI / 6))) <= 1e-9);
  const t = pred.tangentLine!;
  const tx = t.end.x - t.start.x;
  const ty = t.end.y - t.start.y;
  const nx = 1.4 - g.x;
  const ny = y0 + off - g.y;
  assert.ok(Math.abs(tx * nx + ty * ny) <= 1e-9, 'tangent perpendicular to the line of centres');
  assert.ok(ty < 0, 'cue ball deflects away from the object-ball side');
});

test('paths: cue ball first, event points exact, curved sliding legs sampled every <= 10 ms', () => {
  const pred = predictShot(table, [{ id: 'cue', x: 0.6, y: y0 }, { id: '1', x: 1.4, y: y0 + R }], 'cue', { angleDeg: 0, speed: 3, tipVertical: -0.4 });
  assert.equal(pred.paths[0]!.ballId, 'cue');
  const cue = pred.paths[0]!.points;
  for (let i = 1; i < cue.length; i++) assert.ok(cue[i]!.t > cue[i - 1]!.t);
  const hit = pred.firstContact!;
  assert.ok(cue.some((p) => p.t === hit.time && p.x === hit.position.x), 'contact point is a path point');
  // After a draw cut the cue ball curves while sliding: consecutive samples <= 10 ms apart there.
  const slide = pred.events.find((e) => e.type === 'sliding_to_rolling' && e.ballIds[0] === 'cue' && e.time > hit.time)!;
  const curved = cue.filter((p) => p.t >= hit.time && p.t <= slide.time);
  assert.ok(curved.length > 3);
  for (let i = 1; i < curved.length; i++) assert.ok(curved[i]!.t - curved[i - 1]!.t <= 0.01 + 1e-12);
});

test('predictionToTrajectory: valid trajectory payload with primary, secondary and reflection lines', () => {
  const pred = predictShot(table, [{ id: 'cue', x: 0.6, y: y0 }, { id: '1', x: 1.6, y: y0 + R }], 'cue', { angleDeg: 0, speed: 4 });
  const msg = predictionToTrajectory(pred);
  assert.ok(Value.Check(TrajectoryPayload, msg), JSON.stringify([...Value.Errors(TrajectoryPayload, msg)].slice(0, 3)));
  assert.equal(msg.ball_id, 'cue');
  assert.equal(msg.line_count, msg.lines.length);
  assert.equal(msg.collision_count, msg.collisions.length);
  const types = new Set(msg.lines.map((l) => l.type));
  assert.ok(types.has('primary') && types.has('secondary') && types.has('reflection'), [...types].join(','));
  const first = msg.collisions[0]!;
  assert.equal(first.type, 'ball_ball');
  assert.equal(first.ball1_id, 'cue');
  assert.equal(first.ball2_id, '1');
  assert.ok(Math.abs(first.angle! - 30) <= 1e-6, 'half-ball hit = 30 deg cut');
  assert.ok(msg.collisions.some((c) => c.type === 'ball_cushion' && c.ball2_id === null));
  assert.ok(msg.lines.every((l) => l.confidence! > 0 && l.confidence! <= 1));
  assert.deepEqual(msg.pocketed, pred.pocketed);
});

test('powerToSpeed: linear 0..1 -> 0..8 m/s, clamped (exact)', () => {
  assert.equal(powerToSpeed(0), 0);
  assert.equal(powerToSpeed(0.5), 4);
  assert.equal(powerToSpeed(1), 8);
  assert.equal(powerToSpeed(3), 8);
  assert.equal(powerToSpeed(-1), 0);
  assert.throws(() => powerToSpeed(NaN), RangeError);
});
