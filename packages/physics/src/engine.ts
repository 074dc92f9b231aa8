/**
 * Event-driven simulation core (Leckie & Greenspan 2006; the loop of pooltool's `simulate`).
 *
 * Repeatedly: find the earliest next event over all balls (state transitions at closed-form times,
 * cushion / jaw / pocket contacts) and ball pairs; advance to it; resolve it; recompute only the
 * cached event times that involve the balls whose motion changed. Per-ball next-event times and a
 * pair-time matrix are cached; a ball's row is refreshed only when its segment changes.
 *
 * Tunnelling guard: after every event the touched balls are pushed out of any cushion they
 * penetrate and apart from any ball they overlap, to a gap of NUMERIC.separation (1e-10 m); a ball
 * moved this way is treated as touched too. Ties are broken by a fixed scan order, so the result is
 * a pure function of the input.
 */
import { NUMERIC, type PhysicsParams } from './constants.js';
import { type Kinematics, type Segment, isTranslating, kinematicsAt, startSegment } from './ball-motion.js';
import { type CollisionModel, cutAngleDeg, resolveBallBall } from './collisions.js';
import { type CushionModel, resolveCushion } from './cushion.js';
import { ballBallTime, cushionTime, pointTime } from './events.js';
import type { Table } from './table.js';

/** Kinds of events reported by the simulator. */
export type PhysicsEventType =
  | 'ball_ball'
  | 'ball_cushion'
  | 'ball_pocket'
  | 'sliding_to_rolling'
  | 'rolling_to_spinning'
  | 'rolling_to_stationary'
  | 'spinning_to_stationary'
  | 'cue_strike';

/**
 * One event. `position` is the centre of `ballIds[0]` at `time` (s, m). `angleDeg`: cut angle for
 * ball_ball (0 = full hit), angle of incidence from the cushion normal for ball_cushion, heading
 * for ball_pocket and cue_strike (degrees).
 */
export interface PhysicsEvent {
  time: number;
  type: PhysicsEventType;
  ballIds: string[];
  position: { x: number; y: number };
  angleDeg?: number;
  pocketId?: string;
  /** Cushion segment or jaw id for ball_cushion events. */
  cushionId?: string;
}

/** Motion history of one ball: consecutive segments, each valid until the next one starts. */
export interface BallHistory {
  id: string;
  segments: Segment[];
  pocketedAt: number | null;
  pocketId: string | null;
}

/** Engine settings. */
export interface EngineConfig {
  params: PhysicsParams;
  collisionModel: CollisionModel;
  cushionModel: CushionModel;
  maxTime: number;
  maxEvents: number;
}

interface SimBall {
  id: string;
  seg: Segment;
  history: BallHistory;
  pocketed: boolean;
  /** Cached earliest cushion / jaw / pocket event: time and index (cushions, then jaws, then pockets). */
  nextTime: number;
  nextIndex: number;
}

/** Result of {@link runEngine}. */
export interface EngineResult {
  events: PhysicsEvent[];
  histories: BallHistory[];
  /** Time of the last processed event, or maxTime if motion was cut off (s). */
  duration: number;
  /** True if maxTime or maxEvents stopped the run while balls were still moving. */
  truncated: boolean;
}

/**
 * Runs the event loop from t = 0 for balls given as initial kinematic states (ids unique). `events`
 * may be pre-filled (e.g. with the cue strike).
 */
