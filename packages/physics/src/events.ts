/**
 * Next-event times from the analytic motion (Leckie & Greenspan 2006; pooltool's
 * `get_next_*_collision`). Every centre moves as r(t) = r + v dt + a dt^2 / 2 within a segment, so
 * - straight cushion: n . (r(dt) - p1) - R = 0 is a quadratic,
 * - ball-ball: |r1(dt) - r2(dt)|^2 - (2R)^2 = 0 is a quartic,
 * - jaw point / pocket capture circle: |r(dt) - q|^2 - rho^2 = 0 is a quartic.
 * The first time the "gap" polynomial crosses from positive to non-positive within the segments'
 * common validity is taken ({@link firstEntry}); a crossing is by construction an approach. A
 * cheap reachability test (distance minus the maximum travel) skips most polynomial solves.
 *
 * All functions take the current absolute time `now` (s), search up to `until` (s, default: the end
 * of the segment) and return an absolute time or Infinity.
 */
import { type Segment, isTranslating } from './ball-motion.js';
import { firstEntry } from './quartic.js';
import type { CushionSegment } from './table.js';

/** Position, velocity and acceleration of a segment at absolute time `now`. */
interface Local {
  x: number;
  y: number;
  vx: number;
  vy: number;
  ax: number;
  ay: number;
}

function local(s: Segment, now: number): Local {
  const dt = now - s.t0;
  return {
    x: s.x + s.vx * dt + 0.5 * s.ax * dt * dt,
    y: s.y + s.vy * dt + 0.5 * s.ay * dt * dt,
    vx: s.vx + s.ax * dt,
    vy: s.vy + s.ay * dt,
    ax: s.ax,
    ay: s.ay,
  };
}

/** Coefficients (lowest first) of |d + w dt + h dt^2|^2 - rho^2. */
function circleGap(dx: number, dy: number, wx: number, wy: number, hx: number, hy: number, rho: number): number[] {
  return [
    dx * dx + dy * dy - rho * rho,
    2 * (dx * wx + dy * wy),
    wx * wx + wy * wy + 2 * (dx * hx + dy * hy),
    2 * (wx * hx + wy * hy),
    hx * hx + hy * hy,
  ];
}

/**
 * Time at which two balls first touch (centre distance 2R), or Infinity. Only the time up to the end
 * of either ball's current segment is searched (the segments are recomputed at that event anyway).
 */
export function ballBallTime(a: Segment, b: Segment, now: number, R: number, until = Infinity): number {
  if (!isTranslating(a) && !isTranslating(b)) return Infinity;
  const horizon = Math.min(a.tEnd, b.tEnd, until) - now;
  if (!(horizon > 0)) return Infinity;
  const la = local(a, now);
  const lb = local(b, now);
  const dx = la.x - lb.x;
  const dy = la.y - lb.y;
  const wx = la.vx - lb.vx;
  const wy = la.vy - lb.vy;
  const hx = 0.5 * (la.ax - lb.ax);
  const hy = 0.5 * (la.ay - lb.ay);
  const reach = Math.hypot(wx, wy) * horizon + Math.hypot(hx, hy) * horizon * horizon;
  if (Math.hypot(dx, dy) - reach > 2 * R) return Infinity;
  const t = firstEntry(circleGap(dx, dy, wx, wy, hx, hy, 2 * R), 0, horizon);
  return t === Infinity ? t : now + t;
}

/** Time at which the ball centre comes within `rho` of the point (qx, qy), or Infinity. */
export function pointTime(s: Segment, qx: number, qy: number, rho: number, now: number, until = Infinity): number {
  if (!isTranslating(s)) return Infinity;
  const horizon = Math.min(s.tEnd, until) - now;
  if (!(horizon > 0)) return Infinity;
  const l = local(s, now);
  const dx = l.x - qx;
  const dy = l.y - qy;
  const reach = Math.hypot(l.vx, l.vy) * horizon + 0.5 * Math.hypot(l.ax, l.ay) * horizon * horizon;
  if (Math.hypot(dx, dy) - reach > rho) return Infinity;
  const t = firstEntry(circleGap(dx, dy, l.vx, l.vy, 0.5 * l.ax, 0.5 * l.ay, rho), 0, horizon);
  return t === Infinity ? t : now + t;
}

/**
 * Time at which the ball centre reaches distance R from a straight cushion's line while its
 * projection lies on the segment, or Infinity. Outside the segment the jaw points take over.
 */
export function cushionTime(s: Segment, c: CushionSegment, now: number, R: number, until = Infinity): number {
  if (!isTranslating(s)) return Infinity;
  const horizon = Math.min(s.tEnd, until) - now;
  if (!(horizon > 0)) return Infinity;
  const l = local(s, now);
  const g0 = c.nx * (l.x - c.x1) + c.ny * (l.y - c.y1) - R;
  const g1 = c.nx * l.vx + c.ny * l.vy;
  const g2 = 0.5 * (c.nx * l.ax + c.ny * l.ay);
  const reach = Math.abs(g1) * horizon + Math.abs(g2) * horizon * horizon;
  if (g0 - reach > 0) return Infinity;
  const t = firstEntry([g0, g1, g2], 0, horizon);
  if (t === Infinity) return t;
  const x = l.x + l.vx * t + 0.5 * l.ax * t * t;
  const y = l.y + l.vy * t + 0.5 * l.ay * t * t;
  const ex = c.x2 - c.x1;
  const ey = c.y2 - c.y1;
  const u = ((x - c.x1) * ex + (y - c.y1) * ey) / (ex * ex + ey * ey);
  return u >= 0 && u <= 1 ? now + t : Infinity;
}
