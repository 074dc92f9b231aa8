import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PHYSICS, simulate, simulateShot } from '../src/index.js';
import { bigTable } from './helpers.js';

const { R, u_s, u_r, u_sp, g } = DEFAULT_PHYSICS;

test('slide to roll at 2 m/s: t = 2|u|/(7 u_s g) = 0.2912 s, then 5v/7 = 1.4286 m/s (tolerance 1e-9)', () => {
  const sim = simulate(bigTable(), [{ id: 'cue', x: 1, y: 1.5, vx: 2, vy: 0, wx: 0, wy: 0, wz: 0 }]);
  const ev = sim.events.find((e) => e.type === 'sliding_to_rolling')!;
  assert.ok(Math.abs(ev.time - 4 / (7 * u_s * g)) <= 1e-9);
  assert.ok(Math.abs(ev.time - 0.2912) <= 5e-5, `closed form rounds to 0.2912 s, got ${ev.time}`);
  const s = sim.positionsAt(ev.time)[0]!;
  assert.ok(Math.abs(s.vx - (5 * 2) / 7) <= 1e-9 && Math.abs(s.vy) <= 1e-12);
  assert.ok(Math.abs(s.vx - 1.4286) <= 5e-5);
  // Distance while sliding: v t - u_s g t^2 / 2.
  assert.ok(Math.abs(s.x - 1 - (2 * ev.time - 0.5 * u_s * g * ev.time ** 2)) <= 1e-9);
});

test('stun strike is the same as a sliding ball: cue_strike then sliding_to_rolling at 0.2912 s (1e-9 s)', () => {
  const sim = simulateShot(bigTable(), [{ id: 'cue', x: 1, y: 1.5 }], 'cue', { angleDeg: 0, speed: 2 });
  assert.equal(sim.events[0]!.type, 'cue_strike');
  assert.ok(Math.abs(sim.events[1]!.time - 4 / (7 * u_s * g)) <= 1e-9);
});

test('natural-roll strike (tipVertical 0.4) rolls at once: no sliding phase', () => {
  const sim = simulateShot(bigTable(), [{ id: 'cue', x: 1, y: 1.5 }], 'cue', { angleDeg: 0, speed: 0.5, tipVertical: 0.4 });
  assert.deepEqual(sim.events.map((e) => e.type), ['cue_strike', 'rolling_to_stationary']);
});

test('rolling to rest: distance v^2/(2 u_r g), time v/(u_r g) (tolerance 1e-9)', () => {
  const v = 0.5;
  const sim = simulate(bigTable(), [{ id: 'b', x: 1, y: 1.5, vx: v * Math.cos(0.3), vy: v * Math.sin(0.3) }]);
  assert.deepEqual(sim.events.map((e) => e.type), ['rolling_to_stationary']);
  assert.ok(Math.abs(sim.duration - v / (u_r * g)) <= 1e-9);
  const f = sim.final[0]!;
  assert.ok(Math.abs(Math.hypot(f.x - 1, f.y - 1.5) - (v * v) / (2 * u_r * g)) <= 1e-9);
  const after = sim.positionsAt(sim.duration + 5)[0]!;
  assert.equal(after.moving, false);
});

test('spinning to rest: t = |w_z| 2R / (5 u_sp g) (tolerance 1e-9 s)', () => {
  const sim = simulate(bigTable(), [{ id: 'b', x: 1, y: 1.5, wz: 20 }]);
  assert.deepEqual(sim.events.map((e) => e.type), ['spinning_to_stationary']);
  assert.ok(Math.abs(sim.duration - (20 * 2 * R) / (5 * u_sp * g)) <= 1e-9);
});

test('rolling ball with side spin ends rolling_to_spinning then spinning_to_stationary', () => {
  const sim = simulate(bigTable(), [{ id: 'b', x: 1, y: 1.5, vx: 0.3, vy: 0, wx: 0, wy: 0.3 / R, wz: 50 }]);
  assert.deepEqual(sim.events.map((e) => e.type), ['rolling_to_spinning', 'spinning_to_stationary']);
});
