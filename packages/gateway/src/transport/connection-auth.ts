/**
 * Connection authentication hook: decides at upgrade time who a connection is. The application
 * implements it (the server's auth: API keys, JWT, roles, per-stream permissions) and returns a
 * typed {@link Principal}; the engine stores it on the session and never interprets roles.
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../session/principal.js';

export { ANONYMOUS, type Principal } from '../session/principal.js';


/** Outcome of authenticating one connection. */
export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; closeCode: number; reason: string };

/** Authenticates connections at upgrade time. */
export interface ConnectionAuthenticator {
  /** @param token from `?token=` or `Authorization: Bearer` (null when absent) */
  authenticate(req: IncomingMessage, token: string | null, channel: string): Promise<AuthOutcome>;
}

/** Extracts a bearer token from `?token=` or the Authorization header. */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q) return q;
  const h = req.headers.authorization;
  if (h && /^bearer\s+/i.test(h)) return h.replace(/^bearer\s+/i, '').trim();
  return null;
}
