/**
 * Retry with exponential backoff for transient publish failures (integration.retry): with the
 * defaults (3 retries, 0.1 s initial, x2) the waits are 0.1, 0.2 and 0.4 s. Validation errors are
 * never retried: an error whose `code` is INVALID_PAYLOAD or INVALID_STREAM, or that carries
 * `retryable === false`, is rethrown at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Retry policy, seconds. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  maxRetries: number;
  /** Wait before the first retry, seconds. */
  initialDelayS: number;
  /** Each further wait is the previous one times this. */
  backoffMultiplier: number;
}

/** Codes of errors that a retry cannot fix. */
const NON_RETRYABLE_CODES = new Set(['INVALID_PAYLOAD', 'INVALID_STREAM']);

/** Whether `err` may succeed when retried (false for validation errors and `retryable: false`). */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return true;
  const e = err as { code?: unknown; retryable?: unknown };
  if (e.retryable === false) return false;
  if (typeof e.code === 'string' && NON_RETRYABLE_CODES.has(e.code)) return false;
  return true;
}

/**
 * The waits (seconds) the policy produces, in order: initial * multiplier^i for i < maxRetries.
 */
export function backoffDelays(policy: RetryPolicy): number[] {
  return Array.from({ length: policy.maxRetries }, (_, i) => policy.initialDelayS * policy.backoffMultiplier ** i);
}

/** Hooks for observing retries (metrics, tests). */
export interface RetryHooks {
  /** Called before each wait with the attempt that failed (1-based), the wait (seconds) and the error. */
  onRetry?: (attempt: number, delayS: number, err: unknown) => void;
  /** Sleep implementation, seconds; defaults to a real timer. */
  sleep?: (seconds: number) => Promise<void>;
}

/**
 * Runs `fn`, retrying transient failures with backoff.
 * @returns what `fn` resolves to
 * @throws the last error once retries are exhausted, or a non-retryable error at once
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const delays = backoffDelays(policy);
  const wait = hooks.sleep ?? ((s: number) => sleep(s * 1000).then(() => undefined));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const delay = delays[attempt - 1];
      if (delay === undefined || !isRetryable(err)) throw err;
      hooks.onRetry?.(attempt, delay, err);
      await wait(delay);
    }
  }
}
