/**
 * The inbound-message limit of one connection: a fixed-window counter (messages per minute), owned
 * by its session (no key, no store; per-address limits are attempt-limiter.ts).
 */

/** Counts events in fixed windows; `take()` is false once the window's budget is spent. */
export class WindowCounter {
  private windowStart = 0;
  private count = 0;

  /**
   * @param limit events allowed per window
   * @param windowMs window length, milliseconds
   */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Takes one event; false when over the limit. @param nowMs current time, milliseconds */
  take(nowMs: number = Date.now()): boolean {
    if (nowMs - this.windowStart >= this.windowMs) {
      this.windowStart = nowMs;
      this.count = 0;
    }
    return ++this.count <= this.limit;
  }
}
