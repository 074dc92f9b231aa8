import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstEntry, solveQuadratic, solveQuartic } from '../src/index.js';

/** Expands prod (x - r_i) * lead into [a, b, c, d, e] (highest first). */
function fromRoots(roots: number[], lead = 1): [number, number, number, number, number] {
  let c = [lead]; // highest first
  for (const r of roots) {
    const next = new Array<number>(c.length + 1).fill(0);
    c.forEach((v, i) => {
      next[i] = (next[i] ?? 0) + v;
      next[i + 1] = (next[i + 1] ?? 0) - v * r;
    });
    c = next;
  }
  while (c.length < 5) c.unshift(0);
  return c as [number, number, number, number, number];
}

test('quartic: four distinct roots to 1e-12 relative', () => {
  const roots = [-3.5, 0.25, 1, 42];
  const got = solveQuartic(...fromRoots(roots, 2.5));
  assert.equal(got.length, 4);
  got.forEach((g, i) => assert.ok(Math.abs(g - roots[i]!) <= 1e-12 * Math.max(1, Math.abs(roots[i]!)), `${g} vs ${roots[i]}`));
});

test('quartic: close roots (1 and 1 + 1e-6) separated to 1e-9 (conditioning ~ eps / gap)', () => {
  const roots = [-2, 1, 1 + 1e-6, 3];
  const got = solveQuartic(...fromRoots(roots));
  assert.equal(got.length, 4);
  got.forEach((g, i) => assert.ok(Math.abs(g - roots[i]!) <= 1e-9, `${g} vs ${roots[i]}`));
});

test('quartic: double root reported once within 1e-7 (double roots are ill-conditioned)', () => {
  const got = solveQuartic(...fromRoots([0.5, 0.5, -1, 2]));
  assert.equal(got.length, 3);
  assert.ok(Math.abs(got[1]! - 0.5) <= 1e-7);
});

test('quartic: no real roots, pairs of complex roots and tiny scales', () => {
  assert.deepEqual(solveQuartic(1, 0, 0, 0, 1), []); // x^4 + 1
  assert.deepEqual(solveQuartic(1, 0, 2, 0, 1), []); // (x^2 + 1)^2
  const got = solveQuartic(...fromRoots([1e-4, 2e-4, 5e-3, 0.01], 1e-6)); // time-scale roots
  assert.equal(got.length, 4);
  [1e-4, 2e-4, 5e-3, 0.01].forEach((r, i) => assert.ok(Math.abs(got[i]! - r) <= 1e-15, `${got[i]} vs ${r}`));
});

test('quartic: degenerate leading coefficients fall back to cubic / quadratic / linear', () => {
  const cubic = solveQuartic(...fromRoots([-1, 2, 5]));
  assert.deepEqual(cubic.map((x) => Math.round(x * 1e12) / 1e12), [-1, 2, 5]);
  assert.deepEqual(solveQuadratic(0, 2, -4), [2]);
  const q = solveQuadratic(1, -1e8, 1); // cancellation-prone pair, tolerance 1e-15 relative
  assert.ok(Math.abs(q[0]! - 1e-8) <= 1e-23 && Math.abs(q[1]! - 1e8) <= 1e-7);
});

test('firstEntry: first positive-to-non-positive crossing in the window', () => {
  // g(t) = (t - 1)(t - 2)(t - 3)(t - 4): positive at 0, enters at 1, leaves at 2, enters at 3.
  const [a, b, c, d, e] = fromRoots([1, 2, 3, 4]);
  const g = [e, d, c, b, a];
  assert.ok(Math.abs(firstEntry(g, 0, 10) - 1) <= 1e-13); // tolerance 1e-14 * max(1, |t|) plus rounding
  assert.ok(Math.abs(firstEntry(g, 1.5, 10) - 3) <= 1e-13); // starts negative and leaving: next entry
  assert.equal(firstEntry(g, 0, 0.9), Infinity);
  // Touching and approaching at the window start counts as an immediate contact.
  assert.equal(firstEntry([0, -1, 0, 0, 1], 0, 1), 0);
  // Touching and separating does not.
  assert.equal(firstEntry([0, 1, 1], 0, 1), Infinity);
});
