import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PHYSICS, createTable, resolveBallBall, simulate, type SimOptions } from '../src/index.js';
import { bigTable, deg, stateAfter, stateBefore } from './helpers.js';

const R = DEFAULT_PHYSICS.R;

test('head-on stun, e = 0.95: object ball 0.975 v, cue ball 0.025 v (elastic model, tolerance 1e-12 relative)', () => {
  const k = (x: number, vx: number) => ({ x, y: 0, vx, vy: 0, wx: 0, wy: 0, wz: 0 });
  for (const model of ['elastic', 'frictional'] as const) {
    const [a, b] = resolveBallBall(k(0, 2), k(2 * R, 0), DEFAULT_PHYSICS, model);
    assert.ok(Math.abs(a.vx - 0.025 * 2) <= 1e-12 && Math.abs(b.vx - 0.975 * 2) <= 1e-12, model);
  }
  // The same through the simulator: ratios against the cue-ball speed at impact.
  const sim = simulate(bigTable(), [
    { id: 'cue', x: 1, y: 1.5, vx: 2, vy: 0, wx: 0, wy: 0, wz: 0 },
    { id: '1', x: 1.5, y: 1.5 },
  ], { collisionModel: 'elastic' });
  const hit = sim.events.find((e) => e.type === 'ball_ball')!;
  const v = stateBefore(sim, 'cue', hit.time).vx;
  assert.ok(Math.abs(stateAfter(sim, '1', hit.time).vx / v - 0.975) <= 1e-12);
  assert.ok(Math.abs(stateAfter(sim, 'cue', hit.time).vx / v - 0.025) <= 1e-12);
  assert.ok(Math.abs(hit.position.x - (1.5 - 2 * R)) <= 1e-9, 'cue centre 2R short of the object ball (1e-9 m)');
});

test('stun cut: paths 90 degrees apart, momentum and (e = 1, elastic) energy conserved (tolerance 1e-9)', () => {
  const opts: SimOptions = { collisionModel: 'elastic', physics: { e_b: 1 } };
  const sim = simulate(bigTable(), [
    { id: 'cue', x: 1, y: 1.5, vx: 3, vy: 0, wx: 0, wy: 0, wz: 0 },
    { id: '1', x: 1.3, y: 1.5 + 2 * R * Math.sin((35 * Math.PI) / 180) },
  ], opts);
  const hit = sim.events.find((e) => e.type === 'ball_ball')!;
  assert.ok(Math.abs(hit.angleDeg! - 35) <= 1e-6, `cut angle ${hit.angleDeg}`);
  const c0 = stateBefore(sim, 'cue', hit.time);
  const c1 = stateAfter(sim, 'cue', hit.time);
  const o1 = stateAfter(sim, '1', hit.time);
  const between = Math.abs(deg(c1.vx, c1.vy) - deg(o1.vx, o1.vy));
  assert.ok(Math.abs(between - 90) <= 1e-9, `angle between paths ${between}`);
  assert.ok(Math.abs(c0.vx - c1.vx - o1.vx) <= 1e-9 && Math.abs(c0.vy - c1.vy - o1.vy) <= 1e-9, 'momentum');
  const e0 = c0.vx ** 2 + c0.vy ** 2;
  const e1 = c1.vx ** 2 + c1.vy ** 2 + o1.vx ** 2 + o1.vy ** 2;
  assert.ok(Math.abs(e1 - e0) <= 1e-9 * e0, 'kinetic energy');
});

test('frictional model conserves linear momentum and throws the object ball off the line of centres', () => {
  const sim = simulate(bigTable(), [
    { id: 'cue', x: 1, y: 1.5, vx: 2, vy: 0, wx: 0, wy: 0, wz: 0 },
    { id: '1', x: 1.3, y: 1.5 + 2 * R * Math.sin((30 * Math.PI) / 180) },
  ]);
  const hit = sim.events.find((e) => e.type === 'ball_ball')!;
  const c0 = stateBefore(sim, 'cue', hit.time);
  const c1 = stateAfter(sim, 'cue', hit.time);
  const o1 = stateAfter(sim, '1', hit.time);
  assert.ok(Math.abs(c0.vx - c1.vx - o1.vx) <= 1e-9 && Math.abs(c0.vy - c1.vy - o1.vy) <= 1e-9, 'momentum (1e-9 m/s)');
  // Line of centres points 30 deg below the x axis in the object's frame; throw turns the object
  // ball towards the cue-ball direction by a few degrees (Alciatore TP A-14: ~2-5 deg at 30 deg cut).
  const throwDeg = deg(o1.vx, o1.vy) - 30;
  assert.ok(throwDeg < -0.5 && throwDeg > -6, `throw ${throwDeg}`);
});

