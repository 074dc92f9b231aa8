/**
 * Shot prediction: simulate a cue stroke and turn the result into drawable paths and aiming aids
 * (ghost ball, cut angle, object-ball line, tangent line). Units: metres, seconds, degrees.
 */
import type { PhysicsEvent } from './engine.js';
import { type BallInput, type SimOptions, type SimulationResult, segmentAt, simulateShot } from './simulate.js';
import type { CueStrike } from './strike.js';
import { kinematicsAt } from './ball-motion.js';
import type { Table } from './table.js';

/** A point of a predicted path: position (m) at time t (s after the strike). */
export interface PathPoint {
  x: number;
  y: number;
  t: number;
}

/** A 2-D segment (m). */
export interface LineSegment {
  start: { x: number; y: number };
  end: { x: number; y: number };
}

/** Result of {@link predictShot}. */
export interface Prediction {
  cueBallId: string;
  /**
   * Paths of every ball that moves, cue ball first: exact event points (segment starts/ends) plus
   * samples every <= sampleDt along curved (sliding with a sideways friction) segments; straight
   * segments carry only their end points.
   */
  paths: { ballId: string; points: PathPoint[] }[];
  events: PhysicsEvent[];
  pocketed: string[];
  final: { id: string; x: number; y: number; pocketed: boolean }[];
  /** The first object ball the cue ball touches, when, and the cue-ball centre then. */
  firstContact: { ballId: string; time: number; position: { x: number; y: number } } | null;
  /** Cue-ball centre at first contact (the "ghost ball"), m. */
  ghostBall: { x: number; y: number } | null;
  /** Angle between the cue ball's velocity and the line of centres at first contact (0 = full), deg. */
  cutAngleDeg: number | null;
  /** Object ball's first leg after the contact: from its centre to its next event or rest point. */
  objectBallLine: LineSegment | null;
  /**
   * Tangent line (90-degree stun direction) from the ghost ball, perpendicular to the line of
   * centres, on the side the cue ball deflects, 0.3 m long (shortened to stay on the table).
   */
  tangentLine: LineSegment | null;
  /** Wall-clock time spent in predictShot (ms). */
  calculationTimeMs: number;
  /** Underlying simulation (positionsAt, histories, ...). */
  simulation: SimulationResult;
}

/** Length of the drawn tangent line (m). */
export const TANGENT_LINE_LENGTH = 0.3;

/**
 * Predicts a shot: {@link simulateShot} plus sampled paths and aiming aids.
 *
 * @param options.sampleDt maximum time between samples along curved paths (s, default 0.01)
 * @throws as simulateShot; RangeError if sampleDt is not positive.
 */
