/**
 * Public simulation API: validates inputs, runs the event engine, and wraps the result with
 * time-indexed queries. Units: metres, seconds, m/s, rad/s; table frame per docs/DEVELOPING.md.
 */
import { NUMERIC, type PhysicsParams, resolvePhysics } from './constants.js';
import { type Kinematics, type Segment, isTranslating, kinematicsAt } from './ball-motion.js';
import type { CollisionModel } from './collisions.js';
import type { CushionModel } from './cushion.js';
import { type BallHistory, type PhysicsEvent, runEngine } from './engine.js';
import { type CueStrike, normalizeStrike, strikeKinematics } from './strike.js';
import { type Table, isOnTable } from './table.js';

/**
 * A ball on the table: centre (m) and optional velocity (m/s, default at rest). A moving ball
 * without explicit spin is assumed to be rolling naturally (the usual state of a tracked ball);
 * give wx / wy / wz (rad/s, table frame treated as right-handed with z up) to override.
 */
export interface BallInput {
  id: string;
  number?: number;
  x: number;
  y: number;
  vx?: number;
  vy?: number;
  wx?: number;
  wy?: number;
  wz?: number;
}

/** Simulation options. */
export interface SimOptions {
  /** Overrides of the pooltool default parameters (see PhysicsParams). */
  physics?: Partial<PhysicsParams>;
  /** Stop simulating at this time (s); default 120. */
  maxTime?: number;
  /** Stop after this many events; default 20000. */
  maxEvents?: number;
  /** Ball-ball model; default 'frictional' (Alciatore TP A-14 throw). */
  collisionModel?: CollisionModel;
  /** Ball-cushion model; default 'simple' (restitution mirror). */
  cushionModel?: CushionModel;
}

/** State of one ball at a given time. */
export interface BallSnapshot {
  id: string;
  x: number;
  y: number;
  vx: number;
  vy: number;
  pocketed: boolean;
  moving: boolean;
}

/** Result of {@link simulate} / {@link simulateShot}. */
export interface SimulationResult {
  /** All events in time order (the cue strike first for simulateShot). */
  events: PhysicsEvent[];
  /** Time of the last event, i.e. when everything came to rest (s); maxTime if truncated. */
  duration: number;
  /** Ids of pocketed balls in pocketing order. */
  pocketed: string[];
  /** Positions (m) at `duration`; a pocketed ball reports where its centre entered the pocket. */
  final: { id: string; x: number; y: number; pocketed: boolean }[];
  /** Every ball's state at time t (s, clamped to >= 0), in input order. */
  positionsAt(t: number): BallSnapshot[];
  /** Per-ball analytic motion segments (for sampling paths). */
  histories: BallHistory[];
  /** True if maxTime / maxEvents cut the run short while balls were still moving. */
  truncated: boolean;
  /** The resolved physics parameters used. */
  params: PhysicsParams;
}

/**
 * Simulates balls (optionally moving) until everything is at rest, maxTime or maxEvents.
 * Input positions are sanitised first: balls off the table are clamped inside the cushions and
 * overlapping balls are pushed apart (deterministically).
 *
 * @throws TypeError for duplicate or empty ids; RangeError for non-finite numbers or bad options.
 */
export function simulate(table: Table, balls: BallInput[], options: SimOptions = {}): SimulationResult {
  return run(table, balls, options, null, null);
}

/**
 * Strikes `cueBallId` with `strike` (see strike.ts for the model) and simulates to rest. The first
 * event is a 'cue_strike' at t = 0. Any velocity given for the cue ball is replaced.
 *
 * @throws Error if cueBallId is not among the balls; otherwise as {@link simulate}.
 */
export function simulateShot(table: Table, balls: BallInput[], cueBallId: string, strike: CueStrike, options: SimOptions = {}): SimulationResult {
  if (!balls.some((b) => b.id === cueBallId)) throw new Error(`cue ball ${cueBallId} not found`);
  return run(table, balls, options, cueBallId, normalizeStrike(strike));
}

