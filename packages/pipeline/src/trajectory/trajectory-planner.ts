/**
 * Trajectory planning: while the cue is aimed (detected with confidence >= `minConfidence`) and
 * every ball is still, ask physics (`predictShot`) where the shot goes and return the `trajectory`
 * payload. Recomputed only when the aim really changed — the cue angle by more than
 * `angleThresholdDeg` or the tip by more than `positionThresholdM` (integration.trajectory_*), or the
 * balls changed (count, or the cue ball moved by more than `positionThresholdM`) — and at most
 * `maxFps` times a second (integration.target_fps). A change that arrives while throttled is picked
 * up on the first frame after the interval. Because a prediction can cost milliseconds (a break
 * into a full rack: ~15 ms), the interval also stretches to `costFactor` x the last calculation
 * time, which caps the planner's share of the main thread near 1/costFactor.
 *
 * Strike speed: `powerToSpeed(cue.power)` when the source knows the power, else `defaultSpeed`.
 *
 * Deciding and computing are separate so the computation can run off the main thread:
 * {@link TrajectoryPlanner.request} decides (and returns a {@link PlanRequest}, plain data that can
 * be posted to a worker), {@link computeTrajectory} runs physics, {@link TrajectoryPlanner.complete}
 * records the cost and drops a result that no longer applies. At most one request is in flight; a
 * change of aim while it runs is picked up on the first frame after it completed.
 * {@link TrajectoryPlanner.plan} does all three inline (tests, benchmarks).
 */
import { createTable, predictShot, predictionToTrajectory, powerToSpeed, type BallInput, type TablePreset } from '@tablecast/physics';
import type { TrajectoryPayload } from '@tablecast/protocol';
import type { GameState } from '../core/game-state.js';
import { isCueBall, type BallTrack } from '../core/ball-track.js';

/** Physics table (as returned by `createTable`). */
export type PhysicsTable = ReturnType<typeof createTable>;

/** Which physics table to build: `createTable(preset, {width, height})` (metres). */
export interface TableSpec {
  preset: TablePreset;
  width: number;
  height: number;
}

/**
 * One prediction to compute: plain, structured-cloneable data (it crosses to the trajectory worker).
 */
export interface PlanRequest {
  /** Increasing id; {@link TrajectoryPlanner.complete} matches results by it. */
  id: number;
  table: TableSpec;
  /** Ball positions, metres. */
  balls: BallInput[];
  cueBallId: string;
  /** Cue direction, degrees; cue-ball speed, m/s. */
  shot: { angleDeg: number; speed: number };
  /** Physics budget: events and simulated seconds. */
  maxEvents: number;
  maxTime: number;
}

/** Planner settings. */
export interface TrajectoryPlannerOptions {
  /** Degrees of cue-angle change that trigger a recompute. */
  angleThresholdDeg: number;
  /** Metres of tip (or cue ball) movement that trigger a recompute. */
  positionThresholdM: number;
  /** Recomputes per second at most. */
  maxFps: number;
  /** Minimum cue confidence (0..1) to plan. */
  minConfidence?: number;
  /** Cue-ball speed (m/s) when the cue's power is unknown. */
  defaultSpeed?: number;
  /** Clock in milliseconds (monotonic); default `performance.now`. */
  now?: () => number;
  /** Minimum interval as a multiple of the last calculation time (default 5). */
  costFactor?: number;
  /**
   * Physics event budget of one prediction (default 40: a normal shot needs 5-15 events; a break
   * into a full rack is cut short, which keeps a prediction near 3 ms instead of 40-600 ms).
   */
  maxEvents?: number;
  /** Simulated seconds of one prediction (default 5: the drawn paths; the rest is slow rolling). */
  maxTime?: number;
}

interface Aim {
  angle: number;
  tipX: number;
  tipY: number;
  cueX: number;
  cueY: number;
  balls: number;
  power: number | undefined;
}

/** Counters, for health and tests. */
export interface PlannerStats {
  /** Predictions completed (and published unless stale). */
  computed: number;
  throttled: number;
  unchanged: number;
  /** Results dropped because the aim was reset (balls moved, cue lost) while computing. */
  stale: number;
  /** Computations that threw. */
  failed: number;
  /** Milliseconds of the last computation (physics + payload). */
  lastCalculationMs: number;
}

/**
 * Runs physics for one request: `predictShot` then the wire payload ({@link TrajectoryPlanner.complete}
 * sets `calculation_time_ms` to the whole computation). Pure apart from the table cache.
 * @param tables cache of physics tables by spec (pass one Map per thread)
 * @throws as `predictShot` (RangeError on bad input)
 */
export function computeTrajectory(req: PlanRequest, tables: Map<string, PhysicsTable>): TrajectoryPayload {
  const key = `${req.table.preset}:${req.table.width}:${req.table.height}`;
  let table = tables.get(key);
  if (!table) {
    table = createTable(req.table.preset, { width: req.table.width, height: req.table.height });
    tables.set(key, table);
  }
  const prediction = predictShot(table, req.balls, req.cueBallId, req.shot, { maxEvents: req.maxEvents, maxTime: req.maxTime });
  return predictionToTrajectory(prediction);
}

