/**
 * A simple shot picker for the simulator: for every object ball and pocket, aim the cue ball at
 * the ghost ball (the cue-ball centre at contact: 2R behind the object ball on the pocket line),
 * and score the shot by its cut angle and distances, penalising blocked paths. The best shot is
 * played with a small aim error, so some shots miss, like a human player.
 *
 * Ghost-ball aiming: the object ball leaves along the line of centres at contact (ideal, frictionless
 * collision), so the cue ball must arrive at G = B - 2R * unit(P - B) for pocket P and ball B.
 */
import type { Rng } from './rng.js';

/** A ball on the table (metres). */
export interface PickerBall {
  id: string;
  number?: number;
  x: number;
  y: number;
}

/** A chosen shot. */
export interface PickedShot {
  /** Object ball id, or null for a safety/break-style shot straight at the nearest ball. */
  targetId: string | null;
  /** Pocket index aimed at, or -1. */
  pocket: number;
  /** Aim direction of the cue ball, degrees (table frame). */
  angleDeg: number;
  /** Stroke power 0..1 (see physics powerToSpeed). */
  power: number;
  /** Cut angle, degrees (0 = straight). */
  cutDeg: number;
}

/** Picker settings. */
export interface PickerOptions {
  /** Ball radius, metres. */
  radius: number;
  /** Standard deviation of the aim error, degrees. */
  aimErrorDeg: number;
  /**
   * Which object balls the shooter may play (the eight-ball rules' groups); default: every object
   * ball but the 8, and the 8 once it is the last object ball.
   */
  legal?: (number: number | undefined) => boolean;
}

const DEG = 180 / Math.PI;

/** Distance from point P to segment AB (metres). */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function blocked(balls: PickerBall[], skip: Set<string>, ax: number, ay: number, bx: number, by: number, clearance: number): number {
  let n = 0;
  for (const b of balls) if (!skip.has(b.id) && segDist(b.x, b.y, ax, ay, bx, by) < clearance) n++;
  return n;
}

/**
 * Picks a shot for the cue ball `cueId`. Targets: those `opts.legal` allows (when none is, or
 * without it: every object ball except the 8, and the 8 once it is the last object ball).
 * @returns the shot, or null when there is no cue ball or no object ball
 */
export function pickShot(balls: PickerBall[], cueId: string, pockets: { x: number; y: number }[], rng: Rng, opts: PickerOptions): PickedShot | null {
  const cue = balls.find((b) => b.id === cueId);
  if (!cue) return null;
  const objects = balls.filter((b) => b.id !== cueId);
  if (objects.length === 0) return null;
  const byDefault = objects.length > 1 ? objects.filter((b) => b.number !== 8) : objects;
  const legal = opts.legal ? objects.filter((b) => opts.legal!(b.number)) : byDefault;
  const targets = legal.length > 0 ? legal : byDefault;
  const R = opts.radius;
  let best: (PickedShot & { score: number }) | null = null;
  for (const b of targets) {
    for (let pi = 0; pi < pockets.length; pi++) {
      const p = pockets[pi]!;
      const bp = Math.hypot(p.x - b.x, p.y - b.y);
      if (bp < 1e-6) continue;
      const ux = (p.x - b.x) / bp;
      const uy = (p.y - b.y) / bp;
      const gx = b.x - 2 * R * ux;
      const gy = b.y - 2 * R * uy;
      const cg = Math.hypot(gx - cue.x, gy - cue.y);
      if (cg < 1e-6) continue;
      const ax = (gx - cue.x) / cg;
      const ay = (gy - cue.y) / cg;
      const cos = ax * ux + ay * uy;
      if (cos < 0.26) continue; // cuts beyond ~75 degrees are not played
      const skip = new Set([cue.id, b.id]);
      const blocks = blocked(objects, skip, cue.x, cue.y, gx, gy, 2 * R) + blocked(objects, skip, b.x, b.y, p.x, p.y, 2 * R);
      const score = cos * cos / (1 + 0.6 * (cg + bp)) - blocks;
      if (!best || score > best.score) {
        const power = Math.min(0.75, 0.18 + 0.12 * (cg + bp) + 0.15 * (1 - cos));
        best = { targetId: b.id, pocket: pi, angleDeg: Math.atan2(ay, ax) * DEG, power, cutDeg: Math.acos(Math.min(1, cos)) * DEG, score };
      }
    }
  }
  if (!best) {
    // Nothing pottable: roll the cue ball into the nearest object ball.
    let near = objects[0]!;
    for (const b of objects) if (Math.hypot(b.x - cue.x, b.y - cue.y) < Math.hypot(near.x - cue.x, near.y - cue.y)) near = b;
    return { targetId: near.id, pocket: -1, angleDeg: Math.atan2(near.y - cue.y, near.x - cue.x) * DEG, power: 0.3, cutDeg: 0 };
  }
  const { score: _score, ...shot } = best;
  return { ...shot, angleDeg: shot.angleDeg + rng.gaussian(0, opts.aimErrorDeg) };
}
