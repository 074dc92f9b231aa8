/**
 * Homography helpers of the dashboard. The math (4-point DLT, apply, invert) is the vision
 * package's (`@tablecast/vision/homography`, no Node dependencies); this file adds the CSS form used
 * to lay the camera image under the canvas overlay so the table in the image coincides with the
 * drawn table.
 */
import { applyHomography, homographyFrom4, invert3, type Mat3, type Point } from '@tablecast/vision/homography';

export { applyHomography, homographyFrom4, type Mat3 };

/** A 2D point. */
export type Pt = Point;

/**
 * The inverse of `h`, normalised so h33 = 1 when possible.
 * @throws Error when `h` is singular
 */
export function invertHomography(h: Mat3): Mat3 {
  return invert3(h);
}

/**
 * CSS `matrix3d(...)` for a 2D homography acting on an element's local pixel coordinates (use with
 * `transform-origin: 0 0`). CSS matrices are column-major 4x4; z passes through unchanged.
 */
export function toCssMatrix3d(h: Mat3): string {
  const m = [h[0]!, h[3]!, 0, h[6]!, h[1]!, h[4]!, 0, h[7]!, 0, 0, 1, 0, h[2]!, h[5]!, 0, h[8]!];
  return `matrix3d(${m.map((v) => Number(v.toFixed(10))).join(',')})`;
}
