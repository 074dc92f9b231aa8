/**
 * Planar homographies (3x3, row-major) from four point correspondences, and their CSS `matrix3d`
 * form, used to lay the camera image under the canvas overlay so the table in the image coincides
 * with the drawn table. Direct linear transform with h33 = 1 (Hartley & Zisserman, "Multiple View
 * Geometry", 2nd ed., section 4.1), solved by Gaussian elimination with partial pivoting.
 */

/** A 2D point. */
export interface Pt {
  x: number;
  y: number;
}

/** Row-major 3x3 matrix [h11, h12, h13, h21, h22, h23, h31, h32, h33]. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

/**
 * The homography mapping each `src[i]` onto `dst[i]` (exactly four points, no three collinear).
 * @throws Error when the points are degenerate
 */
export function homographyFrom4(src: readonly Pt[], dst: readonly Pt[]): Mat3 {
  if (src.length !== 4 || dst.length !== 4) throw new Error('homography needs exactly 4 point pairs');
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i] as Pt;
    const { x: u, y: v } = dst[i] as Pt;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  const h = solve(A);
  return [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1] as Mat3;
}

/** Solves the 8x8 system given as an augmented 8x9 matrix. */
function solve(A: number[][]): number[] {
  const n = 8;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    if (Math.abs(A[p]![c]!) < 1e-12) throw new Error('degenerate point configuration');
    [A[c], A[p]] = [A[p]!, A[c]!];
    const row = A[c]!;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const other = A[r]!;
      const f = other[c]! / row[c]!;
      for (let k = c; k <= n; k++) other[k] = other[k]! - f * row[k]!;
    }
  }
  return A.map((row, i) => row[n]! / row[i]!);
}

/** Applies `h` to `p`. */
export function applyHomography(h: Mat3, p: Pt): Pt {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

/** The inverse of `h` (adjugate / determinant), normalised so h33 = 1 when possible. */
export function invertHomography(h: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, i, j] = h;
  const A = e * j - f * i;
  const B = -(d * j - f * g);
  const C = d * i - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) throw new Error('singular homography');
  const inv: Mat3 = [
    A / det, -(b * j - c * i) / det, (b * f - c * e) / det,
    B / det, (a * j - c * g) / det, -(a * f - c * d) / det,
    C / det, -(a * i - b * g) / det, (a * e - b * d) / det,
  ];
  const s = Math.abs(inv[8]) > 1e-12 ? inv[8] : 1;
  return inv.map((v) => v / s) as Mat3;
}

/**
 * CSS `matrix3d(...)` for a 2D homography acting on an element's local pixel coordinates (use with
 * `transform-origin: 0 0`). CSS matrices are column-major 4x4; z passes through unchanged.
 */
export function toCssMatrix3d(h: Mat3): string {
  const m = [h[0], h[3], 0, h[6], h[1], h[4], 0, h[7], 0, 0, 1, 0, h[2], h[5], 0, h[8]];
  return `matrix3d(${m.map((v) => Number(v.toFixed(10))).join(',')})`;
}
