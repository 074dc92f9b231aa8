/**
 * WebSocket close codes used by tablecast, in one table with documented ranges (PROTOCOL section 7).
 *
 * Ranges:
 * - 1000-1015: RFC 6455 codes.
 * - 4000-4099: terminal; the client must not reconnect.
 * - 4100-4199: reconnect after backoff.
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  UNAUTHORIZED: 4001,
  FORBIDDEN: 4003,
  CLIENT_ID_IN_USE: 4008,
  REPLACED: 4009,
  SLOW_CONSUMER: 4100,
  TOO_MANY_CONNECTIONS: 4101,
  HEARTBEAT_TIMEOUT: 4102,
} as const;

/** One of the close codes above. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Human-readable description of each close code (also used as the default close reason). */
export const CLOSE_CODE_DESCRIPTIONS: Readonly<Record<CloseCodeValue, string>> = {
  1000: 'normal closure',
  1001: 'server going away; reconnect with backoff',
  1007: 'invalid payload',
  1008: 'policy violation (auth or rate limit)',
  1009: 'message too large',
  1011: 'internal server error',
  4001: 'unauthorized; do not reconnect',
  4003: 'forbidden; do not reconnect',
  4008: 'client_id in use by another principal; connect with another id',
  4009: 'replaced by a newer connection of the same client; do not reconnect',
  4100: 'slow consumer: send queue exceeded its byte limit; reconnect after backoff',
  4101: 'too many connections; reconnect after backoff',
  4102: 'heartbeat timeout; reconnect after backoff',
};

/** Maximum close-reason length in bytes allowed by RFC 6455 (125) less a safety margin: reasons stay under 123. */
export const MAX_CLOSE_REASON_BYTES = 122;

/** True for codes in the terminal range 4000-4099: a client must not reconnect. */
export function isTerminalCloseCode(code: number): boolean {
  return code >= 4000 && code <= 4099;
}

/**
 * Whether a client should reconnect after a close with `code`.
 * Terminal codes (4000-4099: 4001 unauthorized, 4003 forbidden, 4008 client id in use, 4009
 * replaced) and 1000 normal closure never reconnect; everything else reconnects with backoff,
 * including 1008 (a rate limit: the next attempt after the backoff may pass).
 */
export function shouldReconnect(code: number): boolean {
  if (isTerminalCloseCode(code)) return false;
  if (code === CloseCode.NORMAL) return false;
  return true;
}

/** Truncates a close reason to fit the protocol limit (UTF-8 bytes), never splitting a character. */
export function clampCloseReason(reason: string): string {
  const enc = new TextEncoder();
  if (enc.encode(reason).length <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  for (const ch of reason) {
    if (enc.encode(out + ch).length > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
  }
  return out;
}
