/**
 * AuthService: the server's authentication and authorization (ServerExtensions authenticator,
 * authorizer, publishGuard, adminGuard).
 *
 * Connections (at upgrade, per channel):
 * - `detection`: never authenticated (read-only, anonymous; a token is ignored).
 * - a token that does not verify (unknown key, bad signature, expired, wrong iss/aud, malformed):
 *   close 4001; with auth disabled it is ignored instead (the connection is anonymous), except on
 *   `system-health` and `user`, which always need a valid token.
 * - `system-health` and `user` need a valid token (4001 without); `user` also needs the token's
 *   subject to equal the path's user id (4003 otherwise).
 * - no token on `gateway`/`status`: 4001 when `auth.enabled` and not `allow_anonymous`, else the
 *   `anonymous` permissions.
 * - a channel the principal's roles do not list: 4003 (4001 for anonymous).
 *
 * Streams: `canSubscribe` / `canPublish` check the union of the principal's role policies; channel
 * connections are further limited to their own stream and never publish.
 *
 * REST: an `onRequest` hook verifies the request's credentials once (Authorization: Bearer,
 * X-API-Key or `?token=`); the publish guard and the admin guard read the result.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import client from 'prom-client';
import { CloseCode, ErrorCode, canonicalStream, isStreamName, type CanonicalStream } from '@tablecast/protocol';
import { ANONYMOUS, credentialOf, safeDecode, type AuthOutcome, type ClientSession, type ConnectionAuthenticator, type StreamAuthorizer } from '@tablecast/gateway';
import type { PublishGuard } from '../http/publish.js';
import type { AdminGuard } from '../http/websocket-api.js';
import type { AuthConfig, ChannelName } from '../config/auth-section.js';
import type { CredentialVerifier, Principal, VerifyResult } from './credentials.js';
import { ANONYMOUS_ROLE, NOTHING, mayJoinGroup, unionPolicies, type Policy } from './permissions.js';
import { SessionExpiry } from './session-expiry.js';

/** The stream each single-stream channel is bound to. */
export const CHANNEL_STREAM: Readonly<Partial<Record<ChannelName, CanonicalStream>>> = {
  detection: 'detection',
  'system-health': 'system_health',
  status: 'status',
};

/** Channels on which a connection may publish. */
const PUBLISH_CHANNELS: ReadonlySet<string> = new Set(['gateway']);

/** Role precedence for the single `role` attribute (rate limits, welcome message). */
const ROLE_RANK = ['admin', 'publisher', 'subscriber'];

/** What a REST request's credentials resolved to. */
export type RequestPrincipal = { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; principal: Principal };

/** The auth extension of one server. */
export class AuthService implements ConnectionAuthenticator, StreamAuthorizer {
  private readonly policyCache = new Map<string, Policy>();
  private readonly requests = new WeakMap<FastifyRequest, RequestPrincipal>();
  /** REST requests already counted as failures (the publish guard runs once per batch item). */
  private readonly counted = new WeakSet<FastifyRequest>();
  private readonly failures: client.Counter<'reason' | 'channel'>;
  /** Per-session expiry timers (close 4001 at the token's `exp`). */
  readonly expiry: SessionExpiry;
  /** Where the service logs (the server sets its logger). */
  log: { debug(obj: object, msg: string): void } = { debug: () => undefined };
  /** The client's address of a request (behind trusted proxies, the forwarded one); for the loopback-only admin rule. */
  clientAddress: (req: IncomingMessage) => string = (req) => req.socket.remoteAddress ?? '';
  private ignoredTokenLogged = false;

  /**
   * @param auth the `auth` section
   * @param verifier credential verifier built from the same config
   * @param policies compiled role policies (built-in + configured)
   * @param registry the server's prom-client registry (auth failure counter)
   */
  constructor(
    private readonly auth: AuthConfig,
    private readonly verifier: CredentialVerifier,
    private readonly policies: ReadonlyMap<string, Policy>,
    registry: client.Registry,
  ) {
    this.failures = new client.Counter({
      name: 'tablecast_auth_failures_total',
      help: 'Refused connections and requests, by reason and channel (or rest)',
      labelNames: ['reason', 'channel'],
      registers: [registry],
    });
    this.expiry = new SessionExpiry(auth.jwt.clock_tolerance_s);
  }

