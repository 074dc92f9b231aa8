/**
 * Distance from a point to a line segment, in the plane (any one unit; metres in the core).
 */

/**
 * Distance from point (`px`, `py`) to the segment from (`ax`, `ay`) to (`ax + dx`, `ay + dy`): to the
 * nearest point of the segment (the projection, clamped to its ends); to (`ax`, `ay`) when the
 * segment has length 0.
 */
export function distanceToSegment(px: number, py: number, ax: number, ay: number, dx: number, dy: number): number {
  const len2 = dx * dx + dy * dy;
  const u = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(ax + u * dx - px, ay + u * dy - py);
}
