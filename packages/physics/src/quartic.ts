/**
 * Real roots of low-degree polynomials (up to quartic) for event detection.
 *
 * Method: root isolation by derivatives. The real roots of p' split [lo, hi] into intervals on
 * which p is monotone; every interval whose end values differ in sign holds exactly one root,
 * found by safeguarded Newton iteration (Newton inside the bracket, bisection when Newton leaves it
 * or stalls). The derivative's roots are found the same way, recursively, down to a closed-form
 * quadratic. Unlike Ferrari's closed form this never loses roots to cancellation near double
 * roots, and it is deterministic.
 *
 * Tolerance: each returned root x satisfies |x - x*| <= 1e-14 * max(1, |x*|) for a simple root
 * (the bracket is shrunk to that width or to adjacent doubles); double roots (tangencies) are
 * reported when |p(x)| <= 1e-12 times the sum of the magnitudes of p's terms at x.
 *
 * Coefficient arrays are lowest degree first: p(x) = c[0] + c[1] x + c[2] x^2 + ...
 */

/** Relative root tolerance (see module doc). */
export const ROOT_TOLERANCE = 1e-14;
const TOUCH_TOLERANCE = 1e-12;
const MAX_ITER = 200;

/** Evaluates a polynomial (lowest degree first) at x with Horner's rule. */
export function evalPoly(c: readonly number[], x: number): number {
  let r = 0;
  for (let i = c.length - 1; i >= 0; i--) r = r * x + (c[i] as number);
  return r;
}

/** Sum of |c_i x^i|, the scale against which a residual counts as zero. */
function polyScale(c: readonly number[], x: number): number {
  let r = 0;
  const ax = Math.abs(x);
  for (let i = c.length - 1; i >= 0; i--) r = r * ax + Math.abs(c[i] as number);
  return r;
}

/** Derivative coefficients (lowest degree first). */
function derivative(c: readonly number[]): number[] {
  const d: number[] = [];
  for (let i = 1; i < c.length; i++) d.push(i * (c[i] as number));
  return d;
}

/** Degree after dropping exactly-zero leading coefficients (-1 for the zero polynomial). */
function degree(c: readonly number[]): number {
  let n = c.length - 1;
  while (n >= 0 && c[n] === 0) n--;
  return n;
}

/**
 * Real roots of a x^2 + b x + c, ascending, using the cancellation-free form
 * q = -(b + sign(b) sqrt(b^2 - 4ac)) / 2, roots q/a and c/q. Degenerates to linear when a = 0.
 */
export function solveQuadratic(a: number, b: number, c: number): number[] {
  if (a === 0) {
    if (b === 0) return [];
    return [-c / b];
  }
  const disc = b * b - 4 * a * c;
  if (disc < 0) {
    // Tangency lost to rounding: accept the vertex if the residual there is negligible.
    const xv = -b / (2 * a);
    const res = Math.abs(a * xv * xv + b * xv + c);
    return res <= TOUCH_TOLERANCE * (Math.abs(a * xv * xv) + Math.abs(b * xv) + Math.abs(c)) ? [xv] : [];
  }
  if (disc === 0) return [-b / (2 * a)];
  const q = -0.5 * (b + (b >= 0 ? 1 : -1) * Math.sqrt(disc));
  const r1 = q / a;
  const r2 = q === 0 ? 0 : c / q;
  return r1 < r2 ? [r1, r2] : [r2, r1];
}

/**
 * All real roots of a polynomial (lowest degree first) in the closed interval [lo, hi], ascending,
 * double roots reported once.
 */
