/**
 * A small reusable circuit breaker (integration.circuit_breaker). Closed: calls pass; after
 * `failureThreshold` consecutive failures it opens. Open: calls are rejected at once with
 * {@link CircuitOpenError} until `timeoutS` has passed; then it is half-open and lets ONE trial call
 * through: success closes it, failure opens it again for another `timeoutS`.
 *
 * Every transition goes through {@link CircuitBreaker.transition} and is reported to
 * `onStateChange`, so a cluster can mirror the state (e.g. through Redis). The clock is injectable.
 * Pattern: M. Nygard, "Release It!" (2007), "Circuit Breaker".
 */

/** Breaker state. */
export type BreakerState = 'closed' | 'half_open' | 'open';

/** Numeric encoding for the `tablecast_circuit_breaker_state` gauge: 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/** Options of a breaker. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** Seconds the breaker stays open before one trial call. */
  timeoutS: number;
  /** Clock, milliseconds; default `Date.now`. */
  now?: () => number;
  /** Called on every state change (after it happened). */
  onStateChange?: (to: BreakerState, from: BreakerState, breaker: CircuitBreaker) => void;
  /**
   * Whether an error counts as a failure of the protected service. Errors it rejects (validation
   * errors: the service answered) count as a success. Default: every error is a failure.
   */
  isFailure?: (err: unknown) => boolean;
}

/** Thrown by {@link CircuitBreaker.execute} while the breaker rejects calls; never retryable. */
export class CircuitOpenError extends Error {
  readonly code = 'UNAVAILABLE';
  readonly retryable = false;
  constructor(readonly retryInMs: number) {
    super(`circuit breaker open; next trial in ${Math.max(0, Math.round(retryInMs))} ms`);
    this.name = 'CircuitOpenError';
  }
}

/** Snapshot of a breaker, for health endpoints. */
export interface BreakerHealth {
  state: BreakerState;
  consecutive_failures: number;
  /** ISO time the breaker last opened, or null. */
  opened_at: string | null;
}

/** See the module comment. */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAtMs: number | null = null;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Current state; an open breaker whose timeout has elapsed reports `half_open`. */
  get state(): BreakerState {
    if (this.current === 'open' && this.openedAtMs !== null && this.now() - this.openedAtMs >= this.options.timeoutS * 1000) {
      this.transition('half_open');
    }
    return this.current;
  }

  /** Consecutive failures counted while closed (or the failed trial). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /**
   * Runs `fn` through the breaker.
   * @throws CircuitOpenError while open (or while a half-open trial is in flight); else what `fn` throws
   */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half_open' && this.trialInFlight)) {
      const left = this.openedAtMs === null ? 0 : this.options.timeoutS * 1000 - (this.now() - this.openedAtMs);
      throw new CircuitOpenError(left);
    }
    const trial = state === 'half_open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await fn();
      this.recordSuccess();
      return result;
    } catch (err) {
      if (this.options.isFailure && !this.options.isFailure(err)) this.recordSuccess();
      else this.recordFailure();
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  /** Records a successful call: resets the count and closes a half-open breaker. */
  recordSuccess(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  /** Records a failed call: opens after the threshold, or re-opens a half-open breaker. */
  recordFailure(): void {
    this.failures++;
    if (this.current === 'half_open' || (this.current === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.transition('open');
    }
  }

  /** Health snapshot. */
  health(): BreakerHealth {
    return {
      state: this.state,
      consecutive_failures: this.failures,
      opened_at: this.openedAtMs === null ? null : new Date(this.openedAtMs).toISOString(),
    };
  }

  /**
   * The single place where the state changes (also used to apply a state shared by other nodes).
   * No-op when `to` is the current state.
   */
  transition(to: BreakerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    if (to === 'open') this.openedAtMs = this.now();
    if (to === 'closed') this.failures = 0;
    this.options.onStateChange?.(to, from, this);
  }
}
