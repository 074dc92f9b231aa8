/**
 * Gateway metrics: plain counters updated on the hot path (no prom-client call per message), exposed
 * to Prometheus through collect() callbacks on a per-server prom-client Registry.
 */
import client from 'prom-client';
import { LoopLagMonitor } from './loop-lag.js';
import { LatencyRecorder } from './latency.js';
import type { DropReason } from '../session/client-session.js';

/** Per-stream traffic counters. */
export interface StreamCounters {
  messages: number;
  bytes: number;
  published: number;
}

/** Counters of one gateway. */
export class GatewayMetrics {
  readonly byStream = new Map<string, StreamCounters>();
  readonly drops = new Map<string, number>();
  readonly latency = new LatencyRecorder();
  failedSends = 0;
  connectionsTotal = 0;
  closesByCode = new Map<number, number>();
  /** WebSocket upgrades answered with an HTTP error instead of a handshake, by status (429). */
  upgradesRefused = new Map<number, number>();
  inboundMessages = 0;
  inboundBytes = 0;
  protocolErrors = new Map<string, number>();
  private readonly promLatency: client.Histogram;
  /** The server's event-loop delay monitor (shared with the system-health channel). */
  readonly loop: LoopLagMonitor;

  /**
   * @param registry where the metrics are registered (one per server)
   * @param connections returns the current connection count
   */
  constructor(
    readonly registry: client.Registry,
    connections: () => number,
  ) {
    this.loop = new LoopLagMonitor();
    // prom-client collect() callbacks get the metric as `this`; they read the counters through `self`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    new client.Gauge({
      name: 'tablecast_ws_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
      collect() {
        this.set(connections());
      },
    });
    new client.Counter({
      name: 'tablecast_ws_connections_total',
      help: 'WebSocket connections accepted since start',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(self.connectionsTotal);
      },
    });
    new client.Counter({
      name: 'tablecast_ws_messages_sent_total',
      help: 'Messages written to sockets, by stream (or reply type)',
      labelNames: ['stream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [stream, c] of self.byStream) this.inc({ stream }, c.messages);
      },
    });
    new client.Counter({
      name: 'tablecast_ws_bytes_sent_total',
      help: 'Bytes written to sockets (frames), by stream',
      labelNames: ['stream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [stream, c] of self.byStream) this.inc({ stream }, c.bytes);
      },
    });
    new client.Counter({
      name: 'tablecast_messages_published_total',
      help: 'Messages published, by stream',
      labelNames: ['stream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [stream, c] of self.byStream) if (c.published) this.inc({ stream }, c.published);
      },
    });
    new client.Counter({
      name: 'tablecast_ws_dropped_total',
      help: 'Messages not delivered, by reason (conflated, queue_full, throttled, sampled, acked, closed)',
      labelNames: ['reason', 'stream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, n] of self.drops) {
          const [reason, stream] = key.split('|');
          this.inc({ reason: reason!, stream: stream! }, n);
        }
      },
    });
    new client.Counter({
      name: 'tablecast_ws_closes_total',
      help: 'Connections closed, by close code',
      labelNames: ['code'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [code, n] of self.closesByCode) this.inc({ code: String(code) }, n);
      },
    });
    new client.Counter({
      name: 'tablecast_ws_upgrades_refused_total',
      help: 'WebSocket upgrades refused with an HTTP status before the handshake (429: per-address connection rate)',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [status, n] of self.upgradesRefused) this.inc({ status: String(status) }, n);
      },
    });
    new client.Counter({
      name: 'tablecast_ws_protocol_errors_total',
      help: 'Error replies sent, by code',
      labelNames: ['code'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [code, n] of self.protocolErrors) this.inc({ code }, n);
      },
    });
    this.promLatency = new client.Histogram({
      name: 'tablecast_publish_to_send_seconds',
      help: 'Time from publish to the write of the message to the sockets of one fan-out',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
    // One gauge per figure (not a `quantile` label on a gauge: that is a summary's label, and
    // `promtool check metrics` refuses it on anything else).
    const lagGauge = (name: string, help: string, pick: (l: { p50: number; p99: number; max: number }) => number) =>
      new client.Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(pick(self.loop.recent()) / 1e3);
        },
      });
    lagGauge('tablecast_event_loop_lag_p50_seconds', 'Event-loop delay over the last 5 s window, median', (l) => l.p50);
    lagGauge('tablecast_event_loop_lag_p99_seconds', 'Event-loop delay over the last 5 s window, 99th percentile', (l) => l.p99);
    lagGauge('tablecast_event_loop_lag_max_seconds', 'Event-loop delay over the last 5 s window, maximum', (l) => l.max);
  }

  /** Traffic counters of `stream` (created on first use). */
  stream(stream: string): StreamCounters {
    let c = this.byStream.get(stream);
    if (!c) {
      c = { messages: 0, bytes: 0, published: 0 };
      this.byStream.set(stream, c);
    }
    return c;
  }

  /**
   * Counts messages written to sockets.
   * @param stream the stream (or reply type) they belong to
   * @param messages how many writes
   * @param bytes total bytes written
   */
  sent(stream: string, messages: number, bytes: number): void {
    const c = this.stream(stream);
    c.messages += messages;
    c.bytes += bytes;
  }

  /** Counts one dropped message. */
  drop(reason: DropReason, stream: string | null): void {
    const key = `${reason}|${stream ?? 'reply'}`;
    this.drops.set(key, (this.drops.get(key) ?? 0) + 1);
  }

  /** Records one publish-to-send latency, microseconds. */
  observeLatency(micros: number): void {
    this.latency.record(micros);
    this.promLatency.observe(micros / 1e6);
  }

  /** Event-loop delay percentiles over the last window, ms. */
  eventLoopLagMs(): { p50: number; p99: number } {
    const lag = this.loop.recent();
    return { p50: lag.p50, p99: lag.p99 };
  }

  /** Stops the event-loop monitor. */
  close(): void {
    this.loop.close();
  }
}
