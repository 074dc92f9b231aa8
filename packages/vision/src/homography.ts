/**
 * Planar homography from four point pairs (direct linear transform, Hartley & Zisserman,
 * "Multiple View Geometry", 2nd ed., algorithm 4.1 with h33 fixed to 1), its inverse and
 * point mapping. Matrices are 3x3 row-major arrays of 9 numbers.
 */

/** A 2-D point (units depend on the space: pixels or metres). */
export interface Point {
  x: number;
  y: number;
}

/** 3x3 row-major matrix. */
export type Mat3 = number[];

/**
 * Solves the 8x8 linear system of the DLT for the homography mapping `src[i]` to `dst[i]`.
 * @param src four source points (e.g. pixels), no three collinear
 * @param dst four destination points (e.g. table metres)
 * @throws Error when the points are degenerate (singular system)
 */
export function homographyFrom4(src: readonly Point[], dst: readonly Point[]): Mat3 {
  if (src.length !== 4 || dst.length !== 4) throw new Error('homographyFrom4 needs exactly 4 point pairs');
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i]!;
    const { x: u, y: v } = dst[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const h = solveGauss(a, 8);
  return [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
}

/** Gaussian elimination with partial pivoting on an n x (n+1) augmented matrix. */
function solveGauss(a: number[][], n: number): number[] {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) throw new Error('homography: degenerate points (three collinear or repeated)');
    [a[c], a[p]] = [a[p]!, a[c]!];
    const row = a[c]!;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / row[c]!;
      if (f === 0) continue;
      const rr = a[r]!;
      for (let k = c; k <= n; k++) rr[k] = rr[k]! - f * row[k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

/**
 * Maps a point through a homography (projective division included).
 * @throws never; returns non-finite numbers for points on the line at infinity
 */
export function applyHomography(h: Mat3, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/**
 * Inverse of a 3x3 matrix via the adjugate, normalised so that element [8] is 1 when possible.
 * @throws Error when the matrix is singular
 */
export function invert3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) throw new Error('invert3: singular matrix');
  const inv = [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((v) => v / det);
  const s = Math.abs(inv[8]!) > 1e-15 ? inv[8]! : 1;
  return inv.map((v) => v / s);
}

/**
 * Local scale of a homography at a point: how many destination units one source unit spans
 * (geometric mean of the x and y Jacobian column norms), by central differences.
 */
export function localScale(h: Mat3, p: Point, step = 1): number {
  const o = applyHomography(h, p);
  const px = applyHomography(h, { x: p.x + step, y: p.y });
  const py = applyHomography(h, { x: p.x, y: p.y + step });
  const sx = Math.hypot(px.x - o.x, px.y - o.y) / step;
  const sy = Math.hypot(py.x - o.x, py.y - o.y) / step;
  return Math.sqrt(sx * sy);
}
