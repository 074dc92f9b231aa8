/**
 * Small geometry helpers: robust least-squares line fitting (total least squares with iterative
 * trimming), line intersection, algebraic circle fit (Kasa, "A circle fitting procedure and its
 * error analysis", IEEE Trans. Instrum. Meas. 1976) and point-in-quadrilateral.
 */
import type { Point } from './homography.js';

/** A line n.x * x + n.y * y = c with unit normal n. */
export interface Line {
  nx: number;
  ny: number;
  c: number;
}

/** Total-least-squares line through points (principal axis of their scatter). Null for < 2 points. */
function fitLine(points: readonly Point[]): Line | null {
  const n = points.length;
  if (n < 2) return null;
  let mx = 0, my = 0;
  for (const p of points) { mx += p.x; my += p.y; }
  mx /= n; my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (const p of points) {
    const dx = p.x - mx, dy = p.y - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  // Direction = eigenvector of the largest eigenvalue; the normal is perpendicular.
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const nx = -Math.sin(theta), ny = Math.cos(theta);
  return { nx, ny, c: nx * mx + ny * my };
}

/**
 * Robust line fit: fits, drops points whose distance exceeds max(2.5 x median residual, minTol),
 * refits; repeated `rounds` times.
 * @param minTol residual floor in the points' units (pixels)
 */
export function fitLineRobust(points: readonly Point[], rounds = 3, minTol = 1): Line | null {
  let pts = points.slice();
  let line = fitLine(pts);
  for (let r = 0; r < rounds && line; r++) {
    const l = line;
    const res = pts.map((p) => Math.abs(l.nx * p.x + l.ny * p.y - l.c));
    const sorted = res.slice().sort((a, b) => a - b);
    const tol = Math.max(minTol, 2.5 * (sorted[sorted.length >> 1] ?? 0));
    const kept = pts.filter((_, i) => res[i]! <= tol);
    if (kept.length < 2 || kept.length === pts.length) break;
    pts = kept;
    line = fitLine(pts);
  }
  return line;
}

/** Intersection of two lines, or null when parallel. */
export function intersect(a: Line, b: Line): Point | null {
  const det = a.nx * b.ny - a.ny * b.nx;
  if (Math.abs(det) < 1e-12) return null;
  return { x: (a.c * b.ny - a.ny * b.c) / det, y: (a.nx * b.c - a.c * b.nx) / det };
}

/**
 * Euclidean length of (x, y), bit-identical to `Math.hypot(x, y)` in V8 (same algorithm: both
 * magnitudes normalised by the larger one, (Kahan-compensated) sum of squares, square root times
 * the larger magnitude), but inlinable: `Math.hypot` is a variadic builtin call, about 3x slower
 * in the detectors' inner loops.
 */
export function hypot2(x: number, y: number): number {
  const a = Math.abs(x), b = Math.abs(y);
  const max = a > b || b !== b ? a : b;
  if (max === Infinity) return Infinity;
  if (a !== a || b !== b) return NaN;
  if (max === 0) return 0;
  // With two terms the Kahan compensation after the first is exactly 0, so it drops out.
  const na = a / max, nb = b / max;
  return Math.sqrt(na * na + nb * nb) * max;
}

/**
 * `Math.round(x)` written out, for the detectors' inner loops where it measured faster:
 * floor(x + 0.5), less one where the addition itself rounded up to the next integer (x just below
 * a half, e.g. 0.49999999999999994). Same result as Math.round for every x except that -0 comes
 * out as 0 (the same pixel index).
 */
export function roundPixel(x: number): number {
  const r = Math.floor(x + 0.5);
  return r - 0.5 > x ? r - 1 : r;
}

/** Circle (centre, radius) in the points' units. */
export interface Circle {
  x: number;
  y: number;
  r: number;
}

/** Algebraic (Kasa) circle fit; null for fewer than 3 points or collinear points. */
export function fitCircle(points: readonly Point[]): Circle | null {
  const n = points.length;
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let i = 0; i < n; i++) { xs[i] = points[i]!.x; ys[i] = points[i]!.y; }
  return fitCircleXY(xs, ys, n);
}

/**
 * {@link fitCircle} over the first n entries of coordinate arrays (no point objects; same
 * arithmetic, same result).
 */
