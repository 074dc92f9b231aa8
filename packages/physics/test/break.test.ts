import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTable, isOnTable, rackEightBall, simulate, simulateShot, RACK_GAP, type BallInput, type Table } from '../src/index.js';

/** Checks the end state: at rest, on the table or pocketed, no overlaps (tolerance 1e-9 m). */
function checkRest(table: Table, balls: BallInput[], sim: ReturnType<typeof simulate>): void {
  const R = sim.params.R;
  assert.equal(sim.truncated, false, 'ran to rest');
  const end = sim.positionsAt(sim.duration + 1);
  assert.equal(end.length, balls.length);
  for (const b of end) {
    assert.equal(b.moving, false, `${b.id} at rest`);
    assert.ok(b.pocketed || isOnTable(table, b.x, b.y, R, 1e-9), `${b.id} on the table at ${b.x}, ${b.y}`);
    assert.ok(b.pocketed || (b.x >= 0 && b.x <= table.width && b.y >= 0 && b.y <= table.height), `${b.id} inside the cushions`);
  }
  const live = end.filter((b) => !b.pocketed);
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length; j++) {
      const d = Math.hypot(live[i]!.x - live[j]!.x, live[i]!.y - live[j]!.y);
      assert.ok(d >= 2 * R - 1e-9, `${live[i]!.id}/${live[j]!.id} overlap: ${d - 2 * R}`);
    }
  }
  assert.deepEqual([...sim.pocketed].sort(), end.filter((b) => b.pocketed).map((b) => b.id).sort());
}

test('rack: 16 balls, ids cue and 1..15, 8 in the centre, gaps of 0.1 mm, no overlaps (1e-12 m)', () => {
  const table = createTable('9ft');
  const balls = rackEightBall(table);
  assert.deepEqual(balls.map((b) => b.id).sort(), ['cue', ...Array.from({ length: 15 }, (_, i) => String(i + 1))].sort());
  const R = table.ballRadius;
  const eight = balls.find((b) => b.id === '8')!;
  assert.ok(Math.abs(eight.y - table.height / 2) <= 1e-12 && Math.abs(eight.x - (table.footSpot.x + Math.sqrt(3) * (2 * R + RACK_GAP))) <= 1e-12);
  const apex = balls.find((b) => b.number !== 0 && Math.abs(b.x - table.footSpot.x) < 1e-12)!;
  assert.ok(Math.abs(apex.y - table.footSpot.y) <= 1e-12);
  const cue = balls.find((b) => b.id === 'cue')!;
  assert.ok(cue.x < table.headStringX);
  let min = Infinity;
  for (let i = 0; i < balls.length; i++) for (let j = i + 1; j < balls.length; j++) min = Math.min(min, Math.hypot(balls[i]!.x - balls[j]!.x, balls[i]!.y - balls[j]!.y));
  assert.ok(Math.abs(min - (2 * R + RACK_GAP)) <= 1e-12);
  // Shuffled rack: still 8 in the centre and one solid + one stripe in the back corners.
  let seed = 7;
  const rng = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let k = 0; k < 20; k++) {
    const r = rackEightBall(table, rng);
    assert.equal(r[5]!.id, '8');
    const corners = [r[11]!, r[15]!].map((b) => b.number! < 8);
    assert.notEqual(corners[0], corners[1]);
  }
});

test('full 15-ball break at 8 m/s ends at rest, every ball on the table or pocketed, none overlapping', () => {
  for (const table of [createTable('9ft'), createTable('7ft')]) {
    const balls = rackEightBall(table);
    const variants = [
      { angleDeg: 0, speed: 8 },
      { angleDeg: 0.7, speed: 8, tipSide: 0.2, tipVertical: -0.3 },
      { angleDeg: -1.3, speed: 8, tipVertical: 0.4 },
    ];
    for (const strike of variants) {
      for (const cushionModel of ['simple', 'han2005'] as const) {
        const sim = simulateShot(table, balls, 'cue', strike, { cushionModel });
        checkRest(table, balls, sim);
        assert.ok(sim.events.filter((e) => e.type === 'ball_ball').length >= 15, 'the rack was broken up');
      }
    }
  }
});

test('random 16-ball layouts with random velocities settle legally (seeded, 15 runs)', () => {
  const table = createTable('8ft');
  let seed = 12345;
  const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  for (let run = 0; run < 15; run++) {
    const balls: BallInput[] = [];
    while (balls.length < 16) {
      const x = 0.05 + rnd() * (table.width - 0.1);
      const y = 0.05 + rnd() * (table.height - 0.1);
      if (balls.some((b) => Math.hypot(b.x - x, b.y - y) < 0.06)) continue;
      const a = rnd() * 2 * Math.PI;
      const v = rnd() * 4;
      balls.push({ id: String(balls.length), x, y, vx: v * Math.cos(a), vy: v * Math.sin(a) });
    }
    checkRest(table, balls, simulate(table, balls, { collisionModel: run % 2 ? 'elastic' : 'frictional' }));
  }
});

test('determinism: identical input gives identical events and final positions (exact)', () => {
  const table = createTable('9ft');
  const balls = rackEightBall(table);
  const a = simulateShot(table, balls, 'cue', { angleDeg: 0.3, speed: 8, tipSide: 0.1 });
  const b = simulateShot(table, structuredClone(balls), 'cue', { angleDeg: 0.3, speed: 8, tipSide: 0.1 });
  assert.deepEqual(a.events, b.events);
  assert.deepEqual(a.final, b.final);
  assert.deepEqual(a.positionsAt(1.234), b.positionsAt(1.234));
});

test('input sanitising: overlapping and off-table balls are separated and clamped; bad input throws', () => {
  const table = createTable('9ft');
  const sim = simulate(table, [{ id: 'a', x: 1, y: 0.5 }, { id: 'b', x: 1.01, y: 0.5 }, { id: 'c', x: -3, y: 0.6 }]);
  const [a, b, c] = sim.final;
  assert.ok(Math.hypot(a!.x - b!.x, a!.y - b!.y) >= 2 * sim.params.R - 1e-12);
  assert.ok(Math.abs(c!.x - sim.params.R) <= 1e-12);
  assert.throws(() => simulate(table, [{ id: 'a', x: 1, y: 1 }, { id: 'a', x: 2, y: 1 }]), TypeError);
  assert.throws(() => simulate(table, [{ id: 'a', x: NaN, y: 1 }]), RangeError);
  assert.throws(() => simulateShot(table, [{ id: 'a', x: 1, y: 1 }], 'cue', { angleDeg: 0, speed: 1 }), Error);
  assert.throws(() => simulateShot(table, [{ id: 'a', x: 1, y: 1 }], 'a', { angleDeg: 0, speed: -1 }), RangeError);
  assert.throws(() => createTable('9ft', { width: -1 }), RangeError);
  assert.throws(() => simulate(table, [], { physics: { e_b: 2 } }), RangeError);
});
