/**
 * Prometheus metrics of the pipeline, registered on the server's own registry (no global
 * registry, so two servers can run in one process). Re-using a registry returns the existing
 * metric instead of throwing on the duplicate name.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The pipeline's metrics. */
export interface PipelineMetrics {
  /** Source failures (worker error, exit, thrown source), by source kind. */
  sourceFailures: Counter<'kind'>;
  /** Source restarts, by source kind. */
  sourceRestarts: Counter<'kind'>;
  /** Detections dropped in the bounded hand-off (oldest first), by where: `ring` or `worker`. */
  handoffDropped: Counter<'where'>;
  /** Detections received from the source. */
  detections: Counter;
  /** Detections (or parts of them) rejected by validation, by reason. */
  validationRejects: Counter<'reason'>;
  /** Publishes that failed after retries (or were refused by the breaker), by stream and reason. */
  publishFailures: Counter<'stream' | 'reason'>;
  /** Publish retries, by stream. */
  publishRetries: Counter<'stream'>;
  /** Circuit breaker state: 0 closed, 1 half-open, 2 open. */
  breakerState: Gauge;
  /** Main-loop time per frame (core + trajectory + publish hand-off), seconds. */
  frameSeconds: Histogram;
  /** Game events published, by event. */
  events: Counter<'event'>;
}

function getOr<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Creates (or re-uses) the pipeline metrics on `registry`. */
export function createPipelineMetrics(registry: Registry): PipelineMetrics {
  const registers = [registry];
  return {
    sourceFailures: getOr(registry, 'tablecast_source_failures_total', () =>
      new Counter({ name: 'tablecast_source_failures_total', help: 'Source failures (worker error/exit, thrown source)', labelNames: ['kind'], registers })),
    sourceRestarts: getOr(registry, 'tablecast_source_restarts_total', () =>
      new Counter({ name: 'tablecast_source_restarts_total', help: 'Source worker restarts', labelNames: ['kind'], registers })),
    handoffDropped: getOr(registry, 'tablecast_handoff_dropped_total', () =>
      new Counter({ name: 'tablecast_handoff_dropped_total', help: 'Detections dropped in the bounded worker hand-off (oldest first)', labelNames: ['where'], registers })),
    detections: getOr(registry, 'tablecast_detections_total', () =>
      new Counter({ name: 'tablecast_detections_total', help: 'Detections received from the source', registers })),
    validationRejects: getOr(registry, 'tablecast_validation_rejects_total', () =>
      new Counter({ name: 'tablecast_validation_rejects_total', help: 'Detections or balls rejected by validation', labelNames: ['reason'], registers })),
    publishFailures: getOr(registry, 'tablecast_pipeline_publish_failures_total', () =>
      new Counter({ name: 'tablecast_pipeline_publish_failures_total', help: 'Pipeline publishes that failed', labelNames: ['stream', 'reason'], registers })),
    publishRetries: getOr(registry, 'tablecast_pipeline_publish_retries_total', () =>
      new Counter({ name: 'tablecast_pipeline_publish_retries_total', help: 'Pipeline publish retries', labelNames: ['stream'], registers })),
    breakerState: getOr(registry, 'tablecast_circuit_breaker_state', () =>
      new Gauge({ name: 'tablecast_circuit_breaker_state', help: 'Publish circuit breaker: 0 closed, 1 half-open, 2 open', registers })),
    frameSeconds: getOr(registry, 'tablecast_pipeline_frame_seconds', () =>
      new Histogram({
        name: 'tablecast_pipeline_frame_seconds',
        help: 'Main-loop time per frame (validation, game state, events, trajectory)',
        buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05],
        registers,
      })),
    events: getOr(registry, 'tablecast_game_events_total', () =>
      new Counter({ name: 'tablecast_game_events_total', help: 'Game events published', labelNames: ['event'], registers })),
  };
}
