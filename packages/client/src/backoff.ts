/**
 * Reconnect delays: exponential backoff with full jitter.
 *
 * Formula (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015, the "Full Jitter" variant,
 * also what Socket.IO's client uses in spirit): `delay = random() * min(maxMs, initialMs * factor^attempt)`.
 * Full jitter spreads a herd of clients that lost the same server uniformly over the window, so a
 * restarted gateway is not hit by every client in the same millisecond.
 */

/** Options of {@link Backoff}. All durations in milliseconds. */
export interface BackoffOptions {
  /** Upper bound of the first window, ms (default 500). */
  initialMs?: number;
  /** Largest window, ms (default 20 000). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * Smallest delay ever returned, ms (default 0: pure full jitter). A small floor avoids a
   * reconnect storm of zero-delay attempts when a server refuses connections at once.
   */
  minMs?: number;
  /** Random source in [0, 1) (default `Math.random`); inject a fixed one in tests. */
  random?: () => number;
}

/** Defaults of {@link BackoffOptions}: 0.5 s growing by 2x up to 20 s. */
export const DEFAULT_BACKOFF: Readonly<Required<Omit<BackoffOptions, 'random'>>> = {
  initialMs: 500,
  maxMs: 20_000,
  factor: 2,
  minMs: 0,
};

/**
 * Upper bound of the jitter window for a 0-based `attempt`: `min(maxMs, initialMs * factor^attempt)`.
 * @param attempt 0 for the first reconnect attempt
 */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const factor = options.factor ?? DEFAULT_BACKOFF.factor;
  const exp = Math.min(Math.max(0, attempt), 64); // factor^64 is far beyond any max: avoid Infinity math
  return Math.min(max, initial * Math.pow(factor, exp));
}

/**
 * The delay before reconnect attempt `attempt` (0-based), ms: uniform in
 * `[minMs, max(minMs, backoffCeiling(attempt))]`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const random = options.random ?? Math.random;
  const min = options.minMs ?? DEFAULT_BACKOFF.minMs;
  const ceiling = Math.max(min, backoffCeiling(attempt, options));
  const r = Math.min(Math.max(random(), 0), 1);
  return min + r * (ceiling - min);
}

/**
 * Stateful backoff: counts attempts since the last success.
 *
 * ```ts
 * const b = new Backoff();
 * const wait = b.next();   // attempt 0: 0..500 ms
 * b.reset();               // after a successful connect
 * ```
 */
export class Backoff {
  private attemptCount = 0;
  private readonly options: BackoffOptions;

  /** @param options see {@link BackoffOptions} */
  constructor(options: BackoffOptions = {}) {
    this.options = { ...options };
  }

  /** Attempts made since the last {@link reset} (the next attempt's 0-based index). */
  get attempt(): number {
    return this.attemptCount;
  }

  /** Returns the delay for the next attempt (ms) and advances the attempt counter. */
  next(): number {
    const delay = backoffDelay(this.attemptCount, this.options);
    this.attemptCount += 1;
    return delay;
  }

  /** Starts over from the first window (call after a connection succeeded). */
  reset(): void {
    this.attemptCount = 0;
  }
}