export function realRootsInRange(c: readonly number[], lo: number, hi: number): number[] {
  const n = degree(c);
  if (n <= 0 || !(hi >= lo)) return [];
  if (n <= 2) {
    return solveQuadratic(n === 2 ? (c[2] as number) : 0, c[1] as number, c[0] as number).filter((x) => x >= lo && x <= hi);
  }
  const crit = realRootsInRange(derivative(c.slice(0, n + 1)), lo, hi);
  const out: number[] = [];
  let a = lo;
  let fa = evalPoly(c, a);
  if (fa === 0) out.push(a);
  const ends = [...crit, hi];
  for (const b of ends) {
    const fb = evalPoly(c, b);
    if (b > a) {
      if ((fa < 0 && fb > 0) || (fa > 0 && fb < 0)) out.push(bracketRoot(c, a, b, fa, fb));
      else if (fb === 0 || (b !== hi && Math.abs(fb) <= TOUCH_TOLERANCE * polyScale(c, b))) {
        if (out.length === 0 || Math.abs((out[out.length - 1] as number) - b) > ROOT_TOLERANCE * Math.max(1, Math.abs(b))) out.push(b);
      }
    }
    a = b;
    fa = fb;
  }
  return dedupe(out);
}

/** Drops roots closer than the tolerance to their predecessor (input ascending). */
function dedupe(roots: number[]): number[] {
  const out: number[] = [];
  for (const r of roots) {
    const last = out[out.length - 1];
    if (last === undefined || Math.abs(r - last) > ROOT_TOLERANCE * 10 * Math.max(1, Math.abs(r))) out.push(r);
  }
  return out;
}

/**
 * All real roots of a x^4 + b x^3 + c x^2 + d x + e, ascending (double roots once). Lower-degree
 * polynomials are accepted (leading zeros). Roots are searched inside Cauchy's bound
 * 1 + max |coef_i / leading|.
 */
export function solveQuartic(a: number, b: number, c: number, d: number, e: number): number[] {
  const coeffs = [e, d, c, b, a];
  const n = degree(coeffs);
  if (n <= 0) return [];
  const lead = Math.abs(coeffs[n] as number);
  let bound = 0;
  for (let i = 0; i < n; i++) bound = Math.max(bound, Math.abs(coeffs[i] as number) / lead);
  bound += 1;
  return realRootsInRange(coeffs.slice(0, n + 1), -bound, bound);
}

/**
 * First time in [lo, hi] at which a "gap" polynomial g (positive = apart) goes from > 0 to <= 0,
 * i.e. the first contact. If g(lo) <= 0 and g is decreasing at lo (already touching and
 * approaching) returns lo. Returns Infinity if there is no such crossing.
 */
export function firstEntry(c: readonly number[], lo: number, hi: number): number {
  if (!(hi >= lo)) return Infinity;
  const g0 = evalPoly(c, lo);
  const d = derivative(c);
  if (g0 <= 0 && evalPoly(d, lo) < 0) return lo;
  const crit = realRootsInRange(d, lo, hi);
  let a = lo;
  let fa = g0;
  for (let i = 0; i <= crit.length; i++) {
    const b = i < crit.length ? (crit[i] as number) : hi;
    if (b <= a) continue;
    const fb = evalPoly(c, b);
    if (fa > 0 && fb <= 0) return fb === 0 ? b : bracketRoot(c, a, b, fa, fb);
    a = b;
    fa = fb;
  }
  return Infinity;
}

/** Safeguarded Newton on a bracket [a, b] with f(a), f(b) of opposite signs (or f(b) = 0). */
function bracketRoot(c: readonly number[], a: number, b: number, fa: number, fb: number): number {
  if (fb === 0) return b;
  if (fa === 0) return a;
  // Orient so that f(neg) < 0 < f(pos).
  let neg = fa < 0 ? a : b;
  let pos = fa < 0 ? b : a;
  let x = 0.5 * (a + b);
  const d = derivative(c);
  for (let i = 0; i < MAX_ITER; i++) {
    const fx = evalPoly(c, x);
    if (fx === 0) return x;
    if (fx < 0) neg = x;
    else pos = x;
    const width = Math.abs(pos - neg);
    if (width <= ROOT_TOLERANCE * Math.max(1, Math.abs(x))) break;
    const dfx = evalPoly(d, x);
    let next = dfx !== 0 ? x - fx / dfx : NaN;
    const lo = Math.min(neg, pos);
    const hi = Math.max(neg, pos);
    // Reject Newton steps that leave the bracket or do not at least halve it over two steps.
    if (!(next > lo && next < hi) || Math.abs(next - x) > 0.5 * width) next = 0.5 * (lo + hi);
    if (next === x) break;
    x = next;
  }
  return x;
}
