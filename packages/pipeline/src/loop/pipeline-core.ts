/**
 * The core of the pipeline on the main thread, free of I/O: validate a detection, update the game
 * state, derive game events, and (once per loop tick) plan the trajectory. The integration loop
 * publishes what it returns; the benchmark drives it directly.
 */
import { createTable, type TablePreset } from '@tablecast/physics';
import type { Detection, DetectedTable } from '../core/detection.js';
import { validateDetection, DEFAULT_LIMITS, type Rejection } from '../core/detection-validator.js';
import { GameState, type GameStateOptions } from '../core/game-state.js';
import { GameEventDetector, type GameEvent, type GameEventOptions } from '../core/game-events.js';
import { EightBallRules } from '../core/eight-ball-rules.js';
import { TrajectoryPlanner, type PhysicsTable, type PlanRequest, type TableSpec, type TrajectoryPlannerOptions } from '../trajectory/trajectory-planner.js';
import type { TrajectoryPayload } from '@tablecast/protocol';

/** Core settings. */
export interface PipelineCoreOptions {
  /** Table preset used until (and unless) the source reports its table. */
  preset: TablePreset;
  planner: Omit<TrajectoryPlannerOptions, 'now'> & { now?: () => number };
  state?: Partial<GameStateOptions>;
  events?: Partial<GameEventOptions>;
  /** Off-table tolerance, metres (default 0.05). */
  toleranceM?: number;
}

/** What ingesting one detection produced. */
export interface IngestResult {
  /** False when the whole detection was rejected. */
  accepted: boolean;
  rejections: Rejection[];
  events: GameEvent[];
}

/** The detected-table view of a physics table (metres). */
export function detectedTableOf(t: PhysicsTable): DetectedTable {
  return { width: t.width, height: t.height, pockets: t.pockets.map((p) => ({ x: p.x, y: p.y, radius: p.radius })) };
}

/** See the module comment. */
export class PipelineCore {
  readonly state: GameState;
  readonly events: GameEventDetector;
  /** The current game (players, turn, groups, fouls), from the events. */
  readonly rules = new EightBallRules();
  readonly planner: TrajectoryPlanner;
  private sourceTable: DetectedTable | null = null;
  private tableSpec: TableSpec;
  /** Rejections since construction, by reason. */
  readonly rejectCounts = new Map<string, number>();

  constructor(private readonly opts: PipelineCoreOptions) {
    const table = createTable(opts.preset);
    this.tableSpec = { preset: opts.preset, width: table.width, height: table.height };
    this.state = new GameState(detectedTableOf(table), opts.state);
    this.events = new GameEventDetector(opts.events);
    this.planner = new TrajectoryPlanner(this.tableSpec, opts.planner);
  }

  /** The table the source reported (calibration), or null when it never did. */
  get calibration(): DetectedTable | null {
    return this.sourceTable;
  }

  /** Total rejections. */
  get rejectTotal(): number {
    let n = 0;
    for (const v of this.rejectCounts.values()) n += v;
    return n;
  }

  /** Validates and applies one detection; returns the rejections and game events. */
  ingest(d: Detection): IngestResult {
    if (d.table) this.adoptTable(d.table);
    const table = this.state.table;
    const { detection, rejections } = validateDetection(d, {
      ...DEFAULT_LIMITS,
      width: table.width,
      height: table.height,
      toleranceM: this.opts.toleranceM ?? DEFAULT_LIMITS.toleranceM,
    });
    for (const r of rejections) this.rejectCounts.set(r.reason, (this.rejectCounts.get(r.reason) ?? 0) + 1);
    if (!detection) return { accepted: false, rejections, events: [] };
    const update = this.state.update(detection);
    const events = this.events.process(this.state, update);
    if (events.length > 0) events.push(...this.rules.apply(events, this.state));
    return { accepted: true, rejections, events };
  }

  /** Plans the trajectory for the current state inline (null when not aimed, unchanged or throttled). */
  plan(): TrajectoryPayload | null {
    return this.planner.plan(this.state);
  }

  /**
   * Decides whether the current state needs a trajectory prediction, for computing elsewhere (the
   * trajectory worker); hand the result to `planner.complete`. Null when not needed now.
   */
  requestPlan(): PlanRequest | null {
    return this.planner.request(this.state);
  }

  private adoptTable(t: DetectedTable): void {
    const prev = this.sourceTable;
    this.sourceTable = t;
    if (prev && prev.width === t.width && prev.height === t.height) return;
    if (Math.abs(t.width - this.tableSpec.width) > 1e-6 || Math.abs(t.height - this.tableSpec.height) > 1e-6) {
      this.tableSpec = { preset: this.opts.preset, width: t.width, height: t.height };
      this.planner.setTable(this.tableSpec);
    }
  }
}