test('rolling cue ball carom (30-degree rule): 14.48 -> 27.63, 30 -> 33.67, 48.59 -> 27.27 deg (0.01 deg; closed form 1e-6)', () => {
  const cases: [number, number][] = [[0.25, 27.63], [0.5, 33.67], [0.75, 27.27]]; // sin(cut) = fullness fraction
  for (const [s, expected] of cases) {
    const cut = Math.asin(s);
    const exact = (Math.atan((5 * Math.sin(cut) * Math.cos(cut)) / (5 * Math.sin(cut) ** 2 + 2)) * 180) / Math.PI;
    const sim = simulate(bigTable(), [
      { id: 'cue', x: 0.5, y: 1.5, vx: 2, vy: 0 }, // rolling by default
      { id: '1', x: 1.0, y: 1.5 + 2 * R * s },
    ], { collisionModel: 'elastic', physics: { e_b: 1 } });
    const hit = sim.events.find((e) => e.type === 'ball_ball')!;
    assert.ok(Math.abs(hit.angleDeg! - (cut * 180) / Math.PI) <= 1e-6, 'cut angle at contact');
    const roll = sim.events.find((e) => e.type === 'sliding_to_rolling' && e.ballIds[0] === 'cue' && e.time > hit.time)!;
    const v = stateAfter(sim, 'cue', roll.time);
    const angle = Math.abs(deg(v.vx, v.vy));
    assert.ok(Math.abs(angle - exact) <= 1e-6, `${angle} vs closed form ${exact}`);
    assert.ok(Math.abs(angle - expected) <= 0.01, `${angle} vs ${expected}`);
  }
});

test('cushion mirror: 45 deg in, e_c = 0.85, simple model, no spin -> 49.64 deg out (0.005 deg; closed form 1e-9)', () => {
  const table = createTable('9ft');
  const v = 1.5 / Math.SQRT2;
  const sim = simulate(table, [{ id: 'b', x: 0.6, y: 0.3, vx: v, vy: -v, wx: 0, wy: 0, wz: 0 }]);
  const hit = sim.events.find((e) => e.type === 'ball_cushion')!;
  assert.equal(hit.cushionId, 'top-left-rail');
  assert.ok(Math.abs(hit.angleDeg! - 45) <= 1e-9);
  assert.ok(Math.abs(hit.position.y - R) <= 1e-9, 'contact with the centre R from the nose');
  const out = stateAfter(sim, 'b', hit.time);
  const fromNormal = (Math.atan2(Math.abs(out.vx), out.vy) * 180) / Math.PI;
  assert.ok(Math.abs(fromNormal - (Math.atan(1 / 0.85) * 180) / Math.PI) <= 1e-9);
  assert.ok(Math.abs(fromNormal - 49.64) <= 0.005);
});

test('han2005 cushion: a head-on ball comes back slower than with the simple model, english turns the rebound', () => {
  const table = createTable('9ft');
  const base = { id: 'b', x: 0.6, y: 0.3, vx: 0, vy: -1.5, wx: 0, wy: 0 };
  const plain = simulate(table, [{ ...base, wz: 0 }], { cushionModel: 'han2005' });
  const hit = plain.events.find((e) => e.type === 'ball_cushion')!;
  const out = stateAfter(plain, 'b', hit.time);
  const vin = -stateBefore(plain, 'b', hit.time).vy;
  assert.ok(out.vy > 0.4 * vin && out.vy < 0.85 * vin, `rebound ratio ${out.vy / vin}`);
  assert.ok(Math.abs(out.vx) <= 1e-12, 'no side spin, no sideways kick (1e-12 m/s)');
  const spun = simulate(table, [{ ...base, wz: 40 }], { cushionModel: 'han2005' });
  const hit2 = spun.events.find((e) => e.type === 'ball_cushion')!;
  assert.ok(Math.abs(stateAfter(spun, 'b', hit2.time).vx) > 0.05, 'side spin deflects the rebound');
});

test('pocketing: a ball rolled into the corner drops, a ball along the rail past the side pocket does not', () => {
  const table = createTable('9ft');
  const sim = simulate(table, [{ id: 'b', x: 0.5, y: 0.5, vx: -1, vy: -1 }]);
  assert.deepEqual(sim.pocketed, ['b']);
  const ev = sim.events.find((e) => e.type === 'ball_pocket')!;
  assert.equal(ev.pocketId, 'top-left');
  assert.equal(sim.final[0]!.pocketed, true);
  // Rolls 0.5^2 / (2 u_r g) = 1.27 m along the top rail, across the side pocket at x = 1.27 m.
  const side = simulate(table, [{ id: 'c', x: 1.0, y: R + 1e-6, vx: 0.5, vy: 0 }]);
  assert.deepEqual(side.pocketed, []);
  assert.ok(side.final[0]!.x > 2.2);
  const hole = simulate(table, [{ id: 'b', x: 1.27, y: 0.6, vx: 0, vy: -2 }]);
  assert.deepEqual(hole.pocketed, ['b']);
  assert.equal(hole.events.find((e) => e.type === 'ball_pocket')!.pocketId, 'top-middle');
});
