/**
 * Gateway: the WebSocket endpoint of the hub. Accepts upgrades on the configured paths, enforces the
 * connection limits (per-address rate: HTTP 429 with Retry-After before the handshake; max connections 4101, origin allow-list, authentication 4001,
 * client-id ownership 4008/4009, see client-identity.ts),
 * creates a ClientSession per connection, runs the heartbeat (WebSocket ping every ping_interval_s,
 * close 4102 after timeout_s without any inbound frame or pong) and shuts down with 1001.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, PROTOCOL_VERSION, clampCloseReason } from '@tablecast/protocol';
import type { GatewayConfig } from '../config/gateway-config.js';
import { ClientSession, type SessionHooks } from '../session/client-session.js';
import type { Hub } from '../engine/hub.js';
import { MessageHandler, type InboundContext } from '../protocol/message-handler.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { WindowCounter } from '../limits/rate-limit.js';
import { memoryAttemptLimiter, type AttemptLimiter } from '../limits/attempt-limiter.js';
import { clientAddressResolver, type AddressResolver } from './client-address.js';
import { reject, routePath } from './upgrade-router.js';
import { originAllowed } from './origin.js';
import { credentialOf, type ConnectionAuthenticator, type Principal } from './connection-auth.js';
import type { Encoding } from '../wire/outbound.js';
import { identityOf } from '../session/client-identity.js';

const CLIENT_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** Messages a client may send before its connection is accepted (authentication still running). */
const MAX_EARLY_MESSAGES = 64;

/** One inbound WebSocket message as a Buffer. */
function rawBuffer(data: WebSocket.RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** Paths only the original system's clients use (its live view's, and the oldest `/ws`). */
const LEGACY_PATHS: ReadonlySet<string> = new Set(['/api/v1/websocket/ws', '/ws']);

/** Gateway dependencies. */
export interface GatewayOptions {
  /** The gateway's own configuration sections, never the application's whole configuration. */
  config: GatewayConfig;
  hub: Hub;
  metrics: GatewayMetrics;
  authenticator: ConnectionAuthenticator;
  serverVersion: string;
  /**
   * Whether a connection gets `websocket.publisher_rate_limit_per_min` for its inbound messages
   * instead of `rate_limit_per_min` (the server: publisher and admin roles). Default: never.
   */
  publisherRate?: (principal: Principal) => boolean;
  nodeId: string;
  /** Called for every new session (channels, groups, logging). */
  onSession?: (session: ClientSession, req: IncomingMessage, channel: string) => void;
  /**
   * One info line per connection opened, closed or refused (client id, address, channel, code,
   * reason; never a token). Default: silent.
   */
  log?: { info(obj: object, msg: string): void };
  /**
   * Counts new connections per client address on `websocket.connections_per_ip_paths`. Default: this
   * process's own (`connections_per_ip_per_min` per `connection_rate_window_s`); a cluster passes one
   * on Redis so the budget holds across nodes.
   */
  connectionLimiter?: AttemptLimiter;
  /** The client's address of an upgrade. Default: from `config.trustedProxies` (client-address.ts). */
  clientAddress?: AddressResolver;
}

/** The WebSocket transport of one hub. */
export class Gateway {
  readonly wss: WebSocketServer;
  private readonly handler: MessageHandler;
  private readonly perIp: AttemptLimiter;
  private readonly addressOf: AddressResolver;
  private readonly resumeOffsets = new Map<string, { at: number; owner: string; acked: Map<string, number> }>();
  private readonly timer: NodeJS.Timeout;
  private accepting = true;
  private readonly hooks: SessionHooks;
  private readonly rateLimitedPaths: ReadonlySet<string>;

