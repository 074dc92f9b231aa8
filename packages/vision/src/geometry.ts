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
export function fitLine(points: readonly Point[]): Line | null {
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

/** Circle (centre, radius) in the points' units. */
export interface Circle {
  x: number;
  y: number;
  r: number;
}

/** Algebraic (Kasa) circle fit; null for fewer than 3 points or collinear points. */
export function fitCircle(points: readonly Point[]): Circle | null {
  const n = points.length;
  if (n < 3) return null;
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

/** Signed distance of p from the line, positive on the side the normal points to. */
export function lineDistance(l: Line, p: Point): number {
  return l.nx * p.x + l.ny * p.y - l.c;
}