export function predictShot(
  table: Table,
  balls: BallInput[],
  cueBallId: string,
  strike: CueStrike,
  options: SimOptions & { sampleDt?: number } = {},
): Prediction {
  const started = performance.now();
  const sampleDt = options.sampleDt ?? 0.01;
  if (!(sampleDt > 0) || !Number.isFinite(sampleDt)) throw new RangeError('sampleDt must be a positive number');
  const sim = simulateShot(table, balls, cueBallId, strike, options);
  const p = sim.params;

  const paths: Prediction['paths'] = [];
  const order = [...sim.histories].sort((a, b) => (a.id === cueBallId ? -1 : b.id === cueBallId ? 1 : 0));
  for (const h of order) {
    const pts: PathPoint[] = [];
    const segs = h.segments;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      if (s.state !== 'sliding' && s.state !== 'rolling') continue;
      const next = segs[i + 1];
      let end = Math.min(next ? next.t0 : s.tEnd, s.tEnd, sim.duration);
      if (h.pocketedAt !== null) end = Math.min(end, h.pocketedAt);
      if (!(end > s.t0)) continue;
      const push = (t: number): void => {
        const k = kinematicsAt(s, t, p);
        const last = pts[pts.length - 1];
        if (last && last.t >= t) pts[pts.length - 1] = { x: k.x, y: k.y, t: last.t };
        else pts.push({ x: k.x, y: k.y, t });
      };
      push(s.t0);
      const cross = Math.abs(s.vx * s.ay - s.vy * s.ax);
      if (cross > 1e-9 * Math.hypot(s.vx, s.vy) * Math.hypot(s.ax, s.ay)) {
        const steps = Math.ceil((end - s.t0) / sampleDt);
        for (let k = 1; k < steps; k++) push(s.t0 + ((end - s.t0) * k) / steps);
      }
      push(end);
    }
    if (pts.length > 0) paths.push({ ballId: h.id, points: pts });
  }

  const contact = sim.events.find((e) => e.type === 'ball_ball' && e.ballIds.includes(cueBallId)) ?? null;
  let firstContact: Prediction['firstContact'] = null;
  let objectBallLine: LineSegment | null = null;
  let tangentLine: LineSegment | null = null;
  let cutAngle: number | null = null;
  if (contact) {
    const objId = contact.ballIds.find((id) => id !== cueBallId)!;
    const t = contact.time;
    const cueH = sim.histories.find((h) => h.id === cueBallId)!;
    const objH = sim.histories.find((h) => h.id === objId)!;
    // State just before the contact: the segment that ends at the contact.
    const before = (segs: typeof cueH.segments) => {
      const idx = segs.findIndex((s) => s.t0 >= t);
      return segs[Math.max(0, (idx === -1 ? segs.length : idx) - 1)]!;
    };
    const cue = kinematicsAt(before(cueH.segments), t, p);
    const obj = kinematicsAt(before(objH.segments), t, p);
    firstContact = { ballId: objId, time: t, position: { x: cue.x, y: cue.y } };
    cutAngle = contact.ballIds[0] === cueBallId ? (contact.angleDeg ?? null) : null;
    if (cutAngle === null) {
      const nx0 = obj.x - cue.x;
      const ny0 = obj.y - cue.y;
      const c = (nx0 * (cue.vx - obj.vx) + ny0 * (cue.vy - obj.vy)) / (Math.hypot(nx0, ny0) * Math.hypot(cue.vx - obj.vx, cue.vy - obj.vy) || 1);
      cutAngle = (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI;
    }
    const nextObj = sim.events.find((e) => e.time > t && e.ballIds.includes(objId) && e.type !== 'sliding_to_rolling');
    const objEnd = sim.positionsAt(nextObj ? nextObj.time : sim.duration).find((b) => b.id === objId)!;
    const objStart = segmentAt(objH, t);
    objectBallLine = { start: { x: objStart.x, y: objStart.y }, end: { x: objEnd.x, y: objEnd.y } };
    // Tangent: perpendicular to the line of centres, towards the cue ball's tangential velocity.
    const d = Math.hypot(obj.x - cue.x, obj.y - cue.y) || 1;
    const nx = (obj.x - cue.x) / d;
    const ny = (obj.y - cue.y) / d;
    let tx = -ny;
    let ty = nx;
    if (tx * (cue.vx - obj.vx) + ty * (cue.vy - obj.vy) < 0) { tx = -tx; ty = -ty; }
    tangentLine = { start: { x: cue.x, y: cue.y }, end: clipToTable(table, p.R, cue.x, cue.y, tx, ty, TANGENT_LINE_LENGTH) };
  }

  return {
    cueBallId,
    paths,
    events: sim.events,
    pocketed: sim.pocketed,
    final: sim.final,
    firstContact,
    ghostBall: firstContact ? { ...firstContact.position } : null,
    cutAngleDeg: cutAngle,
    objectBallLine,
    tangentLine,
    calculationTimeMs: performance.now() - started,
    simulation: sim,
  };
}

/** End point of a ray of length `len` from (x, y) along (dx, dy), stopped at the cushion lines (inset by R). */
function clipToTable(table: Table, R: number, x: number, y: number, dx: number, dy: number, len: number): { x: number; y: number } {
  let l = len;
  if (dx > 0) l = Math.min(l, (table.width - R - x) / dx);
  if (dx < 0) l = Math.min(l, (R - x) / dx);
  if (dy > 0) l = Math.min(l, (table.height - R - y) / dy);
  if (dy < 0) l = Math.min(l, (R - y) / dy);
  l = Math.max(0, l);
  return { x: x + dx * l, y: y + dy * l };
}
