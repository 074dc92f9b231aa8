/**
 * Client-side connection statistics: messages per second over a sliding window, round-trip time from
 * `ping`/`pong`, and drop counters.
 */

/**
 * Counts events in a sliding window of `windowMs` split into `buckets` slots, so the rate follows the
 * stream within one bucket (default 1 s window in 10 slots of 100 ms).
 */
export class RateMeter {
  private readonly counts: number[];
  private readonly bucketMs: number;
  private head = 0;
  private headStart = 0;

  /**
   * @param windowMs window length, ms (default 1000)
   * @param buckets slots in the window (default 10)
   * @param now clock in ms (default `performance.now`)
   */
  constructor(
    private readonly windowMs = 1000,
    buckets = 10,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.counts = new Array<number>(buckets).fill(0);
    this.bucketMs = windowMs / buckets;
    this.headStart = this.now();
  }

  private rotate(): void {
    const t = this.now();
    let steps = Math.floor((t - this.headStart) / this.bucketMs);
    if (steps <= 0) return;
    if (steps >= this.counts.length) {
      this.counts.fill(0);
      this.headStart += steps * this.bucketMs;
      return;
    }
    while (steps-- > 0) {
      this.head = (this.head + 1) % this.counts.length;
      this.counts[this.head] = 0;
      this.headStart += this.bucketMs;
    }
  }

  /** Records `n` events now. */
  add(n = 1): void {
    this.rotate();
    this.counts[this.head] = (this.counts[this.head] ?? 0) + n;
  }

  /** Events per second over the window (the current, partial bucket included). */
  get rate(): number {
    this.rotate();
    let sum = 0;
    for (const c of this.counts) sum += c;
    return (sum * 1000) / this.windowMs;
  }
}

/** A snapshot of a client's statistics (see {@link TablecastClient.stats}). */
export interface ClientStats {
  /** Stream messages received per second over the last second (replies excluded). */
  messagesPerSecond: number;
  /** Stream messages received since the client was created (batches counted per message). */
  messagesReceived: number;
  /** Bytes of inbound frames since creation (text frames counted as UTF-16 code units). */
  bytesReceived: number;
  /** Frames sent to the server since creation. */
  messagesSent: number;
  /**
   * Messages the client knows it did not get: sequence gaps on latest-value streams (conflated by the
   * server for a slow client, or thinned by `max_fps` / `sample_rate` filters) and on reliable streams.
   */
  dropped: number;
  /** Reliable messages discarded as duplicates after a resume (at-least-once delivery). */
  duplicates: number;
  /** Inbound frames that could not be decoded. */
  decodeErrors: number;
  /** Last measured round-trip time, ms (null before the first pong). */
  rttMs: number | null;
  /** Exponentially smoothed RTT (alpha 0.2), ms. */
  rttAvgMs: number | null;
  /** Successful reconnects since creation. */
  reconnects: number;
  /** Connection attempts since creation (the first connect included), successful or not. */
  connectAttempts: number;
}

/** Tracks sequence gaps on latest-value streams. */
export class GapCounter {
  private readonly last = new Map<string, number>();
  /** Total sequence numbers skipped. */
  skipped = 0;

  /** Records `sequence` on `stream`; counts the numbers skipped since the previous one. */
  observe(stream: string, sequence: number): void {
    const prev = this.last.get(stream);
    if (prev !== undefined && sequence > prev + 1) this.skipped += sequence - prev - 1;
    if (prev === undefined || sequence > prev) this.last.set(stream, sequence);
    else if (sequence < prev) this.last.set(stream, sequence); // sequences restarted (new server)
  }

  /** Forgets positions (after a reconnect, gaps across the outage are not "drops"). */
  reset(): void {
    this.last.clear();
  }
}