export function runEngine(table: Table, ids: string[], init: Kinematics[], cfg: EngineConfig, events: PhysicsEvent[]): EngineResult {
  const p = cfg.params;
  const R = p.R;
  const n = ids.length;
  const nc = table.cushions.length;
  const nj = table.jaws.length;
  const balls: SimBall[] = ids.map((id, i) => {
    const seg = startSegment(0, init[i] as Kinematics, p);
    return { id, seg, history: { id, segments: [seg], pocketedAt: null, pocketId: null }, pocketed: false, nextTime: Infinity, nextIndex: -1 };
  });
  const pair = new Float64Array(n * n).fill(Infinity);
  let now = 0;

  const refreshBall = (b: SimBall): void => {
    b.nextTime = Infinity;
    b.nextIndex = -1;
    if (b.pocketed) return;
    const s = b.seg;
    if (!isTranslating(s)) return;
    // Cushions first: nothing after the next cushion contact matters (the segment changes there),
    // so jaws and pockets are searched only up to it, which lets the reach test skip most of them.
    for (let c = 0; c < nc; c++) {
      const t = cushionTime(s, table.cushions[c]!, now, R, b.nextTime);
      if (t < b.nextTime) { b.nextTime = t; b.nextIndex = c; }
    }
    for (let j = 0; j < nj; j++) {
      const q = table.jaws[j]!;
      const t = pointTime(s, q.x, q.y, R, now, b.nextTime);
      if (t < b.nextTime) { b.nextTime = t; b.nextIndex = nc + j; }
    }
    for (let k = 0; k < table.pockets.length; k++) {
      const q = table.pockets[k]!;
      const t = pointTime(s, q.x, q.y, q.radius, now, b.nextTime);
      if (t < b.nextTime) { b.nextTime = t; b.nextIndex = nc + nj + k; }
    }
  };
  // A pair only needs searching until either ball's own next event (its segment changes there and
  // the pair is recomputed).
  const refreshPair = (i: number, j: number): void => {
    const a = balls[i]!;
    const b = balls[j]!;
    const t = a.pocketed || b.pocketed ? Infinity : ballBallTime(a.seg, b.seg, now, R, Math.min(a.nextTime, b.nextTime));
    pair[i * n + j] = t;
    pair[j * n + i] = t;
  };
  const setSeg = (b: SimBall, k: Kinematics): void => {
    b.seg = startSegment(now, k, p);
    const segs = b.history.segments;
    if (segs.length > 0 && segs[segs.length - 1]!.t0 === now) segs[segs.length - 1] = b.seg;
    else segs.push(b.seg);
  };

  for (let i = 0; i < n; i++) refreshBall(balls[i]!);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) refreshPair(i, j);

  let truncated = false;
  const touched = new Set<number>();
  for (;;) {
    // Earliest event: transitions, then cushion/jaw/pocket, then pairs (fixed order = deterministic ties).
    let best = Infinity;
    let kind = 0; // 1 transition, 2 table contact, 3 pair
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      const b = balls[i]!;
      if (b.pocketed) continue;
      if (b.seg.tEnd < best) { best = b.seg.tEnd; kind = 1; bi = i; }
      if (b.nextTime < best) { best = b.nextTime; kind = 2; bi = i; }
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const t = pair[i * n + j]!;
        if (t < best) { best = t; kind = 3; bi = i; bj = j; }
      }
    }
    if (best === Infinity) break;
    if (best > cfg.maxTime || events.length >= cfg.maxEvents) {
      truncated = true;
      now = Math.max(now, Math.min(best, cfg.maxTime));
      break;
    }
    now = Math.max(now, best);
    touched.clear();
    const b = balls[bi]!;
    if (kind === 1) {
      const from = b.seg.state;
      setSeg(b, kinematicsAt(b.seg, now, p));
      const to = b.seg.state;
      const type: PhysicsEventType =
        from === 'sliding' ? 'sliding_to_rolling' : from === 'spinning' ? 'spinning_to_stationary' : to === 'spinning' ? 'rolling_to_spinning' : 'rolling_to_stationary';
      events.push({ time: now, type, ballIds: [b.id], position: { x: b.seg.x, y: b.seg.y } });
      touched.add(bi);
    } else if (kind === 2) {
      const k = kinematicsAt(b.seg, now, p);
      const idx = b.nextIndex;
      const heading = (Math.atan2(k.vy, k.vx) * 180) / Math.PI;
      if (idx >= nc + nj) {
        const pocket = table.pockets[idx - nc - nj]!;
        b.pocketed = true;
        b.history.pocketedAt = now;
        b.history.pocketId = pocket.id;
        setSeg(b, { x: k.x, y: k.y, vx: 0, vy: 0, wx: 0, wy: 0, wz: 0 });
        events.push({ time: now, type: 'ball_pocket', ballIds: [b.id], position: { x: k.x, y: k.y }, angleDeg: heading, pocketId: pocket.id });
        for (let j = 0; j < n; j++) if (j !== bi) { pair[bi * n + j] = Infinity; pair[j * n + bi] = Infinity; }
        b.nextTime = Infinity;
        continue;
      }
      let nx: number;
      let ny: number;
      let cushionId: string;
      if (idx < nc) {
        const c = table.cushions[idx]!;
        nx = c.nx;
        ny = c.ny;
        cushionId = c.id;
      } else {
        const q = table.jaws[idx - nc]!;
        const d = Math.hypot(k.x - q.x, k.y - q.y) || 1;
        nx = (k.x - q.x) / d;
        ny = (k.y - q.y) / d;
        cushionId = q.id;
      }
      const speed = Math.hypot(k.vx, k.vy);
      const incidence = speed > 0 ? (Math.acos(Math.min(1, Math.abs(k.vx * nx + k.vy * ny) / speed)) * 180) / Math.PI : 0;
      setSeg(b, resolveCushion(k, nx, ny, p, cfg.cushionModel));
      events.push({ time: now, type: 'ball_cushion', ballIds: [b.id], position: { x: k.x, y: k.y }, angleDeg: incidence, cushionId });
      touched.add(bi);
    } else {
      const c = balls[bj]!;
      const ka = kinematicsAt(b.seg, now, p);
      const kb = kinematicsAt(c.seg, now, p);
      // Report the faster ball first (the striker).
      const aFirst = Math.hypot(ka.vx, ka.vy) >= Math.hypot(kb.vx, kb.vy);
      const [k1, k2] = aFirst ? [ka, kb] : [kb, ka];
      const cut = cutAngleDeg(k1, k2);
      const [na, nb] = resolveBallBall(ka, kb, p, cfg.collisionModel);
      setSeg(b, na);
      setSeg(c, nb);
      events.push({
        time: now,
        type: 'ball_ball',
        ballIds: aFirst ? [b.id, c.id] : [c.id, b.id],
        position: { x: k1.x, y: k1.y },
        angleDeg: cut,
      });
      touched.add(bi);
      touched.add(bj);
    }
    guard(table, balls, [...touched], touched, now, p, setSeg);
    for (const i of touched) refreshBall(balls[i]!);
    for (const i of touched) {
      for (let j = 0; j < n; j++) {
        if (j === i || (touched.has(j) && j < i)) continue;
        refreshPair(i, j);
      }
    }
  }
  const last = events.length > 0 ? events[events.length - 1]!.time : 0;
  return { events, histories: balls.map((b) => b.history), duration: truncated ? now : last, truncated };
}

