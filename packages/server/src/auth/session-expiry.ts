/**
 * Token expiry during a connection: one timer per session whose token carries `exp` closes the
 * connection with 4001 ("token expired") at `exp` (plus the configured clock tolerance, the same
 * leeway the verifier grants at connect). Timers end with the socket.
 */
import { CloseCode } from '@tablecast/protocol';
import type { ClientSession } from '@tablecast/gateway';

/** setTimeout's ceiling (~24.8 days); longer expiries re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Expiry timers of one server's sessions. */
export class SessionExpiry {
  private readonly timers = new Map<ClientSession, NodeJS.Timeout>();

  /** @param toleranceS seconds added to `exp` (auth.jwt.clock_tolerance_s) */
  constructor(private readonly toleranceS: number) {}

  /** Number of sessions with a pending expiry. */
  get size(): number {
    return this.timers.size;
  }

  /**
   * Arms the timer of `session` from its principal's `exp` (seconds since the Unix epoch); no-op
   * without one. Closes at once when already past.
   */
  watch(session: ClientSession): void {
    const exp = session.principal.exp;
    if (exp === null || !Number.isFinite(exp)) return;
    const atMs = (exp + this.toleranceS) * 1000;
    const arm = (): void => {
      const left = atMs - Date.now();
      if (left <= 0) {
        this.timers.delete(session);
        session.close(CloseCode.UNAUTHORIZED, 'token expired');
        return;
      }
      const t = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      t.unref();
      this.timers.set(session, t);
    };
    session.ws.once('close', () => this.clear(session));
    arm();
  }

  /** Cancels the timer of `session`. */
  clear(session: ClientSession): void {
    const t = this.timers.get(session);
    if (t) clearTimeout(t);
    this.timers.delete(session);
  }

  /** Cancels every timer (server shutdown). */
  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
