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
 */
import { predictShot, predictionToTrajectory, powerToSpeed, type BallInput, type createTable } from '@tablecast/physics';
import type { TrajectoryPayload } from '@tablecast/protocol';
import type { GameState } from './game-state.js';
import type { BallTrack } from './ball-track.js';

/** Physics table (as returned by `createTable`). */
export type PhysicsTable = ReturnType<typeof createTable>;

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
  computed: number;
  throttled: number;
  unchanged: number;
  lastCalculationMs: number;
}

const isCueBall = (t: BallTrack): boolean => t.type === 'cue' || t.number === 0 || t.id === 'cue';

/** See the module comment. */
export class TrajectoryPlanner {
  private last: Aim | null = null;
  private lastComputeMs = -Infinity;
  private readonly now: () => number;
  readonly stats: PlannerStats = { computed: 0, throttled: 0, unchanged: 0, lastCalculationMs: 0 };
  private readonly inputs: BallInput[] = [];

  constructor(
    private table: PhysicsTable,
    private readonly opts: TrajectoryPlannerOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** Replaces the physics table (calibration changed). Forces a recompute. */
  setTable(table: PhysicsTable): void {
    this.table = table;
    this.last = null;
  }

  /** Forgets the last aim so the next aimed frame recomputes. */
  reset(): void {
    this.last = null;
  }

  /**
   * Plans for the current state.
   * @returns a new trajectory payload, or null when not aimed, unchanged or throttled
   */
  plan(state: GameState): TrajectoryPayload | null {
    const cue = state.cue;
    if (!cue || cue.confidence < (this.opts.minConfidence ?? 0.5) || state.anyMoving()) {
      this.last = null;
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
    if (now - this.lastComputeMs < Math.max(1000 / this.opts.maxFps, (this.opts.costFactor ?? 5) * this.stats.lastCalculationMs)) {
      this.stats.throttled++;
      return null;
    }
    this.lastComputeMs = now;
    this.last = aim;
    this.inputs.length = 0;
    for (const t of state.balls()) this.inputs.push({ id: t.id, ...(t.number !== null ? { number: t.number } : {}), x: t.x, y: t.y });
    const speed = cue.power !== undefined ? powerToSpeed(cue.power) : (this.opts.defaultSpeed ?? 2.5);
    const t0 = performance.now();
    const prediction = predictShot(this.table, this.inputs, cueBall.id, { angleDeg: cue.angleDeg, speed }, { maxEvents: this.opts.maxEvents ?? 40, maxTime: this.opts.maxTime ?? 5 });
    const payload = predictionToTrajectory(prediction);
    const ms = performance.now() - t0;
    this.stats.computed++;
    this.stats.lastCalculationMs = ms;
    return { ...payload, calculation_time_ms: Math.round(ms * 1000) / 1000 };
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
