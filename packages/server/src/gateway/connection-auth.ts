/**
 * Connection authentication hook: decides at upgrade time who a connection is. The default accepts
 * everyone as `subscriber` and gives the `publisher` role to a token that is one of the configured
 * publish API keys; the auth module (JWT, roles, per-stream permissions) replaces it.
 */
import type { IncomingMessage } from 'node:http';
import type { ClientSession } from './client-session.js';
import type { StreamAuthorizer } from './hub.js';
import type { CanonicalStream } from '@tablecast/protocol';

/** Outcome of authenticating one connection. */
export type AuthOutcome =
  | { ok: true; attributes: Record<string, unknown> }
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

/** Default: anonymous subscribers; publish API keys grant the publisher role. */
export class ApiKeyAuthenticator implements ConnectionAuthenticator, StreamAuthorizer {
  constructor(private readonly apiKeys: readonly string[]) {}

  async authenticate(_req: IncomingMessage, token: string | null): Promise<AuthOutcome> {
    if (token && this.apiKeys.includes(token)) return { ok: true, attributes: { role: 'publisher', subject: 'api-key' } };
    return { ok: true, attributes: { role: 'subscriber', subject: 'anonymous' } };
  }

  canSubscribe(): boolean {
    return true;
  }

  canPublish(session: ClientSession | null, _stream: CanonicalStream): boolean {
    if (!session) return true; // in-process and REST (REST checks its key itself)
    const role = session.attributes.get('role');
    return role === 'publisher' || role === 'admin';
  }
}
