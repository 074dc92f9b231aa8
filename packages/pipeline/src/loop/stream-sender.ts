/**
 * Sends pipeline messages through the StreamPublisher without ever blocking the loop: each stream
 * has one lane with at most one publish in flight. Latest-value streams (`state`, `trajectory`,
 * `performance`, ...) keep only the newest pending message (older ones are superseded, which is
 * what the delivery class promises anyway); reliable streams (`event`, `alert`) queue in order up to
 * `reliableQueueMax` (oldest dropped and counted beyond).
 *
 * Each attempt goes through the circuit breaker; transient failures are retried with backoff
 * ({@link withRetry}); validation errors and an open breaker are not retried.
 */
import type { Logger } from 'pino';
import { DELIVERY_CLASS, type CanonicalStream, type StreamPayloadMap } from '@tablecast/protocol';
import type { PublishOptions, StreamPort } from '../ports.js';
import { CircuitOpenError, withRetry, type CircuitBreaker, type RetryPolicy } from '@tablecast/common';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import { RateLimitedReporter } from '../util/rate-limited.js';

interface Pending {
  data: StreamPayloadMap[CanonicalStream];
  options: PublishOptions | undefined;
}

interface Lane {
  busy: boolean;
  latest: Pending | null;
  queue: Pending[];
  idle: Promise<void> | null;
  resolveIdle: (() => void) | null;
}

/** Counters of a sender. */
export interface SenderStats {
  published: number;
  failed: number;
  superseded: number;
  dropped: number;
}

/** Sender settings. */
export interface StreamSenderOptions {
  retry: RetryPolicy;
  /** Max queued messages per reliable stream (default 1000). */
  reliableQueueMax?: number;
  /** Sleep (seconds) used between retries; default real timers. */
  sleep?: (seconds: number) => Promise<void>;
}

/** See the module comment. */
export class StreamSender {
  private readonly lanes = new Map<CanonicalStream, Lane>();
  private readonly failureLog = new RateLimitedReporter(5000);
  readonly stats: SenderStats = { published: 0, failed: 0, superseded: 0, dropped: 0 };
  private closed = false;

  constructor(
    private readonly publisher: StreamPort,
    private readonly breaker: CircuitBreaker,
    private readonly metrics: PipelineMetrics,
    private readonly log: Logger,
    private readonly opts: StreamSenderOptions,
  ) {}

  /** Queues `data` for `stream`; returns at once. Ignored after {@link close}. */
  send<S extends CanonicalStream>(stream: S, data: StreamPayloadMap[S], options?: PublishOptions): void {
    if (this.closed) return;
    let lane = this.lanes.get(stream);
    if (!lane) this.lanes.set(stream, (lane = { busy: false, latest: null, queue: [], idle: null, resolveIdle: null }));
    const msg: Pending = { data, options };
    if (DELIVERY_CLASS[stream] === 'reliable') {
      lane.queue.push(msg);
      if (lane.queue.length > (this.opts.reliableQueueMax ?? 1000)) {
        lane.queue.shift();
        this.stats.dropped++;
        this.metrics.publishFailures.inc({ stream, reason: 'queue_full' });
      }
    } else {
      if (lane.latest) this.stats.superseded++;
      lane.latest = msg;
    }
    if (!lane.busy) void this.pump(stream, lane);
  }

  private async pump(stream: CanonicalStream, lane: Lane): Promise<void> {
    lane.busy = true;
    for (;;) {
      const msg = lane.queue.shift() ?? lane.latest;
      if (!msg) break;
      if (msg === lane.latest) lane.latest = null;
      await this.publishOne(stream, msg);
    }
    lane.busy = false;
    lane.resolveIdle?.();
    lane.idle = null;
    lane.resolveIdle = null;
  }

  private async publishOne(stream: CanonicalStream, msg: Pending): Promise<void> {
    try {
      await withRetry(() => this.breaker.execute(() => this.publisher.publish(stream, msg.data, msg.options)), this.opts.retry, {
        onRetry: () => this.metrics.publishRetries.inc({ stream }),
        ...(this.opts.sleep ? { sleep: this.opts.sleep } : {}),
      });
      this.stats.published++;
    } catch (err) {
      this.stats.failed++;
      const reason = err instanceof CircuitOpenError ? 'circuit_open' : String((err as { code?: unknown }).code ?? 'error');
      this.metrics.publishFailures.inc({ stream, reason });
      this.failureLog.hit((suppressed) =>
        this.log.warn({ err, stream, reason, suppressed }, `pipeline publish on ${stream} failed (${reason})`),
      );
    }
  }

  /** Resolves when every lane is idle (nothing queued or in flight). */
  async flush(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      if (!lane.busy) continue;
      lane.idle ??= new Promise<void>((r) => (lane.resolveIdle = r));
      waits.push(lane.idle);
    }
    await Promise.all(waits);
  }

  /** Stops accepting messages (pending ones still finish; await {@link flush}). */
  close(): void {
    this.closed = true;
  }

  /** Accepts messages again after {@link close} (the pipeline was started again). */
  open(): void {
    this.closed = false;
  }
}