  constructor(private readonly opts: GatewayOptions) {
    const ws = opts.config.websocket;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: ws.max_payload_bytes,
      clientTracking: false,
      perMessageDeflate: ws.compression.enabled
        ? { threshold: ws.compression.threshold, zlibDeflateOptions: { level: ws.compression.level }, serverNoContextTakeover: true, clientNoContextTakeover: true }
        : false,
    });
    this.handler = new MessageHandler(opts.hub);
    this.perIp = opts.connectionLimiter ?? memoryAttemptLimiter(ws.connections_per_ip_per_min, ws.connection_rate_window_s);
    this.addressOf = opts.clientAddress ?? clientAddressResolver(opts.config.trustedProxies ?? []);
    this.rateLimitedPaths = new Set(ws.connections_per_ip_paths);
    const metrics = opts.metrics;
    this.hooks = {
      onSent: (_s, m, bytes) => metrics.sent(m.stream ?? m.type, 1, bytes),
      onDrop: (_s, stream, reason) => metrics.drop(reason, stream),
    };
    const tickMs = Math.max(10, Math.min(1000, (Math.min(ws.ping_interval_s, ws.timeout_s) * 1000) / 2));
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  /** Number of open sessions. */
  get size(): number {
    return this.opts.hub.sessions.size;
  }

  /**
   * Handles an upgrade on a gateway path.
   * @param channel name of the endpoint (e.g. `gateway`, `detection`) recorded on the session
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, channel = 'gateway'): void {
    // Until ws takes the socket over, nothing listens for its errors: a client resetting the
    // connection while the limiter answers (a Redis round trip) would be an uncaught ECONNRESET.
    socket.on('error', () => socket.destroy());
    if (!this.accepting) {
      reject(socket, 503, 'Service Unavailable');
      return;
    }
    const ip = this.addressOf(req);
    if (!this.rateLimitedPaths.has(routePath(url))) {
      this.upgrade(req, socket, head, url, channel, ip);
      return;
    }
    // Over the per-address budget: refused before the handshake, so no socket opens (a client's
    // backoff keeps growing) and the attempt is not counted (attempt-limiter.ts).
    void this.perIp.take(ip).then((decision) => {
      if (socket.destroyed) return;
      if (decision.allowed) return this.upgrade(req, socket, head, url, channel, ip);
      const m = this.opts.metrics.upgradesRefused;
      m.set(429, (m.get(429) ?? 0) + 1);
      this.opts.log?.info({ address: ip, channel, status: 429, retry_after_s: decision.retryAfterS }, 'connection refused: too many connections from this address');
      reject(socket, 429, 'Too Many Requests', { 'Retry-After': String(decision.retryAfterS) });
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, channel: string, ip: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      void this.accept(ws, req, url, channel, ip).catch(() => ws.terminate());
    });
  }

  private async accept(ws: WebSocket, req: IncomingMessage, url: URL, channel: string, ip: string): Promise<void> {
    const cfg = this.opts.config;
    // A client may send as soon as its socket opens (the SDK resubscribes at once), while the
    // authentication below is still awaited: hold those messages (bounded) and handle them, in
    // order, after the welcome; without a listener ws would drop them.
    const early: { data: Buffer; isBinary: boolean }[] = [];
    const onEarly = (data: WebSocket.RawData, isBinary: boolean) => {
      if (early.length >= MAX_EARLY_MESSAGES) {
        ws.close(CloseCode.POLICY_VIOLATION, 'too many messages before the connection was accepted');
        return;
      }
      early.push({ data: rawBuffer(data), isBinary });
    };
    ws.on('message', onEarly);
    const refuse = (code: number, reason: string) => {
      this.opts.metrics.closesByCode.set(code, (this.opts.metrics.closesByCode.get(code) ?? 0) + 1);
      this.opts.log?.info({ address: ip, channel, code, reason }, 'connection refused');
      ws.close(code, clampCloseReason(reason));
    };
    const path = routePath(url);
    if (this.size >= cfg.websocket.max_connections) return refuse(CloseCode.TOO_MANY_CONNECTIONS, 'server at its connection limit');
    if (!originAllowed(req.headers.origin, req.headers.host, cfg.allowedOrigins)) {
      return refuse(CloseCode.FORBIDDEN, 'origin not allowed');
    }
    const auth = await this.opts.authenticator.authenticate(req, credentialOf(req.headers, url.searchParams), channel);
    if (!auth.ok) return refuse(auth.closeCode, auth.reason);
    if (ws.readyState !== ws.OPEN) return;

    const enc = url.searchParams.get('encoding');
    const encoding: Encoding = enc === 'msgpack' ? 'msgpack' : 'json';
    const requested = url.searchParams.get('client_id');
    const id = requested && CLIENT_ID.test(requested) ? requested : randomUUID();
    const principal = auth.principal;
    const identity = identityOf(principal.auth !== 'none' ? { kind: principal.auth, subject: principal.subject } : null, url.searchParams.get('resume_token'));
    const previous = this.opts.hub.sessions.get(id);
    if (previous && !previous.closed) {
      if (previous.owner !== identity.owner) return refuse(CloseCode.CLIENT_ID_IN_USE, 'client_id is in use by another connection');
      previous.close(CloseCode.REPLACED, 'replaced by a newer connection of this client');
    }
    const compressed = typeof ws.extensions === 'string' && ws.extensions.includes('permessage-deflate');
    const session = new ClientSession(id, ws, ip, encoding, compressed, {
      maxQueueBytes: cfg.websocket.max_queue_bytes,
      highWaterBytes: cfg.websocket.write_high_water_bytes,
      compressThreshold: cfg.websocket.compression.threshold,
    }, this.hooks);
    session.owner = identity.owner;
    session.legacy = LEGACY_PATHS.has(path);
    session.principal = principal;
    session.channel = channel;
    const saved = this.resumeOffsets.get(id);
    // Resume offsets go back only to the client that left them.
    if (saved && saved.owner === identity.owner) {
      for (const [s, seq] of saved.acked) session.acked.set(s as never, seq);
      this.resumeOffsets.delete(id);
    }
    this.opts.hub.add(session);
    this.opts.metrics.connectionsTotal++;

    const role = principal.role;
    const limit = this.opts.publisherRate?.(principal) ? cfg.websocket.publisher_rate_limit_per_min : cfg.websocket.rate_limit_per_min;
    const ctx: InboundContext = { session, limiter: new WindowCounter(limit, 60_000), maxViolations: cfg.websocket.rate_limit_violations_before_close };
    // Inbound messages are handled one at a time, in arrival order: a subscribe that awaits the broker
    // must finish (reply + initial delivery) before a pipelined unsubscribe runs.
    let inbound: Promise<void> = Promise.resolve();
    let inboundPending = 0;
    const receive = (buf: Buffer, isBinary: boolean) => {
      const run = () => this.handler.handle(ctx, buf, isBinary).catch(() => undefined).finally(() => inboundPending--);
      inboundPending++;
      inbound = inboundPending === 1 ? run() : inbound.then(run, run);
    };
    ws.off('message', onEarly);
    ws.on('message', (data, isBinary) => receive(rawBuffer(data), isBinary));
    ws.on('pong', () => {
      session.lastSeenMs = Date.now();
      if (session.pingSentAtMs) session.lastRttMs = Date.now() - session.pingSentAtMs;
    });
    ws.on('close', (code, reasonBuf) => {
      this.opts.log?.info({
        client_id: id, address: ip, channel, code, reason: reasonBuf.toString('utf8'),
        duration_s: Math.round((Date.now() - session.connectedAtMs) / 100) / 10, messages_sent: session.messagesSent, dropped: session.dropped,
      }, 'client disconnected');
      session.closed = true;
      const m = this.opts.metrics.closesByCode;
      m.set(code, (m.get(code) ?? 0) + 1);
      if (session.acked.size > 0) this.rememberOffsets(session);
      this.opts.hub.remove(session);
    });
    ws.on('error', () => {
      /* 'close' follows; errors such as 1009 oversize are answered by ws with the close code */
    });
    this.opts.onSession?.(session, req, channel);
    this.opts.log?.info({ client_id: id, address: ip, channel, role, encoding }, 'client connected');
    this.opts.hub.reply(session, 'connection', {
      client_id: id,
      server_version: this.opts.serverVersion,
      protocol_version: PROTOCOL_VERSION,
      encoding,
      available_streams: [...this.opts.hub.streams.wireNames],
      max_payload_bytes: cfg.websocket.max_payload_bytes,
      heartbeat_interval_ms: Math.round(cfg.websocket.ping_interval_s * 1000),
      node_id: this.opts.nodeId,
      resumable: true,
      resume_token: identity.resumeToken,
      channel,
      role,
    });
    for (const m of early.splice(0)) receive(m.data, m.isBinary);
  }

  private rememberOffsets(session: ClientSession): void {
    this.resumeOffsets.set(session.id, { at: Date.now(), owner: session.owner, acked: new Map(session.acked) });
    if (this.resumeOffsets.size > 10_000) this.resumeOffsets.delete(this.resumeOffsets.keys().next().value!);
  }

  /** Heartbeat: pings, silent-client timeouts, queue flush safety net, housekeeping. */
  private tick(): void {
    const now = Date.now();
    const ws = this.opts.config.websocket;
    const timeoutMs = ws.timeout_s * 1000;
    const pingMs = ws.ping_interval_s * 1000;
    for (const session of this.opts.hub.sessions.values()) {
      if (now - session.lastSeenMs > timeoutMs) {
        session.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        setTimeout(() => session.ws.terminate(), 1000).unref();
        continue;
      }
      if (now - session.pingSentAtMs >= pingMs) {
        session.pingSentAtMs = now;
        try {
          session.ws.ping();
        } catch {
          /* closing */
        }
      }
      if (session.queueLength() > 0) session.flush();
    }
    const ttl = this.opts.config.history.max_age_s * 1000;
    for (const [id, r] of this.resumeOffsets) if (now - r.at > ttl) this.resumeOffsets.delete(id);
  }

  /**
   * Stops accepting and closes every session with `code` (default 1001 going away); resolves when all
   * sockets closed or `timeoutMs` passed (then they are terminated).
   */
  async close(code: number = CloseCode.GOING_AWAY, reason = 'server shutting down', timeoutMs = 3000): Promise<void> {
    this.accepting = false;
    clearInterval(this.timer);
    const sessions = [...this.opts.hub.sessions.values()];
    const closed = sessions.map((s) => new Promise<void>((resolve) => {
      if (s.ws.readyState === s.ws.CLOSED) return resolve();
      s.ws.once('close', () => resolve());
    }));
    for (const s of sessions) {
      for (const sub of s.subscriptions.values()) sub.flushPending();
      s.close(code, reason);
    }
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all(closed), timer]);
    for (const s of sessions) if (s.ws.readyState !== s.ws.CLOSED) s.ws.terminate();
    this.wss.close();
  }
}
