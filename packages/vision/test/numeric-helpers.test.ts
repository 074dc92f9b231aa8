/**
 * The allocation-free numeric helpers of the detectors against the code they replace: they must
 * return the very same numbers (bit for bit), so that detection results do not change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitCircle, fitCircleXY, hypot2, innerRect, insideQuad, insideQuadXY, packQuad, roundPixel } from '../src/geometry.js';
import { ClothScorer, clothDistance } from '../src/color.js';
import { kthSmallest, upperMedian } from '../src/order-statistics.js';

/** The Kasa fit as it was written over point objects (the reference). */
function kasaReference(points: { x: number; y: number }[]): { x: number; y: number; r: number } | null {
  const n = points.length;
  let mx = 0, my = 0;
  for (const p of points) { mx += p.x; my += p.y; }
  mx /= n; my /= n;
  let suu = 0, suv = 0, svv = 0, suuu = 0, svvv = 0, suvv = 0, svuu = 0;
  for (const p of points) {
    const u = p.x - mx, v = p.y - my;
    const uu = u * u, vv = v * v;
    suu += uu; suv += u * v; svv += vv;
    suuu += uu * u; svvv += vv * v; suvv += u * vv; svuu += v * uu;
  }
  const det = suu * svv - suv * suv;
  if (Math.abs(det) < 1e-9) return null;
  const b1 = 0.5 * (suuu + suvv), b2 = 0.5 * (svvv + svuu);
  const uc = (b1 * svv - b2 * suv) / det;
  const vc = (suu * b2 - suv * b1) / det;
  return { x: uc + mx, y: vc + my, r: Math.sqrt(uc * uc + vc * vc + (suu + svv) / n) };
}

let seed = 3;
const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);

describe('hypot2', () => {
  it('equals Math.hypot exactly (random magnitudes 1e-6..1e4, zeros, infinities, NaN)', () => {
    for (let i = 0; i < 50_000; i++) {
      const s = 10 ** (rnd() * 10 - 6);
      const x = (rnd() - 0.5) * s, y = (rnd() - 0.5) * s * (i % 5 === 0 ? 1e-8 : 1);
      assert.equal(hypot2(x, y), Math.hypot(x, y), `${x}, ${y}`);
    }
    for (const [x, y] of [[0, 0], [-0, 3], [3, -4], [Infinity, NaN], [NaN, 1], [-Infinity, 2], [1e300, 1e300], [5e-324, 5e-324]]) {
      assert.equal(hypot2(x!, y!), Math.hypot(x!, y!), `${x}, ${y}`);
    }
  });
});

describe('cloth distance', () => {
  /** clothDistance as first written (one function, corrections added in place). */
  function reference(m: { cr: number; cg: number; cb: number; brightness: number }, r: number, g: number, b: number): number {
    const sum = r + g + b + 1;
    const dr = r / sum - m.cr, dg = g / sum - m.cg, db = b / sum - m.cb;
    let d = Math.sqrt(dr * dr + dg * dg + db * db);
    const rel = sum / 3 / (m.brightness + 1);
    if (rel < 0.35) d += (0.35 - rel) * 0.6;
    if (rel > 1.35) d += (rel - 1.35) * 0.3;
    return d;
  }

  it('clothDistance and ClothScorer give the reference values exactly (random colours and cloth models)', () => {
    for (let t = 0; t < 20; t++) {
      const model = { hue: rnd() * 360, cr: 0.1 + rnd() * 0.3, cg: 0.2 + rnd() * 0.3, cb: 0.2 + rnd() * 0.3, brightness: 30 + rnd() * 150 };
      const scorer = new ClothScorer(model);
      for (let i = 0; i < 5000; i++) {
        const r = Math.floor(rnd() * 256), g = Math.floor(rnd() * 256), b = Math.floor(rnd() * 256);
        const want = reference(model, r, g, b);
        assert.equal(clothDistance(model, r, g, b), want);
        assert.equal(scorer.score(r, g, b), want);
      }
      for (const [r, g, b] of [[0, 0, 0], [255, 255, 255], [255, 0, 0], [1, 2, 3]]) assert.equal(scorer.score(r!, g!, b!), reference(model, r!, g!, b!));
    }
  });
});

