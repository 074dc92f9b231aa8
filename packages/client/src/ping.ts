/**
 * Round-trip time from `ping {timestamp}` / `pong {client_timestamp}` (PROTOCOL section 3) and
 * dead-socket detection: a socket that received nothing for `pongTimeoutMs` after a ping is dead
 * (half-open TCP connections otherwise stay "open" for minutes).
 */
import type { PongData } from '@tablecast/protocol';

/** RTT smoothing factor (exponential moving average, like TCP's SRTT with alpha 1/8..1/4). */
const RTT_ALPHA = 0.2;

interface Outstanding {
  sentAt: number;
  resolve?: ((rttMs: number) => void) | undefined;
  reject?: ((err: Error) => void) | undefined;
}

/** Tracks pings of one socket. */
export class PingTracker {
  private readonly outstanding = new Map<number, Outstanding>();
  private lastId = 0;
  /** Last RTT, ms. */
  rttMs: number | null = null;
  /** Smoothed RTT, ms. */
  rttAvgMs: number | null = null;

  /** @param now monotonic clock, ms (default `performance.now`) */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Creates the `ping` payload and remembers when it was sent. The id is the wall clock in ms (the
   * server may use it for its own `rtt_ms`), bumped by 1 when two pings share a millisecond.
   */
  create(resolve?: (rttMs: number) => void, reject?: (err: Error) => void): { timestamp: number } {
    let id = Date.now();
    if (id <= this.lastId) id = this.lastId + 1;
    this.lastId = id;
    this.outstanding.set(id, { sentAt: this.now(), resolve, reject });
    return { timestamp: id };
  }

  /** Handles a `pong`; returns the measured RTT (ms) or null when it matches no outstanding ping. */
  onPong(data: PongData | undefined): number | null {
    let id = typeof data?.client_timestamp === 'number' ? data.client_timestamp : Number(data?.client_timestamp);
    if (!this.outstanding.has(id)) {
      const oldest = this.outstanding.keys().next();
      if (oldest.done) return null;
      id = oldest.value;
    }
    const entry = this.outstanding.get(id);
    if (!entry) return null;
    this.outstanding.delete(id);
    // pings answered out of order: older ones are lost, forget them
    for (const [k, older] of [...this.outstanding]) {
      if (k >= id) continue;
      this.outstanding.delete(k);
      older.reject?.(new Error('pong lost'));
    }
    const rtt = this.now() - entry.sentAt;
    this.rttMs = rtt;
    this.rttAvgMs = this.rttAvgMs === null ? rtt : this.rttAvgMs + RTT_ALPHA * (rtt - this.rttAvgMs);
    entry.resolve?.(rtt);
    return rtt;
  }

  /** Age of the oldest unanswered ping, ms (0 when none). */
  oldestOutstandingMs(): number {
    const first = this.outstanding.values().next();
    return first.done ? 0 : this.now() - first.value.sentAt;
  }

  /** Forgets outstanding pings (socket closed), rejecting their promises with `error`. */
  clear(error: Error): void {
    const entries = [...this.outstanding.values()];
    this.outstanding.clear();
    for (const e of entries) e.reject?.(error);
  }
}
