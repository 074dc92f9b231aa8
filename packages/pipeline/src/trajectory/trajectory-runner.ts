/**
 * Where trajectory predictions are computed. The integration loop hands each {@link PlanRequest}
 * to a runner and publishes the result when it arrives; the main thread never waits for physics
 * when the runner is the {@link TrajectoryWorker}. {@link InlineTrajectoryRunner} computes on the
 * calling thread (tests, `integration.trajectory_worker: false`).
 */
import type { TrajectoryPayload } from '@tablecast/protocol';
import { computeTrajectory, type PhysicsTable, type PlanRequest } from './trajectory-planner.js';

/** A computed prediction. */
export interface TrajectoryResult {
  /** The `trajectory` payload (its `calculation_time_ms` is replaced by `TrajectoryPlanner.complete`). */
  payload: TrajectoryPayload;
  /** Time the computation took, milliseconds. */
  ms: number;
}

/** Computes predictions. */
export interface TrajectoryRunner {
  /**
   * Computes one prediction.
   * @throws (rejects) when physics throws or the worker died while computing
   */
  run(req: PlanRequest): Promise<TrajectoryResult>;
  /** Releases the runner's resources (a worker thread). Idempotent. */
  close(): Promise<void>;
}

/** Computes on the calling thread; the returned promise is already settled. */
export class InlineTrajectoryRunner implements TrajectoryRunner {
  private readonly tables = new Map<string, PhysicsTable>();

  run(req: PlanRequest): Promise<TrajectoryResult> {
    try {
      const t0 = performance.now();
      const payload = computeTrajectory(req, this.tables);
      return Promise.resolve({ payload, ms: performance.now() - t0 });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async close(): Promise<void> {}
}
