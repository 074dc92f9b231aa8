/**
 * TrajectoryWorker: computes trajectory predictions in a worker thread, so a prediction (0.3-10 ms,
 * more for a break into a full rack) never blocks the main thread that receives detections and
 * fans messages out. One thread, requests answered in order.
 *
 * Failure handling: a request whose computation throws is rejected (the thread keeps serving). If
 * the thread dies, its pending requests are rejected, the exit is logged, and the next request
 * starts a new thread; after `maxRestarts` deaths the runner computes inline on the calling thread
 * (logged once) so predictions never stop.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { spawnModuleWorker, siblingModule } from '../util/module-worker.js';
import type { PlanRequest } from './trajectory-planner.js';
import { InlineTrajectoryRunner, type TrajectoryResult, type TrajectoryRunner } from './trajectory-runner.js';
import type { FromTrajectoryWorker, ToTrajectoryWorker } from './trajectory-worker-thread.js';

/** Health of the runner. */
export interface TrajectoryWorkerHealth {
  /** `worker` while the thread is used; `inline` after too many deaths. */
  mode: 'worker' | 'inline';
  /** Threads started after the first. */
  restarts: number;
  /** Requests in flight. */
  pending: number;
}

interface Waiter {
  resolve: (r: TrajectoryResult) => void;
  reject: (e: Error) => void;
}

/** See the module comment. */
export class TrajectoryWorker implements TrajectoryRunner {
  private worker: Worker | null = null;
  private readonly waiters = new Map<number, Waiter>();
  private readonly inline = new InlineTrajectoryRunner();
  private started = 0;
  private deaths = 0;
  private closed = false;

  /**
   * @param log logger (thread deaths are logged as errors)
   * @param maxRestarts thread deaths tolerated before computing inline (default 3)
   */
  constructor(
    private readonly log: Logger,
    private readonly maxRestarts = 3,
  ) {}

  /**
   * Starts the thread ahead of the first request (module loading takes a moment); after
   * {@link close}, opens the runner again (the pipeline is stopped and started by system/stop and
   * system/start). Idempotent.
   */
  start(): void {
    this.closed = false;
    if (!this.worker && this.deaths <= this.maxRestarts) this.spawn();
  }

  /** {@inheritDoc TrajectoryRunner.run} */
  run(req: PlanRequest): Promise<TrajectoryResult> {
    if (this.closed) return Promise.reject(new Error('trajectory worker closed'));
    if (this.deaths > this.maxRestarts) return this.inline.run(req);
    const w = this.worker ?? this.spawn();
    return new Promise<TrajectoryResult>((resolve, reject) => {
      this.waiters.set(req.id, { resolve, reject });
      w.postMessage({ type: 'plan', req } satisfies ToTrajectoryWorker);
    });
  }

  /** Runner health. */
  health(): TrajectoryWorkerHealth {
    return { mode: this.deaths > this.maxRestarts ? 'inline' : 'worker', restarts: Math.max(0, this.started - 1), pending: this.waiters.size };
  }

  /** Terminates the thread; requests in flight are rejected. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.rejectAll(new Error('trajectory worker closed'));
    if (w) await w.terminate();
  }

  private spawn(): Worker {
    const w = spawnModuleWorker(siblingModule('./trajectory-worker-thread', import.meta.url), { name: 'trajectory' });
    this.worker = w;
    this.started++;
    w.unref();
    w.on('message', (m: FromTrajectoryWorker) => {
      const waiter = this.waiters.get(m.id);
      if (!waiter) return;
      this.waiters.delete(m.id);
      if (m.type === 'result') waiter.resolve({ payload: m.payload, ms: m.ms });
      else waiter.reject(new Error(m.message));
    });
    w.on('error', (err) => this.log.error({ err }, 'trajectory worker failed'));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = null;
      if (this.closed) return;
      this.deaths++;
      const inline = this.deaths > this.maxRestarts;
      this.log.error({ code, deaths: this.deaths }, inline ? 'trajectory worker died too often; computing trajectories inline' : 'trajectory worker exited; restarting on the next request');
      this.rejectAll(new Error(`trajectory worker exited with code ${code}`));
    });
    return w;
  }

  private rejectAll(err: Error): void {
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }
}
