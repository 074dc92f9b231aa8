/**
 * Ball-ball collision resolution for equal balls.
 *
 * Normal direction (both models): restitution along the line of centres n,
 *   v1n' = ((1 - e) v1n + (1 + e) v2n) / 2,   v2n' = ((1 + e) v1n + (1 - e) v2n) / 2,
 * so a head-on stun hit with e = 0.95 sends the object ball off at 0.975 v and leaves the cue ball
 * with 0.025 v.
 *
 * 'frictional' (Alciatore TP A-14 "throw", extended to both balls as in pooltool's
 * `frictional_inelastic`): the contact points slip with relative velocity
 *   s = (v1 + w1 x R n) - (v2 + w2 x (-R n)), tangential part only.
 * A friction impulse J opposes s with magnitude min(u_b Jn, m |s| / 7), where Jn is the normal
 * impulse and m |s| / 7 is the impulse that stops the slip (each ball's contact point responds to a
 * tangential impulse with 7/2 J / m, from m dv = J and I dw = r x J, I = 2/5 m R^2). J changes both
 * balls' spins by (5 / 2R) (n x J / m) and their velocities by +-J / m; the vertical part of J only
 * changes spin (the cloth absorbs vertical momentum, as in pooltool). This produces cut-induced and
 * spin-induced throw.
 *
 * Both models enforce a separation speed of at least NUMERIC.minSeparationSpeed (2 mm/s) along
 * the line of centres, against inelastic collapse (see constants.ts).
 *
 * 'elastic': frictionless, spins untouched (restitution still e_b; set e_b = 1 for a perfectly
 * elastic collision that conserves kinetic energy).
 */
import { NUMERIC, ballBallFriction, type PhysicsParams } from './constants.js';
import type { Kinematics } from './ball-motion.js';

/** Ball-ball collision model. */
export type CollisionModel = 'frictional' | 'elastic';

/**
 * Resolves a collision between two touching balls; returns their new kinematic states (velocities
 * in m/s, spins in rad/s). Positions are copied unchanged. If the balls are not approaching along
 * the line of centres the states are returned unchanged.
 */
export function resolveBallBall(
  k1: Kinematics,
  k2: Kinematics,
  p: PhysicsParams,
  model: CollisionModel,
): [Kinematics, Kinematics] {
  let nx = k2.x - k1.x;
  let ny = k2.y - k1.y;
  const d = Math.hypot(nx, ny);
  if (d === 0) return [{ ...k1 }, { ...k2 }];
  nx /= d;
  ny /= d;
  const v1n = k1.vx * nx + k1.vy * ny;
  const v2n = k2.vx * nx + k2.vy * ny;
  const approach = v1n - v2n;
  const a: Kinematics = { ...k1 };
  const b: Kinematics = { ...k2 };
  if (approach <= 0) return [a, b];
  const jn = ((1 + p.e_b) / 2) * approach; // normal impulse per unit mass (m/s)
  a.vx -= jn * nx;
  a.vy -= jn * ny;
  b.vx += jn * nx;
  b.vy += jn * ny;
  // Minimum separation speed (NUMERIC.minSeparationSpeed), split evenly between the balls.
  const sep = (b.vx - a.vx) * nx + (b.vy - a.vy) * ny;
  if (sep < NUMERIC.minSeparationSpeed) {
    const half = (NUMERIC.minSeparationSpeed - sep) / 2;
    a.vx -= half * nx;
    a.vy -= half * ny;
    b.vx += half * nx;
    b.vy += half * ny;
  }
  if (model === 'elastic') return [a, b];

  const R = p.R;
  // Contact-point velocities: w x r with r = +R n (ball 1) and -R n (ball 2); n has no z part.
  const c1x = k1.vx - k1.wz * R * ny;
  const c1y = k1.vy + k1.wz * R * nx;
  const c1z = R * (k1.wx * ny - k1.wy * nx);
  const c2x = k2.vx + k2.wz * R * ny;
  const c2y = k2.vy - k2.wz * R * nx;
  const c2z = -R * (k2.wx * ny - k2.wy * nx);
  let sx = c1x - c2x;
  let sy = c1y - c2y;
  const sz = c1z - c2z;
  const sn = sx * nx + sy * ny;
  sx -= sn * nx;
  sy -= sn * ny;
  const slip = Math.hypot(sx, sy, sz);
  if (slip <= 1e-12) return [a, b];
  const mu = ballBallFriction(p, slip);
  const jt = Math.min(mu * jn, slip / 7); // tangential impulse per unit mass (m/s)
  const jx = (-jt * sx) / slip;
  const jy = (-jt * sy) / slip;
  const jz = (-jt * sz) / slip;
  // Spin change (5 / 2R) (n x J), identical for both balls.
  const f = 5 / (2 * R);
  const dwx = f * (ny * jz);
  const dwy = f * (-nx * jz);
  const dwz = f * (nx * jy - ny * jx);
  a.vx += jx;
  a.vy += jy;
  b.vx -= jx;
  b.vy -= jy;
  a.wx += dwx;
  a.wy += dwy;
  a.wz += dwz;
  b.wx += dwx;
  b.wy += dwy;
  b.wz += dwz;
  return [a, b];
}

/**
 * Cut angle of a collision in degrees (0 = full/head-on hit, 90 = graze): the angle between the
 * striking ball's velocity relative to the other ball and the line of centres.
 */
export function cutAngleDeg(k1: Kinematics, k2: Kinematics): number {
  const nx = k2.x - k1.x;
  const ny = k2.y - k1.y;
  const rvx = k1.vx - k2.vx;
  const rvy = k1.vy - k2.vy;
  const dn = Math.hypot(nx, ny) * Math.hypot(rvx, rvy);
  if (dn === 0) return 0;
  const c = Math.min(1, Math.max(-1, (nx * rvx + ny * rvy) / dn));
  return (Math.acos(c) * 180) / Math.PI;
}