describe('roundPixel', () => {
  it('equals Math.round (random values, halves and their neighbours one ulp away)', () => {
    const same = (x: number): void => {
      const a = roundPixel(x), b = Math.round(x);
      assert.ok(a === b, `${x}: ${a} vs ${b}`); // === also equates 0 and -0
    };
    for (const x of [0.49999999999999994, -0.49999999999999994, 0.5, -0.5, 1.5, -1.5, 2.5, 0, -0, 4503599627370495.5, NaN]) {
      if (Number.isNaN(x)) assert.ok(Number.isNaN(roundPixel(x)));
      else same(x);
    }
    for (let i = 0; i < 50_000; i++) {
      const x = (rnd() - 0.3) * 10 ** (rnd() * 5);
      const h = Math.floor(x) + 0.5;
      for (const v of [x, h, h - Number.EPSILON * Math.abs(h), h + Number.EPSILON * Math.abs(h)]) same(v);
    }
  });
});

describe('kthSmallest / upperMedian', () => {
  it('returns the value a full sort puts at index k (random data with many ties)', () => {
    for (let t = 0; t < 400; t++) {
      const n = 1 + Math.floor(rnd() * 120);
      const levels = 1 + Math.floor(rnd() * 20);
      const v = Float64Array.from({ length: n }, () => Math.floor(rnd() * levels) / 7 + (t % 3 === 0 ? 0 : rnd()));
      const sorted = Array.from(v).sort((a, b) => a - b);
      const k = Math.floor(rnd() * n);
      assert.equal(kthSmallest(v.slice(), n, k), sorted[k]);
      assert.equal(upperMedian(v.slice(), n), sorted[n >> 1]);
      // Only the first n entries take part.
      const padded = new Float64Array(n + 5).fill(-1);
      padded.set(v);
      assert.equal(upperMedian(padded, n), sorted[n >> 1]);
    }
    assert.equal(upperMedian(new Float64Array(4), 0), 0);
  });
});

describe('geometry fast paths', () => {
  it('insideQuadXY agrees with insideQuad, including points on edges and corners', () => {
    for (let t = 0; t < 200; t++) {
      const q = [{ x: rnd() * 10, y: rnd() * 10 }, { x: 90 + rnd() * 10, y: rnd() * 10 }, { x: 90 + rnd() * 10, y: 50 + rnd() * 10 }, { x: rnd() * 10, y: 50 + rnd() * 10 }];
      if (t % 2) q.reverse();
      const packed = packQuad(q);
      for (let i = 0; i < 200; i++) {
        const p = i < 4 ? q[i]! : { x: Math.round(rnd() * 110 - 5), y: Math.round(rnd() * 70 - 5) };
        assert.equal(insideQuadXY(packed, p.x, p.y), insideQuad(q, p));
      }
    }
  });

  it('innerRect lies inside every quad (checked on a 0.25 grid), null for a non-convex quad', () => {
    for (let t = 0; t < 50; t++) {
      const q1 = packQuad([{ x: rnd() * 10, y: rnd() * 10 }, { x: 90 + rnd() * 10, y: rnd() * 10 }, { x: 90 + rnd() * 10, y: 50 + rnd() * 10 }, { x: rnd() * 10, y: 50 + rnd() * 10 }]);
      const q2 = packQuad([{ x: 5 + rnd() * 10, y: 5 + rnd() * 10 }, { x: 85 + rnd() * 10, y: 5 + rnd() * 10 }, { x: 85 + rnd() * 10, y: 45 + rnd() * 10 }, { x: 5 + rnd() * 10, y: 45 + rnd() * 10 }]);
      const r = innerRect([q1, q2], 1);
      assert.ok(r, `case ${t}`);
      for (let y = r.y0; y <= r.y1; y += 0.25) {
        for (let x = r.x0; x <= r.x1; x += 0.25) assert.ok(insideQuadXY(q1, x, y) && insideQuadXY(q2, x, y));
      }
    }
    assert.equal(innerRect([packQuad([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 2, y: 2 }, { x: 0, y: 10 }])], 1), null);
  });

  it('fitCircleXY and fitCircle equal the point-object Kasa fit exactly', () => {
    for (let t = 0; t < 200; t++) {
      const n = 3 + Math.floor(rnd() * 45);
      const pts = Array.from({ length: n }, (_, i) => ({ x: 50 + 12 * Math.cos(i) + rnd(), y: 40 + 12 * Math.sin(i) + rnd() }));
      const xs = Float64Array.from(pts, (p) => p.x), ys = Float64Array.from(pts, (p) => p.y);
      const want = kasaReference(pts);
      assert.deepEqual(fitCircleXY(xs, ys, n), want);
      assert.deepEqual(fitCircle(pts), want);
    }
  });
});