function run(table: Table, balls: BallInput[], options: SimOptions, cueId: string | null, strike: CueStrike | null): SimulationResult {
  const params = resolvePhysics(options.physics);
  const maxTime = options.maxTime ?? NUMERIC.maxTime;
  const maxEvents = options.maxEvents ?? NUMERIC.maxEvents;
  if (!(maxTime > 0) || !Number.isFinite(maxTime)) throw new RangeError('maxTime must be a positive finite number');
  if (!(maxEvents >= 0) || !Number.isInteger(maxEvents)) throw new RangeError('maxEvents must be a non-negative integer');
  const collisionModel = options.collisionModel ?? 'frictional';
  const cushionModel = options.cushionModel ?? 'simple';
  if (collisionModel !== 'frictional' && collisionModel !== 'elastic') throw new RangeError(`unknown collisionModel ${String(collisionModel)}`);
  if (cushionModel !== 'simple' && cushionModel !== 'han2005') throw new RangeError(`unknown cushionModel ${String(cushionModel)}`);

  const ids = balls.map((b) => b.id);
  const init = prepare(table, balls, params);
  const events: PhysicsEvent[] = [];
  if (cueId !== null && strike !== null) {
    const i = ids.indexOf(cueId);
    const k = init[i]!;
    init[i] = strikeKinematics(k.x, k.y, strike, params);
    events.push({ time: 0, type: 'cue_strike', ballIds: [cueId], position: { x: k.x, y: k.y }, angleDeg: strike.angleDeg });
  }
  const res = runEngine(table, ids, init, { params, collisionModel, cushionModel, maxTime, maxEvents }, events);
  const histories = res.histories;
  const positionsAt = (t: number): BallSnapshot[] => histories.map((h) => snapshot(h, Math.max(0, t), params));
  const pocketed = res.events.filter((e) => e.type === 'ball_pocket').map((e) => e.ballIds[0]!);
  const final = positionsAt(res.duration).map(({ id, x, y, pocketed: pk }) => ({ id, x, y, pocketed: pk }));
  return { events: res.events, duration: res.duration, pocketed, final, positionsAt, histories, truncated: res.truncated, params };
}

/** The segment of a history valid at time t (last one starting at or before t). */
export function segmentAt(h: BallHistory, t: number): Segment {
  const segs = h.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid]!.t0 <= t) lo = mid;
    else hi = mid - 1;
  }
  return segs[lo]!;
}

function snapshot(h: BallHistory, t: number, p: PhysicsParams): BallSnapshot {
  const s = segmentAt(h, t);
  if (h.pocketedAt !== null && t >= h.pocketedAt) return { id: h.id, x: s.x, y: s.y, vx: 0, vy: 0, pocketed: true, moving: false };
  const k = kinematicsAt(s, t, p);
  return { id: h.id, x: k.x, y: k.y, vx: k.vx, vy: k.vy, pocketed: false, moving: isTranslating(s) && t < s.tEnd };
}

/** Validates inputs and returns initial kinematic states with positions sanitised. */
function prepare(table: Table, balls: BallInput[], p: PhysicsParams): Kinematics[] {
  const seen = new Set<string>();
  const R = p.R;
  const out = balls.map((b): Kinematics => {
    if (typeof b.id !== 'string' || b.id === '') throw new TypeError('ball id must be a non-empty string');
    if (seen.has(b.id)) throw new TypeError(`duplicate ball id ${b.id}`);
    seen.add(b.id);
    const vx = b.vx ?? 0;
    const vy = b.vy ?? 0;
    const spinGiven = b.wx !== undefined || b.wy !== undefined || b.wz !== undefined;
    const k: Kinematics = spinGiven
      ? { x: b.x, y: b.y, vx, vy, wx: b.wx ?? 0, wy: b.wy ?? 0, wz: b.wz ?? 0 }
      : { x: b.x, y: b.y, vx, vy, wx: -vy / R, wy: vx / R, wz: 0 };
    for (const [key, v] of Object.entries(k)) {
      if (!Number.isFinite(v)) throw new RangeError(`ball ${b.id}: ${key} must be finite`);
    }
    if (!isOnTable(table, k.x, k.y, R, 0)) {
      k.x = Math.min(table.width - R, Math.max(R, k.x));
      k.y = Math.min(table.height - R, Math.max(R, k.y));
    }
    return k;
  });
  // Push overlapping balls apart (a few Gauss-Seidel passes, fixed order).
  const sep = NUMERIC.separation;
  for (let pass = 0; pass < 20; pass++) {
    let moved = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]!;
        const b = out[j]!;
        let dx = b.x - a.x;
        let dy = b.y - a.y;
        let d = Math.hypot(dx, dy);
        if (d >= 2 * R) continue;
        if (d === 0) { dx = 1; dy = 0; d = 0; }
        const len = Math.hypot(dx, dy);
        const push = (2 * R + sep - d) / 2;
        a.x -= (dx / len) * push;
        a.y -= (dy / len) * push;
        b.x += (dx / len) * push;
        b.y += (dy / len) * push;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return out;
}
