/**
 * The pipeline: a source in a worker thread (simulator, replay, vision) -> bounded hand-off ->
 * integration loop on the main thread (validation, game state, events, trajectory) -> the gateway
 * through the StreamPort it declares (retry + circuit breaker), plus a FrameSink for video.
 *
 * Wiring (server): `const p = createPipeline({publisher: hub, frames, registry, log, config});
 * await p.start(); ... await p.stop();` CLI `tablecast record FILE`: {@link recordToFile}.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { StatePayload } from '@tablecast/protocol';
import { CircuitBreaker, BREAKER_STATE_VALUE, isRetryable, type BreakerHealth, type BreakerState } from '@tablecast/common';
import type { PipelineConfig } from './config.js';
import type { FrameSink, StreamPort } from './ports.js';
import type { DetectedTable } from './core/detection.js';
import { parseSourceSpec, type SourceOptions } from './sources/source.js';
import { SourceHost, type SourceHostHealth } from './sources/source-host.js';
import { IntegrationLoop } from './loop/integration-loop.js';
import { PipelineCore } from './loop/pipeline-core.js';
import { createPipelineMetrics } from './metrics/pipeline-metrics.js';
import { StreamSender } from './loop/stream-sender.js';
import { TrajectoryWorker, type TrajectoryWorkerHealth } from './trajectory/trajectory-worker.js';
import { InlineTrajectoryRunner, type TrajectoryRunner } from './trajectory/trajectory-runner.js';

/** What the pipeline needs from the server. */
export interface PipelineDeps {
  publisher: StreamPort;
  frames: FrameSink;
  registry: Registry;
  log: Logger;
  config: PipelineConfig;
  /**
   * Cluster hook (cluster/shared-breaker.ts): receives the publish breaker once created and every
   * state change, to share the state through Redis so every node agrees. Optional.
   */
  breakerMirror?: {
    attach(breaker: CircuitBreaker): void;
    onStateChange(to: BreakerState, from: BreakerState): void;
  };
}

/** Pipeline health (GET /health components). */
export interface PipelineHealth {
  source: SourceHostHealth;
  loop: {
    /** Detections processed per second (last second). */
    fps: number;
    /** Median main-loop time per tick with detections (last second), milliseconds. */
    frame_time_ms_p50: number;
    /** Detections processed since start. */
    frames: number;
  };
  breaker: BreakerHealth;
  /** Validation rejections since start (balls, cues or whole detections). */
  validation_rejects: number;
  /** Trajectory predictions: where they run and what they cost. */
  trajectory: {
    mode: TrajectoryWorkerHealth['mode'];
    computed: number;
    stale: number;
    failed: number;
    last_calculation_ms: number;
  };
}

/** A running pipeline. */
export interface Pipeline {
  /** Starts the source worker and the loop; resolves once the source runs (or failed and will restart). */
  start(): Promise<void>;
  /** Stops the loop and the worker and flushes pending publishes (bounded by 2 s). Idempotent. */
  stop(): Promise<void>;
  health(): PipelineHealth;
  /** The table the source reported (size, pockets, homography), or null before it did. */
  calibration(): DetectedTable | null;
  /** The latest `state` payload, or null before the first detection. */
  tableState(): StatePayload | null;
}

