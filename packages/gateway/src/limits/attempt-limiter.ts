/**
 * Attempt limiters: how many attempts (new connections, HTTP requests) one key (a client address)
 * may make per window. Backed by rate-limiter-flexible: its memory store for one process, its Redis
 * store to share the budget between the nodes of a cluster (`@tablecast/gateway/redis`).
 *
 * Refused attempts are given back at once (`reward`), so a client retrying while over the limit
 * does not push its own window further out: the budget returns when the window ends, however often
 * the client knocked meanwhile.
 */
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Outcome of one attempt. `retryAfterS`: whole seconds until the window ends (>= 1). */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterS: number };

/** Counts attempts per key. */
export interface AttemptLimiter {
  /**
   * Counts one attempt of `key` (e.g. a client address), unless it is over its budget.
   * Never rejects: a store that cannot answer (Redis down without an insurance limiter) allows the
   * attempt, since refusing every client for an outage of the limiter's store would be worse.
   */
  take(key: string): Promise<LimitDecision>;
}

/** An AttemptLimiter over any rate-limiter-flexible limiter (memory, Redis, ...). */
export function attemptLimiter(limiter: RateLimiterAbstract): AttemptLimiter {
  return {
    async take(key) {
      try {
        await limiter.consume(key, 1);
        return { allowed: true };
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) return { allowed: true };
        // Refused attempts do not count: give the point back.
        await limiter.reward(key, 1).catch(() => undefined);
        return { allowed: false, retryAfterS: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
      }
    },
  };
}

/**
 * A per-process limiter: `points` attempts per key per `durationS` seconds (fixed windows that start
 * at a key's first attempt; rate-limiter-flexible's RateLimiterMemory).
 */
export function memoryAttemptLimiter(points: number, durationS: number): AttemptLimiter {
  return attemptLimiter(new RateLimiterMemory({ points, duration: durationS }));
}
