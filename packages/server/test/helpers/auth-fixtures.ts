/**
 * Shared fixtures of the auth-* and channels-* tests: JWT minting (jose), API keys, a server with an
 * `auth` section, and connection helpers that report the close code of a refused connection.
 */
import { SignJWT } from 'jose';
import { connect, type CloseInfo, type TestClient } from './ws-client.js';
import { startServer, type Started } from './server.js';

/** HS256 secret of the tests (>= 32 characters). */
export const SECRET = 'tablecast-test-secret-0123456789-abcdef';
export const ISSUER = 'https://issuer.tablecast.test';
export const AUDIENCE = 'tablecast-gateway';

/** Static API keys of the tests by role. */
export const KEYS = {
  subscriber: 'sub-key-0123456789',
  publisher: 'pub-key-0123456789',
  admin: 'admin-key-0123456789',
  legacyPublish: 'legacy-publish-key-01',
} as const;

/** Options of {@link mint}. */
export interface MintOptions {
  /** Seconds until `exp` (negative: already expired). Default 600. */
  expiresInS?: number;
  secret?: string;
  issuer?: string;
  audience?: string;
}

/** An HS256 JWT for `sub` with `claims` (e.g. `{role: 'publisher'}`). */
export async function mint(sub: string, claims: Record<string, unknown> = {}, o: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(o.issuer ?? ISSUER)
    .setAudience(o.audience ?? AUDIENCE)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (o.expiresInS ?? 600))
    .sign(new TextEncoder().encode(o.secret ?? SECRET));
}

/** The `auth` section used by most tests: enabled, HS256 with issuer/audience, the API keys above. */
export function authSection(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE },
    api_keys: [
      { key: KEYS.subscriber, role: 'subscriber', subject: 'key-sub' },
      { key: KEYS.publisher, role: 'publisher', subject: 'key-pub' },
      { key: KEYS.admin, role: 'admin', subject: 'key-admin' },
    ],
    ...extra,
  };
}

/** Starts a test server with `auth` and other sections (rate limits raised by the helper). */
export function startAuthServer(auth: Record<string, unknown>, sections: Record<string, Record<string, unknown>> = {}): Promise<Started> {
  return startServer({ ...sections, auth, publish: { api_keys: [KEYS.legacyPublish], ...(sections.publish ?? {}) } });
}

/** Outcome of a connection attempt: the open client (welcome received) or the close code. */
export type Attempt = { open: true; client: TestClient; welcome: Record<string, unknown> } | { open: false; close: CloseInfo };

/**
 * Connects to `path` with an optional token; resolves once the welcome arrived (open) or the server
 * closed the socket (refused, with its code).
 */
export async function attempt(s: Started, path: string, token?: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Attempt> {
  const q: Record<string, string> = { ...query };
  if (token !== undefined) q.token = token;
  const c = await connect(s.url, q, { path, allowClose: true, headers });
  if (c.welcome) return { open: true, client: c, welcome: c.welcome.data as Record<string, unknown> };
  const close = await Promise.race([c.closed, new Promise<CloseInfo>((_, reject) => setTimeout(() => reject(new Error(`no welcome and no close on ${path}`)), 3000))]);
  return { open: false, close };
}

/** Sends a message and waits for the reply of `type` or an `error`, returning the reply. */
export async function ask(c: TestClient, message: unknown, replyType: string): Promise<{ type: string; data: Record<string, unknown> }> {
  const r = await c.request(message, replyType);
  return { type: r.type, data: r.data as Record<string, unknown> };
}

/** A valid payload for every stream (publishing them all proves the publish permissions). */
export const SAMPLE_PAYLOADS: Record<string, Record<string, unknown>> = {
  state: { balls: [], cue: null, table: null, ball_count: 0, frame_number: 1 },
  trajectory: { ball_id: 'cue', lines: [], collisions: [] },
  frame: { image: '', width: 1, height: 1 },
  alert: { level: 'info', message: 'hello', code: 'TEST' },
  config: { section: 'test', config: {} },
  performance: { fps: 30 },
  event: { event: 'shot_started' },
  detection: { event_type: 'card_detected', severity: 'info', message: 'ace of spades' },
  system_health: { status: 'healthy' },
  status: { component: 'camera', status: 'healthy' },
};