export function fitCircleXY(xs: Float64Array, ys: Float64Array, n: number): Circle | null {
  if (n < 3) return null;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += xs[i]!; my += ys[i]!; }
  mx /= n; my /= n;
  let suu = 0, suv = 0, svv = 0, suuu = 0, svvv = 0, suvv = 0, svuu = 0;
  for (let i = 0; i < n; i++) {
    const u = xs[i]! - mx, v = ys[i]! - my;
    const uu = u * u, vv = v * v;
    suu += uu; suv += u * v; svv += vv;
    suuu += uu * u; svvv += vv * v; suvv += u * vv; svuu += v * uu;
  }
  const det = suu * svv - suv * suv;
  if (Math.abs(det) < 1e-9) return null;
  const b1 = 0.5 * (suuu + suvv), b2 = 0.5 * (svvv + svuu);
  const uc = (b1 * svv - b2 * suv) / det;
  const vc = (suu * b2 - suv * b1) / det;
  const r = Math.sqrt(uc * uc + vc * vc + (suu + svv) / n);
  return { x: uc + mx, y: vc + my, r };
}

/** Whether p lies inside the convex quadrilateral q (corners in order, either winding). */
export function insideQuad(q: readonly Point[], p: Point): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const a = q[i]!, b = q[(i + 1) % 4]!;
    const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    if (cross === 0) continue;
    const s = cross > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

/**
 * {@link insideQuad} without objects, for inner loops: same arithmetic, same result.
 * @param q corners packed as [x0, y0, x1, y1, x2, y2, x3, y3]
 */
export function insideQuadXY(q: Float64Array, x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < 8; i += 2) {
    const j = (i + 2) & 7;
    const ax = q[i]!, ay = q[i + 1]!;
    const cross = (q[j]! - ax) * (y - ay) - (q[j + 1]! - ay) * (x - ax);
    if (cross === 0) continue;
    const s = cross > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

/** Packs four corners as [x0, y0, ..., x3, y3] for {@link insideQuadXY}. */
export function packQuad(q: readonly Point[]): Float64Array {
  const out = new Float64Array(8);
  for (let i = 0; i < 4; i++) { out[2 * i] = q[i]!.x; out[2 * i + 1] = q[i]!.y; }
  return out;
}

/** Axis-aligned rectangle [x0, x1] x [y0, y1] (inclusive bounds). */
export interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * An axis-aligned rectangle whose points lie inside every given quadrilateral by at least
 * `margin`, so that {@link insideQuadXY} is certainly true there: the cross products it tests
 * are then at least margin x edge length away from 0, far beyond their rounding error for image
 * coordinates. Built from the second-smallest / second-largest corner coordinates of each quad
 * (the inscribed rectangle of a roughly axis-aligned quad) and checked: null when a quad is not
 * convex or the rectangle does not fit.
 * @param quads packed corners ({@link packQuad})
 * @param margin distance from every edge, in the quads' units (> 0)
 */
export function innerRect(quads: readonly Float64Array[], margin: number): Rect | null {
  let x0 = -Infinity, x1 = Infinity, y0 = -Infinity, y1 = Infinity;
  for (const q of quads) {
    let turn = 0;
    for (let i = 0; i < 8; i += 2) {
      const j = (i + 2) & 7, k = (i + 4) & 7;
      const c = (q[j]! - q[i]!) * (q[k + 1]! - q[j + 1]!) - (q[j + 1]! - q[i + 1]!) * (q[k]! - q[j]!);
      const s = c > 0 ? 1 : c < 0 ? -1 : 0;
      if (s === 0 || (turn !== 0 && s !== turn)) return null;
      turn = s;
    }
    const xs = [q[0]!, q[2]!, q[4]!, q[6]!].sort((a, b) => a - b);
    const ys = [q[1]!, q[3]!, q[5]!, q[7]!].sort((a, b) => a - b);
    x0 = Math.max(x0, xs[1]!); x1 = Math.min(x1, xs[2]!);
    y0 = Math.max(y0, ys[1]!); y1 = Math.min(y1, ys[2]!);
  }
  const r = { x0: x0 + margin, x1: x1 - margin, y0: y0 + margin, y1: y1 - margin };
  if (!(r.x0 < r.x1 && r.y0 < r.y1)) return null;
  // Convex quads: the rectangle grown by margin / 2 fits when its corners do.
  const h = margin / 2;
  for (const q of quads) {
    for (const [x, y] of [[r.x0 - h, r.y0 - h], [r.x1 + h, r.y0 - h], [r.x1 + h, r.y1 + h], [r.x0 - h, r.y1 + h]] as const) {
      if (!insideQuadXY(q, x, y)) return null;
    }
  }
  return r;
}

