/**
 * createServer(): composes one tablecast server (config, broker, hub, WebSocket gateway, HTTP API,
 * video, pipeline). Everything hangs off the returned object: two servers can run in one process.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import client from 'prom-client';
import type { Logger } from 'pino';
import { CloseCode, PROTOCOL_VERSION, type CanonicalStream } from '@tablecast/protocol';
import { ConfigError, loadConfig, type Config, type ConfigInput } from './config/index.js';
import { createBroker } from './cluster/broker-factory.js';
import { Gateway, GatewayMetrics, Hub, UpgradeRouter, clientAddressResolver, memoryAttemptLimiter, originAllowed, type AddressResolver, type AttemptLimiter, type PublishOptions, type PublishResult } from '@tablecast/gateway';
import { FrameHub, createPipeline, preflightSource, type Pipeline } from '@tablecast/pipeline';
import type { ComponentHealth, RouteContext } from './http/context.js';
import { healthRoutes } from './http/health.js';
import { publishRoutes } from './http/publish.js';
import { websocketRoutes } from './http/websocket-api.js';
import { asyncApiRoutes, registerOpenApi } from './http/docs.js';
import { configRoutes } from './http/config-routes.js';
import { gameRoutes } from './http/game-routes.js';
import { RuntimeConfig } from './config/runtime.js';
import multipart from '@fastify/multipart';
import { metricsRoute } from './http/metrics-route.js';
import { webRoutes } from './web-static.js';
import { enforceRoutePolicies, type PolicedRoute } from './http/route-policy.js';
import { registerNotFound } from './http/not-found.js';
import { registerErrorHandler } from './http/error-handler.js';
import { registerCrossSiteGuard } from './http/cross-site-guard.js';
import { registerRateLimit } from './http/rate-limit.js';
import { httpsFactory } from './http/tls.js';
import { SERVER_VERSION } from './version.js';
import { REDACT_PATHS, serializeRequest } from './logging/redact.js';
import { TablecastLogController } from './logging/log-controller.js';
import { transcodeFrame } from './video/frame-quality.js';
import { registerVideoRoutes } from './video/routes.js';
import { FrameStreamPublisher } from './video/frame-stream.js';
import { overlayFromState, type OverlayState } from './video/overlay.js';
import { CalibrationFollower, TablePixels, billiardsCatalog, billiardsFilters } from './streams/index.js';
import { Cluster } from './cluster/cluster.js';
import type { RedisBroker } from '@tablecast/gateway/redis';
import { createAuth, type AuthService } from './auth/index.js';
import { Channels, channelRoutes } from './channels/index.js';

/** Options of createServer. */
export interface CreateServerOptions {
  /** Programmatic config overrides (applied over file and environment). */
  overrides?: ConfigInput;
  /** Environment for overrides; default process.env. Tests pass `{}`. */
  env?: NodeJS.ProcessEnv;
  /** Config file path. */
  configFile?: string;
  /** Pass false to not start the pipeline even when a source is configured. */
  startPipeline?: boolean;
  /** Pino logger options override (tests use `false`, or a `stream` to read the log lines). */
  logger?: boolean | { level: string; stream?: NodeJS.WritableStream };
}

/** A composed server. */
export interface TablecastServer {
  readonly config: Config;
  readonly app: FastifyInstance;
  readonly hub: Hub;
  readonly gateway: Gateway;
  readonly frames: FrameHub;
  readonly metrics: GatewayMetrics;
  readonly registry: client.Registry;
  readonly upgrades: UpgradeRouter;
  readonly nodeId: string;
  readonly log: Logger;
  /** Cluster mode (broker.url redis://): leader election, node registry; null with the memory broker. */
  readonly cluster: Cluster | null;
  /** Authentication/authorization (auth/): JWT, API keys, role policies, token-expiry timers. */
  readonly auth: AuthService;
  /** Health components by name (broker, pipeline, cluster, ...); a module registers its own check. */
  readonly components: Map<string, () => ComponentHealth>;
  /** /ws/detection, /ws/system-health, /ws/status, /ws/{user_id}, groups, targeted sends, detection feed. */
  readonly channels: Channels;
  pipeline: Pipeline | null;
  /** Every HTTP route with its policy (http/route-policy.ts), filled as routes register. */
  readonly routes: readonly PolicedRoute[];
  /** Publishes on a stream (the in-process API of the pipeline). */
  publish(stream: CanonicalStream, data: Record<string, unknown>, options?: PublishOptions): Promise<PublishResult>;
  /** Binds the port (config server.host/port) and starts the pipeline; resolves with the address (`https://` with `server.tls`). */
  listen(): Promise<{ port: number; url: string }>;
  /** Closes clients with 1001, stops the pipeline, closes HTTP and the broker. */
  close(): Promise<void>;
}