  /** Whether credentials are enforced on the gateway, /ws/status and the admin routes. */
  get enabled(): boolean {
    return this.auth.enabled;
  }

  /** The union policy of `roles` (cached). */
  policyOf(roles: readonly string[]): Policy {
    const key = roles.join(',');
    let p = this.policyCache.get(key);
    if (!p) {
      p = unionPolicies(roles.map((r) => this.policies.get(r)).filter((x): x is Policy => x !== undefined));
      this.policyCache.set(key, p);
    }
    return p;
  }

  /** The policy of a connected session. */
  sessionPolicy(session: ClientSession): Policy {
    const roles = session.principal.roles;
    return roles.length > 0 ? this.policyOf([...roles]) : NOTHING;
  }

  /** Verifies a token (see {@link CredentialVerifier.verify}). */
  verify(token: string): Promise<VerifyResult> {
    return this.verifier.verify(token);
  }

  /** {@inheritDoc ConnectionAuthenticator.authenticate} */
  async authenticate(req: IncomingMessage, token: string | null, channel: string): Promise<AuthOutcome> {
    if (channel === 'detection') return { ok: true, principal: ANONYMOUS };
    const refuse = (code: number, reason: string): AuthOutcome => {
      this.failures.inc({ reason: reasonLabel(code, reason), channel });
      return { ok: false, closeCode: code, reason };
    };
    let principal: Principal | null = null;
    const ch = channel as ChannelName;
    if (token) {
      const r = await this.verifier.verify(token);
      if (r.ok) principal = r.principal;
      else if (!this.auth.enabled && ch !== 'system-health' && ch !== 'user') {
        // Auth off (the embedded demo): as the original, a token that does not verify is ignored;
        // the connection is anonymous. (A publish API key still verifies and gives its role.)
        if (!this.ignoredTokenLogged) {
          this.ignoredTokenLogged = true;
          this.log.debug({ channel, reason: r.reason }, 'auth disabled: ignoring a token that does not verify (logged once)');
        }
      } else return refuse(r.code === 'no_role' ? CloseCode.FORBIDDEN : CloseCode.UNAUTHORIZED, r.reason);
    }
    if (!principal) {
      if (ch === 'system-health' || ch === 'user') return refuse(CloseCode.UNAUTHORIZED, `${ch === 'user' ? '/ws/{user_id}' : '/ws/system-health'} needs a token`);
      if (this.auth.enabled && !this.auth.allow_anonymous) return refuse(CloseCode.UNAUTHORIZED, 'authentication required (token or Authorization: Bearer)');
      const policy = this.policyOf([ANONYMOUS_ROLE]);
      if (!policy.channels.has(ch)) return refuse(CloseCode.UNAUTHORIZED, `channel ${channel} needs a token`);
      return { ok: true, principal: ANONYMOUS };
    }
    const policy = this.policyOf(principal.roles);
    if (!policy.channels.has(ch)) return refuse(CloseCode.FORBIDDEN, `role may not use channel ${channel}`);
    const bound = CHANNEL_STREAM[ch];
    if (bound && !policy.subscribe.has(bound)) return refuse(CloseCode.FORBIDDEN, `role may not read ${bound}`);
    let userId: string | null = null;
    if (ch === 'user') {
      userId = userIdOf(req);
      if (!userId || userId !== principal.subject) return refuse(CloseCode.FORBIDDEN, 'token subject does not match the user channel');
    }
    return {
      ok: true,
      principal: { auth: principal.kind, subject: principal.subject, role: primaryRole(principal.roles), roles: principal.roles, exp: principal.exp, userId },
    };
  }

  /** {@inheritDoc StreamAuthorizer.canSubscribe} */
  canSubscribe(session: ClientSession, stream: CanonicalStream): boolean {
    const channel = session.channel as ChannelName;
    const bound = CHANNEL_STREAM[channel];
    if (bound && stream !== bound) return false;
    if (channel === 'detection') return true; // the unauthenticated, read-only detection feed
    return this.sessionPolicy(session).subscribe.has(stream);
  }

  /** {@inheritDoc StreamAuthorizer.canPublish} */
  canPublish(session: ClientSession | null, stream: CanonicalStream): boolean {
    if (!session) return true; // in-process; REST is checked by publishGuard
    if (!PUBLISH_CHANNELS.has(session.channel)) return false;
    return this.sessionPolicy(session).publish.has(stream);
  }

