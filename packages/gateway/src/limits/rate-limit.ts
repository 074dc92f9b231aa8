/**
 * Rate limiters: a fixed-window counter per connection (inbound messages per minute) and a
 * sliding-window log per key (new connections per IP per minute).
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

/** Sliding-window limiter per key (e.g. client IP). Memory is bounded by active keys. */
export class KeyedSlidingWindow {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records one event for `key`; false when the key is over its limit (the event is still counted). */
  take(key: string, nowMs: number = Date.now()): boolean {
    const cutoff = nowMs - this.windowMs;
    let list = this.events.get(key);
    if (!list) {
      list = [];
      this.events.set(key, list);
    }
    while (list.length > 0 && list[0]! <= cutoff) list.shift();
    list.push(nowMs);
    if (list.length > this.limit * 2) list.splice(0, list.length - this.limit * 2);
    return list.length <= this.limit;
  }

  /** Forgets keys with no event in the window. */
  sweep(nowMs: number = Date.now()): void {
    const cutoff = nowMs - this.windowMs;
    for (const [k, list] of this.events) if (list.length === 0 || list[list.length - 1]! <= cutoff) this.events.delete(k);
  }
}