/** See the module comment. */
export class TrajectoryPlanner {
  private last: Aim | null = null;
  private lastComputeMs = -Infinity;
  private readonly now: () => number;
  readonly stats: PlannerStats = { computed: 0, throttled: 0, unchanged: 0, stale: 0, failed: 0, lastCalculationMs: 0 };
  private nextId = 1;
  /** Id of the request in flight, or 0. */
  private inFlight = 0;
  /** Bumped whenever the aim is forgotten; a result from an older generation is stale. */
  private generation = 0;
  private inFlightGeneration = 0;
  private readonly tables = new Map<string, PhysicsTable>();

  constructor(
    private table: TableSpec,
    private readonly opts: TrajectoryPlannerOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** Replaces the table (calibration changed). Forces a recompute. */
  setTable(table: TableSpec): void {
    this.table = table;
    this.forget();
  }

  /** Forgets the last aim so the next aimed frame recomputes. */
  reset(): void {
    this.forget();
  }

  /** True while a request is being computed. */
  get busy(): boolean {
    return this.inFlight !== 0;
  }

  private forget(): void {
    if (this.last !== null) this.generation++;
    this.last = null;
  }

  /**
   * Decides whether the current state needs a new prediction.
   * @returns the request to compute (now in flight: pass its result to {@link complete} or its
   *   failure to {@link fail}), or null when not aimed, unchanged, throttled or already computing
   */
  request(state: GameState): PlanRequest | null {
    const cue = state.cue;
    if (!cue || cue.confidence < (this.opts.minConfidence ?? 0.5) || state.anyMoving()) {
      this.forget();
      return null;
    }
    let cueBall: BallTrack | undefined;
    for (const t of state.balls()) if (isCueBall(t)) cueBall = t;
    if (!cueBall) return null;
    const aim: Aim = { angle: cue.angleDeg, tipX: cue.tipX, tipY: cue.tipY, cueX: cueBall.x, cueY: cueBall.y, balls: state.ballCount, power: cue.power };
    if (this.last && !this.changed(this.last, aim)) {
      this.stats.unchanged++;
      return null;
    }
    const now = this.now();
    if (this.inFlight !== 0 || now - this.lastComputeMs < Math.max(1000 / this.opts.maxFps, (this.opts.costFactor ?? 5) * this.stats.lastCalculationMs)) {
      this.stats.throttled++;
      return null;
    }
    this.lastComputeMs = now;
    this.last = aim;
    const balls: BallInput[] = [];
    for (const t of state.balls()) balls.push({ id: t.id, ...(t.number !== null ? { number: t.number } : {}), x: t.x, y: t.y });
    const speed = cue.power !== undefined ? powerToSpeed(cue.power) : (this.opts.defaultSpeed ?? 2.5);
    const req: PlanRequest = {
      id: this.nextId++,
      table: this.table,
      balls,
      cueBallId: cueBall.id,
      shot: { angleDeg: cue.angleDeg, speed },
      maxEvents: this.opts.maxEvents ?? 40,
      maxTime: this.opts.maxTime ?? 5,
    };
    this.inFlight = req.id;
    this.inFlightGeneration = this.generation;
    return req;
  }

  /**
   * Takes the result of a request.
   * @param calculationMs time the computation took, milliseconds
   * @returns the payload to publish (with `calculation_time_ms`), or null when it is not the request
   *   in flight or the aim changed or was reset while it was computed (stale)
   */
  complete(req: PlanRequest, payload: TrajectoryPayload, calculationMs: number): TrajectoryPayload | null {
    if (req.id !== this.inFlight) return null;
    this.inFlight = 0;
    this.stats.computed++;
    this.stats.lastCalculationMs = calculationMs;
    if (this.inFlightGeneration !== this.generation) {
      this.stats.stale++;
      return null;
    }
    return { ...payload, calculation_time_ms: Math.round(calculationMs * 1000) / 1000 };
  }

  /** Records that a request failed; the next aimed frame tries again. */
  fail(req: PlanRequest): void {
    if (req.id !== this.inFlight) return;
    this.inFlight = 0;
    this.stats.failed++;
    this.last = null;
  }

  /**
   * Decides and computes inline (on the calling thread).
   * @returns a new trajectory payload, or null when not aimed, unchanged or throttled
   * @throws as {@link computeTrajectory}
   */
  plan(state: GameState): TrajectoryPayload | null {
    const req = this.request(state);
    if (!req) return null;
    const t0 = performance.now();
    let payload: TrajectoryPayload;
    try {
      payload = computeTrajectory(req, this.tables);
    } catch (err) {
      this.fail(req);
      throw err;
    }
    return this.complete(req, payload, performance.now() - t0);
  }

  private changed(a: Aim, b: Aim): boolean {
    let dAngle = Math.abs(a.angle - b.angle) % 360;
    if (dAngle > 180) dAngle = 360 - dAngle;
    const p = this.opts.positionThresholdM;
    return (
      dAngle > this.opts.angleThresholdDeg ||
      Math.hypot(a.tipX - b.tipX, a.tipY - b.tipY) > p ||
      Math.hypot(a.cueX - b.cueX, a.cueY - b.cueY) > p ||
      a.balls !== b.balls ||
      a.power !== b.power
    );
  }
}
