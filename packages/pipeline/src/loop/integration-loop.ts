/**
 * The integration loop on the main thread. Every 1/integration.target_fps seconds — and early, on
 * the next turn of the event loop, when a detection arrives at least half a period after the last
 * processing tick (so a detection does not wait up to a whole period in the hand-off) — it takes the
 * detections the source handed off since the last tick, runs the core on each (validation, game
 * state, events), publishes `state` (when it changed or the heartbeat is due) and `event`, then asks
 * the planner whether the newest state needs a trajectory; the prediction runs on the
 * {@link TrajectoryRunner} (the trajectory worker thread in the server) and its `trajectory` is
 * published when it arrives. Once a second it publishes `performance`
 * through the {@link StreamSender} (retry + circuit breaker, never awaited by the tick). The newest
 * JPEG of the tick goes to the FrameSink. Every `state` carries `capture_timestamp` (the detection's
 * capture time) beside the gateway's publish timestamp.
 */
import type { Logger } from 'pino';
import type { PerformancePayload } from '@tablecast/protocol';
import type { FrameSink, StreamPort } from '../ports.js';
import type { Detection, DetectionFeed } from '../core/detection.js';

export type { DetectionFeed } from '../core/detection.js';
import type { PipelineCore } from './pipeline-core.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { StreamSender } from './stream-sender.js';
import { StateGate } from '../core/state-gate.js';
import { RateLimitedReporter } from '../util/rate-limited.js';
import type { Rejection } from '../core/detection-validator.js';
import { InlineTrajectoryRunner, type TrajectoryRunner } from '../trajectory/trajectory-runner.js';

/** Loop settings (from config.integration). */
export interface IntegrationLoopOptions {
  targetFps: number;
  stateChangeThresholdM: number;
  stateHeartbeatS: number;
  /** Interval of `performance` messages, seconds (default 1). */
  performanceIntervalS?: number;
  /** Interval of validation alerts, seconds (default 10). */
  validationAlertIntervalS?: number;
  /** Where predictions are computed (default: inline, on this thread). */
  trajectory?: TrajectoryRunner;
}

/** Loop health. */
export interface LoopHealth {
  /** Detections processed per second over the last performance window. */
  fps: number;
  /** Median main-loop time of a tick that processed detections, over the last window, ms. */
  frame_time_ms_p50: number;
  /** Detections processed since start. */
  frames: number;
  ticks: number;
}

const STAGES = ['core', 'trajectory', 'publish'] as const;
type Stage = (typeof STAGES)[number];

/** See the module comment. */
export class IntegrationLoop {
  private timer: NodeJS.Timeout | null = null;
  private readonly gate: StateGate;
  private readonly validationAlerts: RateLimitedReporter;
  private readonly planFailures = new RateLimitedReporter(10_000);
  private readonly runner: TrajectoryRunner;
  private frames = 0;
  private ticks = 0;
  private windowFrames = 0;
  private windowStartMs = performance.now();
  private readonly windowTimes: number[] = [];
  private readonly stageTimes: Record<Stage, number[]> = { core: [], trajectory: [], publish: [] };
  private lastCpu = process.cpuUsage();
  private lastDropped = 0;
  private health: LoopHealth = { fps: 0, frame_time_ms_p50: 0, frames: 0, ticks: 0 };
  private immediate: NodeJS.Immediate | null = null;
  private pending: NodeJS.Timeout | null = null;
  private lastWorkMs = -Infinity;

  constructor(
    private readonly core: PipelineCore,
    private readonly feed: DetectionFeed,
    private readonly sender: StreamSender,
    private readonly publisher: StreamPort,
    private readonly frames_: FrameSink,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
    private readonly opts: IntegrationLoopOptions,
  ) {
    this.gate = new StateGate({ thresholdM: opts.stateChangeThresholdM, heartbeatS: opts.stateHeartbeatS });
    this.validationAlerts = new RateLimitedReporter((opts.validationAlertIntervalS ?? 10) * 1000);
    this.runner = opts.trajectory ?? new InlineTrajectoryRunner();
  }

