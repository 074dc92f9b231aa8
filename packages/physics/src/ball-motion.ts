/**
 * Analytic ball motion between events (Leckie & Greenspan 2006, as implemented in pooltool's
 * `evolve` module).
 *
 * A ball is in one of four states; in each its centre moves on a parabola (constant acceleration):
 * - sliding: the contact point slips with relative velocity u = v + R k x w. Friction
 *   -u_s m g u^ gives a = -u_s g u^ and dw_perp/dt = (5 u_s g / 2R) (k x u^); u shrinks at
 *   7/2 u_s g along a fixed direction, so rolling starts at t = 2|u0| / (7 u_s g).
 * - rolling: u = 0, a = -u_r g v^, w_perp = (k x v) / R; stops at t = |v0| / (u_r g).
 * - spinning: only the vertical spin w_z decays; stops at t = |w_z| 2R / (5 u_sp g).
 * - stationary.
 * In every state w_z decays linearly at 5 u_sp g / (2R) towards 0 (clamped at 0, no event needed
 * while the ball translates). k is the vertical unit vector; the frame is treated as right-handed
 * with z = k (see strike.ts for what this means for the sign of side spin).
 */
import { NUMERIC, type PhysicsParams } from './constants.js';

/** Motion state of a ball, as in pooltool. */
export type MotionState = 'stationary' | 'spinning' | 'sliding' | 'rolling';

/** Instantaneous kinematic state: position (m), velocity (m/s), angular velocity (rad/s). */
export interface Kinematics {
  x: number;
  y: number;
  vx: number;
  vy: number;
  wx: number;
  wy: number;
  wz: number;
}

/** One analytic motion segment, valid from t0 (s) until tEnd (s, Infinity when at rest). */
export interface Segment extends Kinematics {
  t0: number;
  tEnd: number;
  state: MotionState;
  /** Constant acceleration of the centre (m/s^2). */
  ax: number;
  ay: number;
  /** Constant rate of change of w_x, w_y while sliding (rad/s^2). */
  dwx: number;
  dwy: number;
}

/** Contact-point slip velocity u = v + R k x w (m/s), k x w = (-w_y, w_x). */
function slipVelocity(k: Kinematics, R: number): { ux: number; uy: number } {
  return { ux: k.vx - R * k.wy, uy: k.vy + R * k.wx };
}

/** Classifies a kinematic state (thresholds: slip NUMERIC.slipEps, speed NUMERIC.speedEps m/s, spin speedEps / R rad/s). */
function classify(k: Kinematics, p: PhysicsParams): MotionState {
  const { ux, uy } = slipVelocity(k, p.R);
  const eps = NUMERIC.speedEps;
  if (Math.hypot(ux, uy) > NUMERIC.slipEps) return 'sliding';
  if (Math.hypot(k.vx, k.vy) > eps) return 'rolling';
  if (Math.abs(k.wz) * p.R > eps) return 'spinning';
  return 'stationary';
}

/** Spin decay rate of w_z (rad/s^2): 5 u_sp g / (2R). */
function spinDecay(p: PhysicsParams): number {
  return (5 * p.u_sp * p.g) / (2 * p.R);
}

/**
 * Starts a segment at time t0 from a kinematic state: classifies it, snaps near-zero quantities to
 * exact zeros, and computes the constant accelerations and the closed-form end time.
 */
export function startSegment(t0: number, k: Kinematics, p: PhysicsParams): Segment {
  const state = classify(k, p);
  const s: Segment = { ...k, t0, tEnd: Infinity, state, ax: 0, ay: 0, dwx: 0, dwy: 0 };
  const g = p.g;
  if (state === 'sliding') {
    const { ux, uy } = slipVelocity(k, p.R);
    const u = Math.hypot(ux, uy);
    const hx = ux / u;
    const hy = uy / u;
    s.ax = -p.u_s * g * hx;
    s.ay = -p.u_s * g * hy;
    const rate = (5 * p.u_s * g) / (2 * p.R);
    s.dwx = -rate * hy; // k x u^ = (-u^_y, u^_x)
    s.dwy = rate * hx;
    s.tEnd = t0 + (2 * u) / (7 * p.u_s * g);
  } else if (state === 'rolling') {
    const v = Math.hypot(k.vx, k.vy);
    s.ax = (-p.u_r * g * k.vx) / v;
    s.ay = (-p.u_r * g * k.vy) / v;
    s.wx = -k.vy / p.R;
    s.wy = k.vx / p.R;
    s.tEnd = t0 + v / (p.u_r * g);
  } else {
    s.vx = 0;
    s.vy = 0;
    s.wx = 0;
    s.wy = 0;
    if (state === 'spinning') s.tEnd = t0 + Math.abs(k.wz) / spinDecay(p);
    else s.wz = 0;
  }
  return s;
}

/** w_z after dt seconds of decay (never crosses 0). */
function decayedSpin(wz: number, dt: number, p: PhysicsParams): number {
  if (wz === 0) return 0;
  const d = spinDecay(p) * dt;
  if (Math.abs(wz) <= d) return 0;
  return wz > 0 ? wz - d : wz + d;
}

/**
 * Full kinematic state at time t within [t0, tEnd]. At t = tEnd the closed-form end state is
 * returned exactly: sliding ends in pure rolling (w_perp = k x v / R), rolling and spinning end with
 * zero velocity / spin.
 */
export function kinematicsAt(s: Segment, t: number, p: PhysicsParams): Kinematics {
  const atEnd = t >= s.tEnd;
  const dt = (atEnd ? s.tEnd : t) - s.t0;
  const x = s.x + s.vx * dt + 0.5 * s.ax * dt * dt;
  const y = s.y + s.vy * dt + 0.5 * s.ay * dt * dt;
  const wz = decayedSpin(s.wz, dt, p);
  switch (s.state) {
    case 'sliding': {
      const vx = s.vx + s.ax * dt;
      const vy = s.vy + s.ay * dt;
      if (atEnd) return { x, y, vx, vy, wx: -vy / p.R, wy: vx / p.R, wz };
      return { x, y, vx, vy, wx: s.wx + s.dwx * dt, wy: s.wy + s.dwy * dt, wz };
    }
    case 'rolling': {
      if (atEnd) return { x, y, vx: 0, vy: 0, wx: 0, wy: 0, wz };
      const vx = s.vx + s.ax * dt;
      const vy = s.vy + s.ay * dt;
      return { x, y, vx, vy, wx: -vy / p.R, wy: vx / p.R, wz };
    }
    case 'spinning':
      return { x, y, vx: 0, vy: 0, wx: 0, wy: 0, wz: atEnd ? 0 : wz };
    default:
      return { x, y, vx: 0, vy: 0, wx: 0, wy: 0, wz: 0 };
  }
}

/** True when the ball translates during the segment. */
export function isTranslating(s: Segment): boolean {
  return s.state === 'sliding' || s.state === 'rolling';
}

