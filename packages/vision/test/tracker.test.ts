/**
 * Tracker pieces on synthetic detections: Hungarian assignment against brute force, the
 * constant-velocity Kalman filter's velocity estimate, and track-id rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Ball, BallTracker, KalmanCV, hungarian } from '../src/index.js';

const ball = (x: number, y: number, number: number | null = null): Ball => ({
  x, y, radius: 0.028575, pixel: { x: x * 450, y: y * 450, radius: 13 }, confidence: 0.9,
  number, type: number === null ? 'unknown' : number === 0 ? 'cue' : 'solid', identityConfidence: number === null ? 0 : 0.8,
});

function brute(cost: number[][]): number {
  const n = cost.length, m = cost[0]!.length;
  let best = Infinity;
  const used = new Array<boolean>(m).fill(false);
  const rec = (i: number, acc: number): void => {
    if (i === n) { best = Math.min(best, acc); return; }
    for (let j = 0; j < m; j++) if (!used[j]) { used[j] = true; rec(i + 1, acc + cost[i]![j]!); used[j] = false; }
  };
  rec(0, 0);
  return best;
}

describe('hungarian', () => {
  it('matches brute force on random square and rectangular matrices (1e-9)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let t = 0; t < 40; t++) {
      const n = 1 + Math.floor(rnd() * 5), m = n + Math.floor(rnd() * 3);
      const cost = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.round(rnd() * 100) / 10));
      const a = hungarian(cost);
      assert.equal(new Set(a).size, n, 'distinct columns');
      const total = a.reduce((s, j, i) => s + cost[i]![j]!, 0);
      assert.ok(Math.abs(total - brute(cost)) < 1e-9, `case ${t}`);
      // Transposed (more rows than columns): every column used once.
      const tr = cost[0]!.map((_, j) => cost.map((row) => row[j]!));
      const b = hungarian(tr);
      assert.equal(b.filter((j) => j >= 0).length, n);
    }
  });
});

describe('KalmanCV', () => {
  it('estimates a constant 0.5 m/s velocity within 2 % after 15 frames at 30 fps', () => {
    const kf = new KalmanCV(0.2, 0.3);
    for (let i = 1; i <= 15; i++) { kf.predict(1 / 30); kf.update(0.2 + (0.5 * i) / 30, 0.3); }
    assert.ok(Math.abs(kf.vx - 0.5) < 0.01, `vx ${kf.vx}`);
    assert.ok(Math.abs(kf.vy) < 0.01);
  });
});

describe('BallTracker', () => {
  it('keeps ids for two balls passing close to each other', () => {
    const tr = new BallTracker();
    const ids = new Map<string, Set<number>>([['a', new Set()], ['b', new Set()]]);
    for (let i = 0; i < 30; i++) {
      const t = i * 33_333;
      // a moves right, b moves left, 0.07 m apart vertically (just more than a ball diameter).
      const out = tr.update([ball(0.5 + i * 0.02, 0.6), ball(1.1 - i * 0.02, 0.67)], t);
      for (const b of out) ids.get(b.y < 0.635 ? 'a' : 'b')!.add(b.trackId);
    }
    assert.equal(ids.get('a')!.size, 1);
    assert.equal(ids.get('b')!.size, 1);
  });

  it('keeps the id through maxMissed missing frames and starts a new one after', () => {
    const tr = new BallTracker({ maxMissed: 3 });
    const first = tr.update([ball(1, 0.5, 0)], 0)[0]!.trackId;
    for (let i = 1; i <= 3; i++) assert.equal(tr.update([], i * 33_333).length, 0);
    assert.equal(tr.update([ball(1, 0.5, 0)], 4 * 33_333)[0]!.trackId, first, 'same id after 3 missed frames');
    for (let i = 5; i <= 9; i++) tr.update([], i * 33_333);
    assert.notEqual(tr.update([ball(1, 0.5, 0)], 10 * 33_333)[0]!.trackId, first, 'new id after 5 missed frames');
  });

  it('reports missing tracks at their predicted position when asked, with decayed confidence', () => {
    const tr = new BallTracker({ reportMissing: true });
    for (let i = 0; i < 10; i++) tr.update([ball(0.5 + i * 0.01, 0.5)], i * 100_000);
    const out = tr.update([], 10 * 100_000);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.missed, 1);
    assert.ok(Math.abs(out[0]!.x - 0.6) < 0.005, `predicted x ${out[0]!.x} (0.6 +- 0.005 m)`);
    assert.ok(out[0]!.confidence < 0.9);
    assert.equal(out[0]!.isMoving, true);
  });

  it('takes the identity by vote over the track', () => {
    const tr = new BallTracker();
    tr.update([ball(1, 0.5, 3)], 0);
    tr.update([ball(1, 0.5, 3)], 33_333);
    const out = tr.update([ball(1, 0.5, 7)], 66_666);
    assert.equal(out[0]!.number, 3);
    assert.equal(out[0]!.type, 'solid');
  });
});