/**
 * Creates the pipeline from the config (`source`, `integration`, `table` sections).
 * @throws Error when `config.source.spec` cannot be parsed
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const { config, log: parentLog, publisher, frames, registry } = deps;
  const log = parentLog.child({ component: 'pipeline' });
  const metrics = createPipelineMetrics(registry);
  const integ = config.integration;
  const spec = parseSourceSpec(config.source.spec);

  const breaker = new CircuitBreaker({
    failureThreshold: integ.circuit_breaker.failure_threshold,
    timeoutS: integ.circuit_breaker.timeout_s,
    isFailure: isRetryable,
    onStateChange: (to, from) => {
      metrics.breakerState.set(BREAKER_STATE_VALUE[to]);
      const level = to === 'open' ? 'error' : 'info';
      log[level]({ from, to }, `publish circuit breaker ${from} -> ${to}`);
      deps.breakerMirror?.onStateChange(to, from);
    },
  });
  metrics.breakerState.set(0);
  deps.breakerMirror?.attach(breaker);
  const sender = new StreamSender(publisher, breaker, metrics, log, {
    retry: { maxRetries: integ.retry.max_retries, initialDelayS: integ.retry.initial_delay_s, backoffMultiplier: integ.retry.backoff_multiplier },
  });
  const core = new PipelineCore({
    preset: config.table.preset,
    planner: {
      angleThresholdDeg: integ.trajectory_angle_threshold_deg,
      positionThresholdM: integ.trajectory_position_threshold_m,
      maxFps: integ.target_fps,
    },
  });
  const sourceOptions: SourceOptions = {
    fps: integ.target_fps,
    seed: config.source.seed,
    speed: config.source.replay_speed,
    frames: config.source.frames,
    jpegQuality: config.source.jpeg_quality,
    extra: {
      ...(config.source.calibration_corners ? { calibrationCorners: config.source.calibration_corners } : {}),
      ...(config.source.background ? { background: config.source.background } : {}),
      ffmpegPath: config.source.ffmpeg_path,
      tablePreset: config.table.preset,
    },
  };
  const trajectoryWorker = integ.trajectory_worker ? new TrajectoryWorker(log) : null;
  const trajectory: TrajectoryRunner = trajectoryWorker ?? new InlineTrajectoryRunner();
  let loop: IntegrationLoop | null = null;
  const host = new SourceHost(
    config.source.spec,
    spec,
    sourceOptions,
    { capacity: config.source.handoff_capacity, backoffInitialS: config.source.restart_backoff_initial_s, backoffMaxS: config.source.restart_backoff_max_s },
    metrics,
    log,
    (f) =>
      loop?.alert('error', 'SOURCE_FAILED', `source ${f.spec} failed: ${f.message}; restart ${f.attempt} in ${f.restartInS} s`, {
        source: f.spec,
        error: f.message,
        attempt: f.attempt,
        restart_in_s: f.restartInS,
      }),
  );
  loop = new IntegrationLoop(core, host, sender, publisher, frames, metrics, log, {
    targetFps: integ.target_fps,
    stateChangeThresholdM: integ.state_change_threshold_m,
    stateHeartbeatS: integ.state_heartbeat_s,
    trajectory,
  });
  host.onArrival(() => loop?.notify());
  // Frames on demand: the source renders/encodes JPEGs only while a video consumer wants them.
  const onDemand = config.source.frames && config.source.frames_on_demand && spec.kind !== 'none' && spec.kind !== 'replay';
  let demandOff: (() => void) | null = null;
  let producerOff: (() => void) | null = null;
  let started = false;

  return {
    async start() {
      if (started) return;
      started = true;
      if (onDemand) {
        producerOff = frames.addProducer();
        demandOff = frames.onDemand((wanted) => host.setFrameDemand(wanted));
        host.setFrameDemand(frames.wanted);
      }
      sender.open();
      trajectoryWorker?.start();
      core.planner.reset(); // a (re)started source may aim exactly as before the stop: predict again
      loop!.start();
      await host.start();
      log.info({ source: config.source.spec, target_fps: integ.target_fps }, 'pipeline started');
    },
    async stop() {
      if (!started) return;
      started = false;
      demandOff?.();
      producerOff?.();
      demandOff = producerOff = null;
      loop!.stop();
      await host.stop();
      sender.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([sender.flush(), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      await trajectory.close();
      log.info('pipeline stopped');
    },
    health() {
      const l = loop!.loopHealth();
      return {
        source: host.health(),
        loop: { fps: l.fps, frame_time_ms_p50: l.frame_time_ms_p50, frames: l.frames },
        breaker: breaker.health(),
        validation_rejects: core.rejectTotal,
        trajectory: {
          mode: trajectoryWorker ? trajectoryWorker.health().mode : 'inline',
          computed: core.planner.stats.computed,
          stale: core.planner.stats.stale,
          failed: core.planner.stats.failed,
          last_calculation_ms: Math.round(core.planner.stats.lastCalculationMs * 1000) / 1000,
        },
      };
    },
    calibration: () => core.calibration,
    tableState: () => (core.state.frameNumber === 0 && core.state.ballCount === 0 ? null : core.state.toPayload()),
  };
}