/**
 * Creates a server. Nothing listens until `listen()`.
 * @throws ConfigError when the configuration is invalid (message names the key)
 */
export async function createServer(options: CreateServerOptions = {}): Promise<TablecastServer> {
  const config = loadConfig({ env: options.env, overrides: options.overrides, file: options.configFile });
  // A source that cannot start at all fails the start now, before the port is bound.
  if (options.startPipeline !== false && config.source.spec !== 'none') {
    preflightSource(config.source.spec, { ffmpegPath: config.source.ffmpeg_path, background: config.source.background });
  }
  const nodeId = config.server.node_id ?? `node-${randomBytes(4).toString('hex')}`;
  const clientAddress = addressResolver(config.server.trusted_proxies);
  const https = httpsFactory(config.server.tls);
  const app = Fastify({
    ...(https ? { serverFactory: https } : {}),
    logger: options.logger === false ? false : {
      level: typeof options.logger === 'object' ? options.logger.level : config.server.log_level,
      ...(typeof options.logger === 'object' && options.logger.stream
        ? { stream: options.logger.stream }
        : prettyLogs(config.server.log_format) ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } } : {}),
      // No token or key in any log line (logging/redact.ts).
      serializers: { req: serializeRequest },
      redact: { paths: REDACT_PATHS, censor: '***' },
    },
    // One debug line per request, not two info lines; no stack traces for client errors.
    logController: new TablecastLogController(),
    bodyLimit: Math.max(1024 * 1024, config.websocket.max_payload_bytes * 16),
    forceCloseConnections: true,
    // request.ip (log lines) from X-Forwarded-For of the trusted proxies only; limits and the admin
    // rule use `clientAddress`, which also reads RFC 7239 `Forwarded`.
    trustProxy: config.server.trusted_proxies.length > 0 ? [...config.server.trusted_proxies] : false,
    // `/api/v1/health/` is `/api/v1/health` (the original's clients call both forms).
    routerOptions: { ignoreTrailingSlash: true },
  });
  const log = app.log as unknown as Logger;
  const registry = new client.Registry();
  // prom-client's own event-loop lag histogram samples once a second (its default, 10 ms, wakes an
  // idle loop 100 times a second); tablecast_event_loop_lag_{p50,p99,max}_seconds are the finer ones (gateway's LoopLagMonitor).
  // Standard names (process_*, nodejs_*), so the usual Node.js dashboards match.
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });
  // prom-client also exports three gauges named `*_total` (active handles, requests, resources),
  // which `promtool check metrics` refuses (`_total` is a counter's suffix); the same figures stay
  // as `nodejs_active_handles{type}` and friends.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  new client.Gauge({
    name: 'tablecast_build_info',
    help: 'Build of this server (always 1): version, wire protocol version and Node.js version as labels',
    labelNames: ['version', 'protocol_version', 'node_version'],
    registers: [registry],
  }).set({ version: SERVER_VERSION, protocol_version: PROTOCOL_VERSION, node_version: process.version }, 1);
  // collect() runs on scrape only, after `hub` below is initialised.
  const metrics: GatewayMetrics = new GatewayMetrics(registry, (): number => hub.sessions.size);
  // Shutdown: each part registers its own teardown as it is created. Fastify runs `preClose` hooks
  // before the server stops listening (drain: pipeline, cluster lock, WebSocket clients 1001, MJPEG
  // viewers) and `onClose` hooks after, the last registered first, so a part closes before what it
  // was built on (the broker and the metrics last).
  app.addHook('onClose', async () => {
    metrics.close();
  });
  // auth/ fills every extension point (with auth disabled it keeps the demo open: anonymous readers,
  // publish API keys -> publisher); other modules may still replace them before listen().
  const auth = createAuth(config, registry);
  auth.log = log;
  auth.clientAddress = clientAddress;
  const broker = await createBroker(config, nodeId);
  app.addHook('onClose', async () => {
    await broker.close();
  });
  app.addHook('onClose', async () => {
    auth.expiry.close();
  });
  // The billiards streams plugged into the engine; `coordinates: pixels` and `pixels_4k` follow the
  // calibration each state carries (streams/calibration-follower.ts).
  const pixels = new TablePixels();
  const calibration = new CalibrationFollower(pixels);
  const hub: Hub = new Hub({
    broker, metrics, historyLimit: config.history.max_messages,
    catalog: billiardsCatalog(),
    filterPlugins: billiardsFilters(pixels, transcodeFrame),
    // The original system's clients get positions in video pixels (docs/COMPATIBILITY.md).
    legacyFilterDefaults: { coordinates: 'pixels' },
    observe: (m) => calibration.observe(m),
    authorizer: auth,
    describeSession: (session) => channels.describeSession(session),
  });
  // Cluster mode (Redis broker): leader election, node registry, limits shared by every node.
  const cluster: Cluster | null = broker.kind === 'redis'
    ? new Cluster({
      broker: broker as RedisBroker, config, nodeId, hub, registry, log,
      load: () => ({ connections: gateway.size, eventLoopLagMs: metrics.eventLoopLagMs().p99 }),
      onLeadership: (leader) => (leader ? system.start() : system.stop()),
    })
    : null;
  const limiter = (name: string, points: number, durationS: number): AttemptLimiter =>
    cluster ? cluster.attemptLimiter(name, points, durationS) : memoryAttemptLimiter(points, durationS);
  const gateway = new Gateway({
    config: { websocket: config.websocket, history: config.history, allowedOrigins: config.server.cors_origins },
    hub, metrics, serverVersion: SERVER_VERSION, nodeId, log, clientAddress,
    connectionLimiter: limiter('ws', config.websocket.connections_per_ip_per_min, config.websocket.connection_rate_window_s),
    authenticator: auth,
    publisherRate: (p) => p.role === 'publisher' || p.role === 'admin',
    onSession: (session, req, channel) => {
      auth.expiry.watch(session);
      channels.onSession(session, req, channel);
    },
  });
  const upgrades = new UpgradeRouter();
  for (const path of config.websocket.paths) upgrades.register(path, (req, socket, head, url) => gateway.handleUpgrade(req, socket, head, url));
  app.server.on('upgrade', (req, socket, head) => upgrades.handle(req, socket, head));

  const frames = new FrameHub();
  app.addHook('onClose', async () => {
    frames.close();
  });
  const components = new Map<string, () => ComponentHealth>();
  let pipeline: Pipeline | null = null;
  let running = false;
  const server: TablecastServer = {
    config, app, hub, gateway, frames, metrics, registry, upgrades, nodeId, log, auth, components,
    get routes() {
      return routes;
    },
    get cluster() {
      return cluster;
    },
    get channels() {
      return channels;
    },
    get pipeline() {
      return pipeline;
    },
    set pipeline(p) {
      pipeline = p;
    },
    publish: (stream, data, opts) => hub.publish(stream, data, opts),
    listen: async () => {
      await app.listen({ port: config.server.port, host: config.server.host });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
      const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
      const url = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
      // Cluster mode: only the elected leader runs the pipeline (cluster/leader-election.ts).
      if (cluster) await cluster.start({ address: url, candidate: options.startPipeline !== false && config.source.spec !== 'none' });
      else if (options.startPipeline !== false) await system.start();
      return { port, url };
    },
    // Every part's teardown is a Fastify preClose/onClose hook, registered where the part is built.
    close: () => app.close(),
  };

  const system = {
    running: () => running,
    start: async () => {
      if (running || config.source.spec === 'none') return;
      if (cluster && !cluster.isLeader()) return; // cluster mode: the leader runs the pipeline
      pipeline ??= loadPipeline(server, log, registry, cluster);
      await pipeline.start();
      running = true;
    },
    stop: async () => {
      if (!running || !pipeline) return;
      running = false;
      await pipeline.stop();
    },
  };
  components.set('pipeline', () => {
    if (!pipeline) return { status: 'healthy', source: config.source.spec, running: false };
    const h = pipeline.health();
    const status = h.breaker.state === 'open' || h.source.status === 'failed' ? 'degraded' : 'healthy';
    return { ...h, status, running };
  });
  if (cluster) components.set('cluster', () => cluster.health());
  // The `frame` stream, while anyone subscribes (the leader's frames, cluster-wide subscribers).
  const frameStream = new FrameStreamPublisher(frames, cluster ? cluster.publisher(hub) : hub, (err) => log.debug({ err }, 'frame not published'));
  app.addHook('onClose', async () => {
    frameStream.close();
  });
  app.addHook('preClose', async () => {
    await system.stop().catch(() => undefined);
    await cluster?.close().catch(() => undefined); // releases the leader lock: another node takes over now
    await gateway.close(CloseCode.GOING_AWAY, 'server shutting down', Math.max(100, config.server.shutdown_timeout_s * 1000 - 1000));
  });

  const runsPipeline = options.startPipeline !== false && config.source.spec !== 'none';
  const ctx: RouteContext = {
    config, hub, gateway, metrics, registry, frames, version: SERVER_VERSION, nodeId, startedAtMs: Date.now(), components, system,
    readiness: () => {
      if (!runsPipeline) return { ready: true };
      if (cluster && !cluster.isLeader()) {
        return cluster.leaderId() ? { ready: true } : { ready: false, reason: 'no node of the cluster runs the pipeline (no leader)' };
      }
      const frames = pipeline?.health().loop.frames ?? 0;
      return frames > 0 ? { ready: true } : { ready: false, reason: `the pipeline (${config.source.spec}) has not produced a detection yet` };
    },
    calibration: () => {
      const c = pipeline?.calibration();
      return c ? { ...c, corners: c.cornersPx ?? null, pixel_to_table_homography: c.homography ?? null } : null;
    },
  };
  const channels = new Channels({ config, hub, gateway, auth, registry, ctx, warn: (m) => log.warn(m) });
  channels.registerUpgrades(upgrades);
  channels.start();
  app.addHook('onClose', async () => {
    channels.close();
  });
  // The rate limit runs first: a refused request costs no token verification.
  registerRateLimit(app, limiter('http', config.server.http_requests_per_ip_per_min, 60), clientAddress);
  // A browser page of another site may not change anything (a simple cross-site POST passes CORS).
  registerCrossSiteGuard(app, config.server.cors_origins);
  auth.registerHttpHook(app);
  const routes = enforceRoutePolicies(app, (req, reply) => auth.adminGuard(req, reply));
  registerNotFound(app);
  registerErrorHandler(app);
  // Standard security headers (@fastify/helmet): nosniff, frame-ancestors/X-Frame-Options, referrer
  // policy, and a Content-Security-Policy for the dashboard (own origin only, its WebSocket and
  // MJPEG included). Two defaults are changed on purpose: no `upgrade-insecure-requests` (a venue
  // LAN serves plain http; the browser would rewrite every request to an https that is not there)
  // and Cross-Origin-Resource-Policy `cross-origin`, so the original's web app on another origin may
  // still embed the MJPEG stream (docs/COMPATIBILITY.md).
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, imgSrc: ["'self'", 'data:', 'blob:'] } },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  // CORS grants the server's own origin and the configured ones (the WebSocket rule, gateway
  // originAllowed); PUT is the original's config update, DELETE/PATCH complete a REST API.
  const corsMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  await app.register(cors, {
    delegator: (req, cb) => cb(null, { origin: originAllowed(req.headers.origin, req.headers.host, config.server.cors_origins), methods: corsMethods }),
  });
  await app.register(multipart, { limits: { fileSize: 1024 * 1024, files: 1 } });
  await registerOpenApi(app, ctx);
  await healthRoutes(app, ctx);
  await websocketRoutes(app, ctx);
  await publishRoutes(app, ctx, (req, stream) => auth.publishGuard(req, stream));
  await channelRoutes(app, channels);
  await asyncApiRoutes(app, ctx);
  await configRoutes(app, ctx, new RuntimeConfig(config));
  await gameRoutes(app, ctx);
  await metricsRoute(app, ctx);
  await registerVideo(app, frames, () => pipeline);
  if (config.server.serve_web) await webRoutes(app);
  return server;
}

