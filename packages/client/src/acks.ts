/**
 * Coalesced acknowledgements of reliable streams (`ack {stream, sequence}` acknowledges everything up
 * to `sequence`, PROTOCOL section 3): only the highest sequence per stream is sent, at most once per
 * interval, so auto-acking a busy stream costs one inbound message per stream per interval against
 * the server's per-connection rate limit.
 */

/** Batches acks for one client. */
export class AckBatcher {
  private readonly pending = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param intervalMs longest delay of an ack, ms
   * @param send sends one `ack` (dropped by the caller when no socket is open)
   */
  constructor(
    private readonly intervalMs: number,
    private readonly send: (stream: string, sequence: number) => void,
  ) {}

  /** Records that `stream` was handled up to `sequence`; sent within `intervalMs`. */
  schedule(stream: string, sequence: number): void {
    if (sequence <= (this.pending.get(stream) ?? 0)) return;
    this.pending.set(stream, sequence);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Forgets a pending ack of `stream` (an explicit ack superseded it). */
  forget(stream: string): void {
    this.pending.delete(stream);
  }

  /** Sends every pending ack now. */
  flush(): void {
    this.cancelTimer();
    for (const [stream, sequence] of this.pending) this.send(stream, sequence);
    this.pending.clear();
  }

  /** Drops pending acks without sending (the socket closed; resume covers them). */
  reset(): void {
    this.cancelTimer();
    this.pending.clear();
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
