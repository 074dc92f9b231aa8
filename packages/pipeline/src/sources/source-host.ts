/**
 * Runs a {@link Source} in a worker thread (source-worker.ts) and hands its detections to the main
 * loop through a bounded hand-off:
 *
 * - the worker has a credit window of `capacity` unacknowledged detections; the host returns one
 *   credit per detection it receives, so the MessagePort never queues more than `capacity`;
 * - received detections go into a {@link HandoffRing} of `capacity`; when the loop falls behind,
 *   the OLDEST detection is dropped and counted (`tablecast_handoff_dropped_total{where="ring"}`);
 * - a worker without credit keeps only its newest detection (`where="worker"`).
 *
 * A worker that reports a failure, throws, or exits unexpectedly is reported (the `onFailure` hook,
 * which the pipeline turns into an `alert`, a pino error log and `tablecast_source_failures_total`)
 * and restarted after an exponential backoff: restart_backoff_initial_s * 2^(n-1), capped at
 * restart_backoff_max_s; n resets after the worker ran for 2 x max without failing.
 * A source that ends by itself (end of a replay) is not restarted.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker, siblingModule } from '../util/module-worker.js';
import type { Logger } from 'pino';
import type { Detection } from '../core/detection.js';
import type { SourceOptions, SourceSpec } from './source.js';
import { HandoffRing } from './handoff-ring.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { HostToWorker, SourceWorkerData, WorkerToHost } from './source-worker.js';
import type { DetectionFeed } from '../core/detection.js';

/** Host settings (config.source). */
export interface SourceHostOptions {
  /** Hand-off capacity (detections). */
  capacity: number;
  /** Restart backoff bounds, seconds. */
  backoffInitialS: number;
  backoffMaxS: number;
}

/** A reported source failure. */
export interface SourceFailure {
  spec: string;
  message: string;
  /** Restart attempt that will follow (1-based). */
  attempt: number;
  /** Seconds until the restart. */
  restartInS: number;
}

/** Status of the hosted source. */
export type SourceStatus = 'none' | 'idle' | 'starting' | 'running' | 'failed' | 'ended' | 'stopped';

/** Health of the hosted source. */
export interface SourceHostHealth {
  spec: string;
  status: SourceStatus;
  restarts: number;
  /** Detections received from the worker. */
  frames: number;
  /** Detections dropped in the hand-off (ring + worker). */
  dropped_handoff: number;
  last_error: string | null;
}

/** See the module comment. Implements the loop's {@link DetectionFeed}. */
export class SourceHost implements DetectionFeed {
  private readonly ring: HandoffRing<Detection>;
  private worker: Worker | null = null;
  private generation = 0;
  private status: SourceStatus;
  private restarts = 0;
  private consecutiveFailures = 0;
  private frames = 0;
  private workerDropped = 0;
  private workerDroppedBase = 0;
  private lastError: string | null = null;
  private readyAtMs = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readyWaiters: (() => void)[] = [];
  private arrival: (() => void) | null = null;
  private frameDemand = true;

  constructor(
    private readonly specText: string,
    private readonly spec: SourceSpec,
    private readonly sourceOptions: SourceOptions,
    private readonly opts: SourceHostOptions,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
    private readonly onFailure: (f: SourceFailure) => void = () => {},
  ) {
    this.ring = new HandoffRing(opts.capacity);
    this.status = spec.kind === 'none' ? 'none' : 'idle';
  }

  /** Starts the worker; resolves once the source is running or has failed (then restarts). */
  async start(): Promise<void> {
    if (this.spec.kind === 'none' || this.worker) return;
    this.stopping = false;
    const ready = new Promise<void>((r) => this.readyWaiters.push(r));
    this.spawn();
    await ready;
  }