  /** Whether a session may join `group`. */
  canJoinGroup(session: ClientSession, group: string): boolean {
    if (session.channel === 'detection') return false;
    return mayJoinGroup(this.sessionPolicy(session), group);
  }

  // ------------------------------------------------------------------ REST

  /** Registers the `onRequest` hook that verifies REST credentials once per request. */
  registerHttpHook(app: FastifyInstance): void {
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/')) return;
      const token = credentialOf(req.headers, req.query as Record<string, unknown> | undefined);
      if (!token) return;
      const r = await this.verifier.verify(token);
      this.requests.set(req, r.ok ? { kind: 'ok', principal: r.principal } : { kind: 'invalid', reason: r.reason });
    });
  }

  /** What the request's credentials resolved to (after the onRequest hook). */
  requestPrincipal(req: FastifyRequest): RequestPrincipal {
    return this.requests.get(req) ?? { kind: 'none' };
  }

  /**
   * REST publish guard: an API key or JWT whose roles may publish on `stream` (whether or not auth
   * is enabled: publishing always needs credentials).
   */
  readonly publishGuard: PublishGuard = (req, stream) => {
    const p = this.requestPrincipal(req);
    if (p.kind === 'none') return this.restFail(req, 401, 'publish needs an API key or token (X-API-Key or Authorization: Bearer)');
    if (p.kind === 'invalid') return this.restFail(req, 401, p.reason);
    if (!isStreamName(stream) || !this.policyOf(p.principal.roles).publish.has(canonicalStream(stream))) {
      return this.restFail(req, 403, `role ${primaryRole(p.principal.roles)} may not publish on ${stream}`);
    }
    return { ok: true };
  };

  /**
   * Admin REST guard. Auth disabled (the embedded demo): loopback clients only (403 for any other
   * address, so a page on the venue network cannot stop the server); else 401 without valid
   * credentials, 403 without the admin role.
   */
  readonly adminGuard: AdminGuard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!this.auth.enabled) {
      if (isLoopback(this.clientAddress(req.raw))) return true;
      await reply.code(403).send({ error: { code: ErrorCode.FORBIDDEN, message: 'admin routes answer only loopback clients while auth is disabled (enable auth.enabled to use them remotely)' } });
      return false;
    }
    const p = this.requestPrincipal(req);
    const r =
      p.kind === 'none' ? this.restFail(req, 401, 'admin route needs credentials (Authorization: Bearer or X-API-Key)')
      : p.kind === 'invalid' ? this.restFail(req, 401, p.reason)
      : !this.policyOf(p.principal.roles).admin ? this.restFail(req, 403, `role ${primaryRole(p.principal.roles)} may not call admin routes`)
      : null;
    if (!r) return true;
    await reply.code(r.status).send({ error: { code: r.status === 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN, message: r.message } });
    return false;
  };

  private restFail(req: FastifyRequest, status: 401 | 403, message: string): { ok: false; status: 401 | 403; message: string } {
    if (!this.counted.has(req)) {
      this.counted.add(req);
      this.failures.inc({ reason: status === 401 ? 'unauthorized' : 'forbidden', channel: 'rest' });
    }
    return { ok: false, status, message };
  }
}


/** Whether `address` is a loopback address (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}

/** The highest-ranked known role (admin > publisher > subscriber), else the first. */
export function primaryRole(roles: readonly string[]): string {
  for (const r of ROLE_RANK) if (roles.includes(r)) return r;
  return roles[0] ?? ANONYMOUS_ROLE;
}

/** The user id of a `/ws/{user_id}` upgrade request (last path segment). */
export function userIdOf(req: IncomingMessage): string | null {
  try {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    const m = /^\/ws\/([^/]+)$/.exec(path);
    return m ? safeDecode(m[1]!) : null;
  } catch {
    return null;
  }
}


function reasonLabel(code: number, reason: string): string {
  if (code === CloseCode.FORBIDDEN) return 'forbidden';
  if (reason.includes('expired')) return 'expired';
  if (reason.includes('needs a token') || reason.includes('required')) return 'missing';
  return 'invalid';
}
