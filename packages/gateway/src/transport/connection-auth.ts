/**
 * Connection authentication hook: decides at upgrade time who a connection is. The application
 * implements it (the server's auth: API keys, JWT, roles, per-stream permissions) and returns a
 * typed {@link Principal}; the engine stores it on the session and never interprets roles.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Principal } from '../session/principal.js';

export { ANONYMOUS, type Principal } from '../session/principal.js';


/** Outcome of authenticating one connection. */
export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; closeCode: number; reason: string };

/** Authenticates connections at upgrade time. */
export interface ConnectionAuthenticator {
  /** @param token the request's credential ({@link credentialOf}), or null when absent */
  authenticate(req: IncomingMessage, token: string | null, channel: string): Promise<AuthOutcome>;
}

/**
 * The credential a request carries, by the one rule every endpoint uses (WebSocket upgrades and
 * REST alike): `Authorization: Bearer <token>`, then `X-API-Key`, then the `token` query parameter
 * (browsers cannot set headers on a WebSocket). Null when none is present or the value is empty.
 * @param headers the request's headers (Node's lower-cased IncomingHttpHeaders)
 * @param query the request's query parameters
 */
export function credentialOf(headers: IncomingHttpHeaders, query: URLSearchParams | Record<string, unknown> | undefined): string | null {
  const h = headers.authorization;
  if (h && /^bearer\s+/i.test(h)) {
    const t = h.replace(/^bearer\s+/i, '').trim();
    if (t) return t;
  }
  const k = headers['x-api-key'];
  if (typeof k === 'string' && k) return k;
  const q = query instanceof URLSearchParams ? query.get('token') : query?.token;
  return typeof q === 'string' && q ? q : null;
}
