/**
 * Ball-cushion collision resolution.
 *
 * 'simple': the velocity component along the cushion normal is reversed and scaled by the cushion
 * restitution e_c, the tangential component is kept. The spin's "rolling velocity"
 * (R w_y, -R w_x) is mirrored the same way, so a rolling ball leaves the cushion rolling and a stun
 * ball leaves it stunned; side spin w_z is kept. With no spin, 45 degrees in at e_c = 0.85 comes out
 * at atan(1 / 0.85) = 49.64 degrees from the normal.
 *
 * 'han2005': Han (2005) "Dynamics in carom and three cushion billiards" (J. Mech. Sci. Tech. 19),
 * impulse-based with the cushion nose at height h above the cloth (contact angle
 * theta_a = asin(h / R - 1)), sticking or forward-sliding friction f_c at the cushion, restitution
 * e_c; transcribed from pooltool's `han2005` (eqs 14-22 of the paper). Side spin changes the rebound
 * angle ("running" / "reverse" english).
 *
 * Both models guarantee an outward normal speed of at least NUMERIC.minBounceSpeed (1e-4 m/s) so a
 * ball pressed into a cushion by its own spin cannot produce an endless chain of tiny bounces.
 */
import { NUMERIC, type PhysicsParams } from './constants.js';
import type { Kinematics } from './ball-motion.js';

/** Ball-cushion model. */
export type CushionModel = 'simple' | 'han2005';

/**
 * Resolves a ball hitting a cushion whose unit normal (nx, ny) points into the table (for a jaw
 * point: from the jaw towards the ball centre). Returns the new kinematic state (m/s, rad/s).
 */
export function resolveCushion(k: Kinematics, nx: number, ny: number, p: PhysicsParams, model: CushionModel): Kinematics {
  const out = model === 'han2005' ? han2005(k, nx, ny, p) : simple(k, nx, ny, p);
  // Enforce a minimum outward normal speed.
  const vn = out.vx * nx + out.vy * ny;
  if (vn < NUMERIC.minBounceSpeed) {
    const dv = NUMERIC.minBounceSpeed - vn;
    out.vx += dv * nx;
    out.vy += dv * ny;
  }
  return out;
}

function simple(k: Kinematics, nx: number, ny: number, p: PhysicsParams): Kinematics {
  const e = p.e_c;
  const vn = k.vx * nx + k.vy * ny;
  const out: Kinematics = { ...k };
  if (vn < 0) {
    out.vx = k.vx - (1 + e) * vn * nx;
    out.vy = k.vy - (1 + e) * vn * ny;
  }
  // Rolling velocity of the spin: (R w_y, -R w_x).
  const rx = p.R * k.wy;
  const ry = -p.R * k.wx;
  const rn = rx * nx + ry * ny;
  if (rn < 0) {
    const rx2 = rx - (1 + e) * rn * nx;
    const ry2 = ry - (1 + e) * rn * ny;
    out.wy = rx2 / p.R;
    out.wx = -ry2 / p.R;
  }
  return out;
}

function han2005(k: Kinematics, nx: number, ny: number, p: PhysicsParams): Kinematics {
  const { R, m } = p;
  // Cushion frame: x along the normal pointing out of the table (into the cushion).
  const psi = Math.atan2(-ny, -nx);
  const cs = Math.cos(psi);
  const sn = Math.sin(psi);
  const rot = (x: number, y: number): [number, number] => [x * cs + y * sn, -x * sn + y * cs];
  const unrot = (x: number, y: number): [number, number] => [x * cs - y * sn, x * sn + y * cs];
  const [vx, vy] = rot(k.vx, k.vy);
  const [wx, wy] = rot(k.wx, k.wy);
  const wz = k.wz;
  if (vx <= 0) return { ...k }; // not moving into the cushion

  const e = p.e_c;
  const mu = p.f_c;
  const thetaA = Math.asin(p.cushionHeight / R - 1);
  const st = Math.sin(thetaA);
  const ct = Math.cos(thetaA);
  // Eqs 14: slip at the cushion contact; c is the normal approach speed at the contact.
  const sx = vx * st + R * wy;
  const sy = -vy - R * wz * ct + R * wx * st;
  const c = -vx * ct;
  // Eqs 16
  const II = (2 / 5) * m * R * R;
  const A = 7 / 2 / m;
  const B = 1 / m;
  // Eqs 17 & 20
  const PzE = (-(1 + e) * c) / B;
  const s0 = Math.hypot(sx, sy);
  const PzS = s0 / A;
  let PxE: number;
  let PyE: number;
  if (PzS <= mu * PzE) {
    PxE = sx / A; // Eqs 18: sliding then sticking
    PyE = sy / A;
  } else {
    PxE = (mu * PzE * sx) / s0; // Eqs 19: forward sliding
    PyE = (mu * PzE * sy) / s0;
  }
  // Eqs 21 & 22: contact frame to rail frame.
  const PX = -PxE * st - PzE * ct;
  const PY = PyE;
  const PZ = PxE * ct - PzE * st;
  const nvx = vx + PX / m;
  const nvy = vy + PY / m;
  const nwx = wx + (-R / II) * PY * st;
  const nwy = wy + (R / II) * (PX * st - PZ * ct);
  const nwz = wz + (R / II) * PY * ct;
  const [ovx, ovy] = unrot(nvx, nvy);
  const [owx, owy] = unrot(nwx, nwy);
  return { x: k.x, y: k.y, vx: ovx, vy: ovy, wx: owx, wy: owy, wz: nwz };
}
