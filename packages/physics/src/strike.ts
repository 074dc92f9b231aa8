/**
 * Cue strike: the cue ball's velocity and spin right after the tip leaves it.
 *
 * Model: pooltool's `cue_strike` (Leckie & Greenspan 2006 / Marlow) with a level cue (no elevation,
 * no squirt), expressed with the resulting cue-ball speed instead of the cue speed. The tip gives
 * an impulse J = m v along the aim direction d at the contact point r = (side a R, height b R) from
 * the centre; with I = 2/5 m R^2 the spin is w = (r x J) / I, i.e.
 *   w_perp = (5 b v / 2R) (k x d)   (b = 2/5 gives natural roll: follow > 0, draw < 0)
 *   |w_z|  = 5 |a| v / 2R           (side spin)
 *
 * Side-spin sign: the table frame (x right, y down on screen, seen from above) is mirrored with
 * respect to a right-handed frame with z up, and the simulator treats it as right-handed. Right
 * english (tip right of centre as seen by the shooter) spins the ball counter-clockwise seen from
 * above, which in this frame is w_z < 0, so w_z = -5 a v / 2R.
 */
import type { PhysicsParams } from './constants.js';
import type { Kinematics } from './ball-motion.js';

/** A cue stroke. */
export interface CueStrike {
  /** Aim direction in degrees in the table frame: direction = (cos a, sin a). */
  angleDeg: number;
  /** Cue-ball speed right after the strike (m/s), >= 0. */
  speed: number;
  /** Horizontal tip offset as a fraction of R, clamped to [-0.5, 0.5]; + = right english. */
  tipSide?: number;
  /** Vertical tip offset as a fraction of R, clamped to [-0.5, 0.5]; + = follow, - = draw. */
  tipVertical?: number;
}

/** Cue-ball speed for power = 1 (m/s): a hard break shot. */
export const MAX_CUE_SPEED = 8;

/** Largest tip offset accepted, as a fraction of R (beyond it a real cue miscues). */
export const MAX_TIP_OFFSET = 0.5;

/**
 * Maps a normalised stroke power to a cue-ball speed: speed = 8 m/s * clamp(power, 0, 1), linear.
 * 0.25 (~2 m/s) is a medium positional shot, 0.5 (4 m/s) firm, 1 (8 m/s) a hard break.
 *
 * @throws RangeError if power is not a finite number.
 */
export function powerToSpeed(power: number): number {
  if (!Number.isFinite(power)) throw new RangeError('power must be a finite number');
  return MAX_CUE_SPEED * Math.min(1, Math.max(0, power));
}

/**
 * Validates a strike and clamps its tip offsets.
 *
 * @throws RangeError if angle or speed is not finite, speed < 0, or an offset is not finite.
 */
export function normalizeStrike(strike: CueStrike): Required<CueStrike> {
  const { angleDeg, speed } = strike;
  if (!Number.isFinite(angleDeg)) throw new RangeError('strike.angleDeg must be finite');
  if (!Number.isFinite(speed) || speed < 0) throw new RangeError('strike.speed must be a finite number >= 0');
  const side = strike.tipSide ?? 0;
  const vertical = strike.tipVertical ?? 0;
  if (!Number.isFinite(side) || !Number.isFinite(vertical)) throw new RangeError('strike tip offsets must be finite');
  const clamp = (v: number): number => Math.min(MAX_TIP_OFFSET, Math.max(-MAX_TIP_OFFSET, v));
  return { angleDeg, speed, tipSide: clamp(side), tipVertical: clamp(vertical) };
}

/**
 * Kinematic state of a cue ball at (x, y) right after the strike: velocity speed * (cos a, sin a)
 * in m/s and spin in rad/s per the module formulas.
 */
export function strikeKinematics(x: number, y: number, strike: CueStrike, p: PhysicsParams): Kinematics {
  const s = normalizeStrike(strike);
  const a = (s.angleDeg * Math.PI) / 180;
  const dx = Math.cos(a);
  const dy = Math.sin(a);
  const v = s.speed;
  const f = (5 * v) / (2 * p.R);
  return {
    x,
    y,
    vx: v * dx,
    vy: v * dy,
    wx: -f * s.tipVertical * dy,
    wy: f * s.tipVertical * dx,
    wz: -f * s.tipSide,
  };
}