/**
 * The client-address resolver of `server.trusted_proxies`.
 * @throws ConfigError naming the entry that is not an address, CIDR range or known name
 */
function addressResolver(trusted: readonly string[]): AddressResolver {
  try {
    return clientAddressResolver(trusted);
  } catch (e) {
    throw new ConfigError(`config: server.trusted_proxies: ${e instanceof Error ? e.message : String(e)} (an address, a CIDR range such as 10.0.0.0/8, or loopback, linklocal, uniquelocal)`, 'server.trusted_proxies');
  }
}

/** Whether log lines are pretty-printed: `pretty`, or `auto` on a terminal. */
function prettyLogs(format: 'auto' | 'pretty' | 'json'): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
}

function loadPipeline(server: TablecastServer, log: Logger, registry: client.Registry, cluster: Cluster | null): Pipeline {
  // Cluster mode: subscriber counts are cluster-wide and the publish breaker is shared through Redis.
  return createPipeline({
    publisher: cluster ? cluster.publisher(server.hub) : server.hub, frames: server.frames, registry, log, config: server.config,
    ...(cluster ? { breakerMirror: cluster.breakerMirror } : {}),
  });
}

async function registerVideo(app: FastifyInstance, frames: FrameHub, pipeline: () => Pipeline | null): Promise<void> {
  await registerVideoRoutes(app, {
    frames,
    overlay: () => {
      const p = pipeline();
      const state = p?.tableState();
      return state ? overlayFromState(state as unknown as OverlayState, p?.calibration()) : null;
    },
  });
}
