/**
 * Rate limiting of repeated reports (logs, alerts): the first occurrence is reported at once, later
 * ones at most once per interval with the number suppressed meanwhile, so a flood of bad
 * detections or failing publishes cannot flood the log or the `alert` stream.
 */

/** Reports at most once per `intervalMs`; counts what it suppressed. */
export class RateLimitedReporter {
  private lastMs = -Infinity;
  private suppressed = 0;

  /**
   * @param intervalMs minimum time between two reports, milliseconds
   * @param now clock in milliseconds (default `Date.now`)
   */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Calls `report(suppressedSinceLast)` when the interval has passed since the last report,
   * else counts the occurrence as suppressed.
   * @returns whether `report` was called
   */
  hit(report: (suppressed: number) => void): boolean {
    const t = this.now();
    if (t - this.lastMs < this.intervalMs) {
      this.suppressed++;
      return false;
    }
    const n = this.suppressed;
    this.suppressed = 0;
    this.lastMs = t;
    report(n);
    return true;
  }
}