  /** Starts ticking at target_fps. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.windowStartMs = performance.now();
    this.lastCpu = process.cpuUsage();
    this.timer = setInterval(() => this.tick(), 1000 / this.opts.targetFps);
  }

  /** Stops ticking. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    if (this.pending) clearTimeout(this.pending);
    this.timer = null;
    this.immediate = null;
    this.pending = null;
  }

  /**
   * A detection arrived: process it on the next turn of the event loop. When the last processing
   * tick was less than half a period ago, processing is scheduled for the moment that half period
   * ends (not left to the regular timer, which could add up to a whole period of latency), so the
   * processing rate stays bounded by 2 x target_fps while a detection never waits for the timer.
   */
  notify(): void {
    if (!this.timer || this.immediate || this.pending) return;
    const wait = this.lastWorkMs + 500 / this.opts.targetFps - performance.now();
    if (wait <= 0) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.tick();
      });
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = null;
      this.tick();
    }, wait);
  }

  /** Loop health snapshot. */
  loopHealth(): LoopHealth {
    return { ...this.health, frames: this.frames, ticks: this.ticks };
  }

  /** One iteration (public for tests and benchmarks). */
  tick(): void {
    this.ticks++;
    const nowMs = performance.now();
    const batch = this.feed.take();
    if (batch.length > 0) {
      const t0 = performance.now();
      this.lastWorkMs = t0;
      const rejected: Rejection[] = [];
      let frame: Detection['frame'];
      let frameDetection: Detection | undefined;
      for (const d of batch) {
        this.metrics.detections.inc();
        const r = this.core.ingest(d);
        for (const rej of r.rejections) {
          this.metrics.validationRejects.inc({ reason: rej.reason });
          rejected.push(rej);
        }
        for (const ev of r.events) {
          this.metrics.events.inc({ event: ev.event });
          this.sender.send('event', ev);
        }
        if (d.frame) {
          frame = d.frame;
          frameDetection = d;
        }
      }
      // State first: a trajectory prediction (up to milliseconds) must not delay the state.
      const tIngest = performance.now();
      this.publishState(nowMs);
      const t1 = performance.now();
      this.planTrajectory();
      const t2 = performance.now();
      if (frame && frameDetection) {
        const f = frame;
        this.frames_.push({
          jpeg: Buffer.from(f.jpeg.buffer, f.jpeg.byteOffset, f.jpeg.byteLength),
          width: f.width,
          height: f.height,
          timestampMicros: f.captureTimestampMicros ?? frameDetection.captureTimestampMicros,
          frameNumber: f.frameNumber ?? frameDetection.frameNumber,
        });
      }
      if (rejected.length > 0) this.reportRejections(rejected);
      const t3 = performance.now();
      this.frames += batch.length;
      this.windowFrames += batch.length;
      this.windowTimes.push(t3 - t0);
      this.stageTimes.core.push(tIngest - t0 + (t2 - t1)); // ingest + the trajectory decision
      this.stageTimes.publish.push(t1 - tIngest + (t3 - t2));
      this.metrics.frameSeconds.observe((t3 - t0) / 1000);
    } else {
      this.publishState(nowMs);
    }
    if (nowMs - this.windowStartMs >= (this.opts.performanceIntervalS ?? 1) * 1000) this.publishPerformance(nowMs);
  }

  /** Requests a prediction when the planner wants one; publishes it when the runner answers. */
  private planTrajectory(): void {
    const req = this.core.requestPlan();
    if (!req) return;
    this.runner.run(req).then(
      ({ payload, ms }) => {
        this.stageTimes.trajectory.push(ms); // the computation (on the runner's thread)
        const out = this.core.planner.complete(req, payload, ms);
        if (out) this.sender.send('trajectory', out);
      },
      (err: unknown) => {
        this.core.planner.fail(req);
        if (this.timer) this.planFailures.hit((suppressed) => this.log.warn({ err, suppressed_reports: suppressed }, 'trajectory prediction failed'));
      },
    );
  }

  private publishState(nowMs: number): void {
    if (this.core.state.frameNumber === 0 && this.core.state.ballCount === 0 && !this.core.state.cue) return;
    const state = { ...this.core.state.toPayload(), game: this.core.rules.current(this.core.state) };
    const reason = this.gate.check(state, nowMs, this.publisher.subscriberCount('state') > 0);
    if (!reason) return;
    this.gate.published(state, nowMs);
    this.sender.send('state', state);
  }

  private reportRejections(rejected: Rejection[]): void {
    this.validationAlerts.hit((suppressed) => {
      const byReason: Record<string, number> = {};
      for (const r of rejected) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
      const first = rejected[0]!;
      this.log.warn({ reasons: byReason, example: first, suppressed_reports: suppressed }, `detection validation rejected ${rejected.length} item(s): ${first.detail}`);
      this.alert('warning', 'VALIDATION_REJECTED', `detection validation rejected ${rejected.length} item(s) (${Object.keys(byReason).join(', ')})`, {
        reasons: byReason,
        example: first,
        frame_number: this.core.state.frameNumber,
        suppressed_reports: suppressed,
      });
    });
  }

  /** Publishes an `alert` (reliable). */
  alert(level: 'info' | 'warning' | 'error' | 'critical', code: string, message: string, details: Record<string, unknown>): void {
    this.sender.send('alert', { level, code, message, details });
  }

  private publishPerformance(nowMs: number): void {
    const elapsedS = (nowMs - this.windowStartMs) / 1000;
    const fps = this.windowFrames / elapsedS;
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastCpu = process.cpuUsage();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (nowMs - this.windowStartMs)) * 100;
    const budgetMs = 1000 / this.opts.targetFps;
    const p50 = median(this.windowTimes);
    const bottlenecks: string[] = [];
    const shares: Record<Stage, number> = { core: 0.25, trajectory: 0.5, publish: 0.25 };
    for (const s of STAGES) if (median(this.stageTimes[s]) > budgetMs * shares[s]) bottlenecks.push(s);
    const dropped = this.feed.dropped();
    if (dropped > this.lastDropped) bottlenecks.push('handoff');
    this.lastDropped = dropped;
    if (this.windowFrames > 0 && fps < this.opts.targetFps * 0.8) bottlenecks.push('source');
    const status = this.windowFrames === 0 ? 'idle' : bottlenecks.length === 0 ? 'healthy' : 'degraded';
    this.health = { fps: round(fps, 2), frame_time_ms_p50: round(p50, 4), frames: this.frames, ticks: this.ticks };
    const payload: PerformancePayload = {
      fps: round(fps, 2),
      target_fps: this.opts.targetFps,
      frame_time_ms: round(p50, 4),
      cpu_percent: round(cpuPercent, 1),
      memory_mb: round(process.memoryUsage.rss() / 1048576, 1),
      status,
      bottlenecks,
    };
    this.sender.send('performance', payload);
    this.windowStartMs = nowMs;
    this.windowFrames = 0;
    this.windowTimes.length = 0;
    for (const s of STAGES) this.stageTimes[s].length = 0;
  }

}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