  private spawn(): void {
    const gen = ++this.generation;
    this.status = 'starting';
    const data: SourceWorkerData = { spec: this.spec, options: this.sourceOptions, window: this.opts.capacity, frameDemand: this.frameDemand };
    const w = spawnModuleWorker(siblingModule('./source-worker', import.meta.url), { workerData: data, name: `source:${this.specText}` });
    this.worker = w;
    this.workerDroppedBase += this.workerDropped;
    this.workerDropped = 0;
    w.on('message', (m: WorkerToHost) => {
      if (gen !== this.generation) return;
      switch (m.type) {
        case 'detection': {
          this.frames++;
          const newDrops = m.droppedInWorker - this.workerDropped;
          if (newDrops > 0) this.metrics.handoffDropped.inc({ where: 'worker' }, newDrops);
          this.workerDropped = m.droppedInWorker;
          if (this.ring.push(m.detection) !== undefined) this.metrics.handoffDropped.inc({ where: 'ring' });
          w.postMessage({ type: 'credit', n: 1 } satisfies HostToWorker);
          this.arrival?.();
          break;
        }
        case 'ready':
          this.status = 'running';
          this.readyAtMs = Date.now();
          this.releaseWaiters();
          break;
        case 'ended':
          this.status = 'ended';
          this.log.info({ source: this.specText }, 'source ended');
          this.releaseWaiters();
          this.worker = null;
          this.retire(w);
          break;
        case 'failed':
          this.fail(gen, m.message);
          break;
      }
    });
    w.on('error', (err) => this.fail(gen, err.message));
    w.on('exit', (code) => {
      if (gen !== this.generation || this.stopping || this.status === 'ended') return;
      this.fail(gen, `source worker exited with code ${code}`);
    });
  }

  private fail(gen: number, message: string): void {
    if (gen !== this.generation || this.stopping) return;
    this.generation++; // ignore anything else from this worker
    const w = this.worker;
    this.worker = null;
    if (w) this.retire(w);
    if (this.readyAtMs > 0 && Date.now() - this.readyAtMs > 2 * this.opts.backoffMaxS * 1000) this.consecutiveFailures = 0;
    this.readyAtMs = 0;
    this.consecutiveFailures++;
    this.lastError = message;
    const delayS = Math.min(this.opts.backoffMaxS, this.opts.backoffInitialS * 2 ** (this.consecutiveFailures - 1));
    this.status = 'failed';
    this.metrics.sourceFailures.inc({ kind: this.spec.kind });
    this.log.error({ source: this.specText, err: message, attempt: this.consecutiveFailures, restart_in_s: delayS }, `source ${this.specText} failed: ${message}`);
    this.onFailure({ spec: this.specText, message, attempt: this.consecutiveFailures, restartInS: delayS });
    this.releaseWaiters();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.restarts++;
      this.metrics.sourceRestarts.inc({ kind: this.spec.kind });
      this.spawn();
    }, delayS * 1000);
  }

  private retire(w: Worker): void {
    void w.terminate().catch(() => {});
  }

  private releaseWaiters(): void {
    const ws = this.readyWaiters;
    this.readyWaiters = [];
    for (const r of ws) r();
  }

  /** Stops the worker (asks it to stop, terminates it after 1 s). Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.releaseWaiters();
    const w = this.worker;
    this.worker = null;
    this.generation++;
    if (this.status !== 'none' && this.status !== 'ended') this.status = 'stopped';
    if (!w) return;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage({ type: 'stop' } satisfies HostToWorker);
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((r) => {
      timer = setTimeout(() => void w.terminate().finally(r), 1000);
    });
    await Promise.race([exited, forced]);
    clearTimeout(timer);
  }

  /** Sets the listener called whenever a detection arrives (the loop uses it to tick early). */
  /** Tells the source whether JPEG frames are wanted (kept across restarts). Default true. */
  setFrameDemand(wanted: boolean): void {
    if (wanted === this.frameDemand) return;
    this.frameDemand = wanted;
    this.worker?.postMessage({ type: 'frame-demand', wanted } satisfies HostToWorker);
  }

  onArrival(listener: (() => void) | null): void {
    this.arrival = listener;
  }

  /** Removes and returns the buffered detections, oldest first. */
  take(): Detection[] {
    return this.ring.length === 0 ? [] : this.ring.drain();
  }

  /** Detections dropped in the hand-off so far (ring + worker). */
  dropped(): number {
    return this.ring.dropped + this.workerDroppedBase + this.workerDropped;
  }

  /** Health snapshot. */
  health(): SourceHostHealth {
    return {
      spec: this.specText,
      status: this.status,
      restarts: this.restarts,
      frames: this.frames,
      dropped_handoff: this.dropped(),
      last_error: this.lastError,
    };
  }
}