/**
 * Tunnelling guard: pushes the listed balls out of penetrated cushions / jaws and apart from
 * overlapping balls; balls moved are added to `touched`.
 */
function guard(
  table: Table,
  balls: SimBall[],
  list: number[],
  touched: Set<number>,
  now: number,
  p: PhysicsParams,
  setSeg: (b: SimBall, k: Kinematics) => void,
): void {
  const R = p.R;
  const sep = NUMERIC.separation;
  for (const i of list) {
    const b = balls[i]!;
    if (b.pocketed) continue;
    let k: Kinematics | null = null;
    const cur = (): Kinematics => (k ??= kinematicsAt(b.seg, now, p));
    for (const c of table.cushions) {
      const { x, y } = cur();
      const d = c.nx * (x - c.x1) + c.ny * (y - c.y1);
      if (d >= R) continue;
      const ex = c.x2 - c.x1;
      const ey = c.y2 - c.y1;
      const u = ((x - c.x1) * ex + (y - c.y1) * ey) / (ex * ex + ey * ey);
      if (u < 0 || u > 1) continue;
      const kk = { ...cur() };
      kk.x += (R + sep - d) * c.nx;
      kk.y += (R + sep - d) * c.ny;
      const vn = kk.vx * c.nx + kk.vy * c.ny;
      if (vn < 0) { kk.vx -= vn * c.nx; kk.vy -= vn * c.ny; }
      setSeg(b, kk);
      k = kk;
    }
    for (const q of table.jaws) {
      const c0 = cur();
      if (Math.abs(c0.x - q.x) >= R || Math.abs(c0.y - q.y) >= R) continue;
      const kk = { ...c0 };
      const d = Math.hypot(kk.x - q.x, kk.y - q.y);
      if (d >= R || d === 0) continue;
      kk.x = q.x + ((kk.x - q.x) / d) * (R + sep);
      kk.y = q.y + ((kk.y - q.y) / d) * (R + sep);
      setSeg(b, kk);
      k = kk;
    }
    for (let j = 0; j < balls.length; j++) {
      const o = balls[j]!;
      if (j === i || o.pocketed) continue;
      const ki = cur();
      const os = o.seg;
      const odt = Math.min(now, os.tEnd) - os.t0;
      let dx = os.x + os.vx * odt + 0.5 * os.ax * odt * odt - ki.x;
      let dy = os.y + os.vy * odt + 0.5 * os.ay * odt * odt - ki.y;
      if (Math.abs(dx) >= 2 * R || Math.abs(dy) >= 2 * R) continue;
      let d = Math.hypot(dx, dy);
      if (d >= 2 * R) continue;
      const kj = kinematicsAt(os, now, p);
      dx = kj.x - ki.x;
      dy = kj.y - ki.y;
      d = Math.hypot(dx, dy);
      if (d === 0) { dx = 1; dy = 0; d = 1e-300; }
      const push = (2 * R + sep - d) / 2;
      const ux = dx / Math.hypot(dx, dy);
      const uy = dy / Math.hypot(dx, dy);
      const ni = { ...ki, x: ki.x - ux * push, y: ki.y - uy * push };
      setSeg(b, ni);
      k = ni;
      setSeg(o, { ...kj, x: kj.x + ux * push, y: kj.y + uy * push });
      touched.add(j);
    }
  }
}
