/**
 * Health endpoints (PROTOCOL section 8): /health, /health/live, /health/ready, and the original's
 * /health/version and /health/metrics (docs/COMPATIBILITY.md).
 */
import { statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION } from '@tablecast/protocol';
import type { ComponentHealth, RouteContext } from './context.js';
import { Type } from '@sinclair/typebox';
import { HealthStatus, Nullable, Open, Timestamp } from './schemas.js';

/** One component of a health body (its own details beside these). */
const Component = Open({ status: HealthStatus, name: Type.String(), message: Type.String(), last_check: Timestamp });
/** The body of /health and /health/ready. */
const HealthBody = Open({
  status: HealthStatus,
  timestamp: Timestamp,
  uptime: Type.Number({ description: 'seconds since start' }),
  version: Type.String(),
  node_id: Type.String(),
  components: Type.Record(Type.String(), Component, { description: 'broker, websocket, pipeline, cluster, ... by name' }),
});
const ReadyBody = Type.Composite([HealthBody, Type.Object({ ready: Type.Boolean(), reason: Type.Optional(Type.String({ description: 'why not ready' })) })], { additionalProperties: true });
const LiveBody = Open({ status: Type.Literal('healthy'), uptime: Type.Number({ description: 'seconds' }), version: Type.String(), components: Type.Object({}) });
const VersionBody = Open({
  version: Type.String(), api_version: Type.Literal('v1'), protocol_version: Type.String(), build_date: Timestamp, git_commit: Type.Null(),
  capabilities: Open({ max_concurrent_sessions: Type.Integer() }), supported_clients: Type.Array(Type.String()),
});
const SystemBody = Open({
  cpu_usage: Type.Number({ description: 'percent of one core since start' }),
  memory_usage: Type.Number({ description: 'RSS, percent of the machine' }),
  memory_rss_mb: Type.Number(),
  disk_usage: Nullable(Type.Number({ description: 'percent' })),
  websocket_connections: Type.Integer(),
  average_response_time: Nullable(Type.Number({ description: 'publish-to-send, milliseconds' })),
});

/** Overall health from the components: unhealthy if any is, else degraded if any is. */
export function overallHealth(ctx: RouteContext): { status: ComponentHealth['status']; components: Record<string, ComponentHealth> } {
  const components: Record<string, ComponentHealth> = {
    broker: { ...ctx.hub.broker.health() },
    websocket: { status: 'healthy', connections: ctx.gateway.size },
  };
  for (const [name, fn] of ctx.components) {
    try {
      components[name] = fn();
    } catch (err) {
      components[name] = { status: 'unhealthy', error: (err as Error).message };
    }
  }
  // The original's component shape: a name, a message and when it was checked, beside our details.
  const now = new Date().toISOString();
  for (const [name, c] of Object.entries(components)) {
    components[name] = { ...c, name, message: typeof c.message === 'string' ? c.message : `${name} ${c.status}`, last_check: now };
  }
  const list = Object.values(components).map((c) => c.status);
  const status = list.includes('unhealthy') ? 'unhealthy' : list.includes('degraded') ? 'degraded' : 'healthy';
  return { status, components };
}

/** Registers the health routes. */
export async function healthRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const body = () => {
    const h = overallHealth(ctx);
    return { status: h.status, timestamp: new Date().toISOString(), uptime: (Date.now() - ctx.startedAtMs) / 1000, version: ctx.version, node_id: ctx.nodeId, components: h.components };
  };
  const tags = ['health'];
  app.get('/api/v1/health', { config: { policy: 'public' }, schema: { tags, summary: 'Overall health with components', response: { 200: HealthBody } } }, async () => body());
  app.get('/api/v1/health/live', { config: { policy: 'public' }, schema: { tags, summary: 'Liveness: the process serves requests', response: { 200: LiveBody } } }, async () => ({
    status: 'healthy',
    uptime: (Date.now() - ctx.startedAtMs) / 1000,
    version: ctx.version,
    components: {},
  }));
  app.get('/api/v1/health/version', { config: { policy: 'public' }, schema: { tags, summary: 'Version and capabilities (the original shape)', response: { 200: VersionBody } } }, async () => ({
    version: ctx.version,
    api_version: 'v1',
    protocol_version: PROTOCOL_VERSION,
    build_date: new Date(ctx.startedAtMs).toISOString(),
    git_commit: null,
    capabilities: {
      vision_processing: true, projector_support: true, calibration_modes: ['auto', 'corners'], game_types: ['eight_ball'],
      export_formats: ['json'], max_concurrent_sessions: ctx.config.websocket.max_connections,
    },
    supported_clients: ['tablecast-sdk', 'billiards-trainer web', 'billiards-trainer projector'],
  }));
  app.get('/api/v1/health/metrics', { config: { policy: 'public' }, schema: { tags, summary: 'System metrics (the original shape)', response: { 200: SystemBody } } }, async () => {
    const cpu = process.cpuUsage();
    const upS = Math.max(1e-3, (Date.now() - ctx.startedAtMs) / 1000);
    const mem = process.memoryUsage();
    const lat = ctx.metrics.latency.summary();
    return {
      cpu_usage: Math.min(100, Math.round(((cpu.user + cpu.system) / 1e6 / upS) * 1000) / 10),
      memory_usage: Math.min(100, Math.round((mem.rss / totalmem()) * 1000) / 10),
      memory_rss_mb: Math.round(mem.rss / 2 ** 20),
      disk_usage: diskUsagePercent(),
      websocket_connections: ctx.gateway.size,
      average_response_time: lat.average_ms,
    };
  });
  app.get('/api/v1/health/ready', { config: { policy: 'public' }, schema: { tags, summary: 'Readiness: 503 when unhealthy, while the pipeline never produced a detection, or (cluster) while no node runs it', response: { 200: ReadyBody, 503: { ...ReadyBody, description: 'not ready (reason)' } } } }, async (_req, reply) => {
    const b = body();
    const r = ctx.readiness();
    const ready = b.status !== 'unhealthy' && r.ready;
    if (!ready) reply.code(503);
    return { ...b, ready, ...(r.ready ? {} : { reason: r.reason }) };
  });
}

/** Used share of the file system holding the working directory, percent (null when unknown). */
function diskUsagePercent(): number | null {
  try {
    const f = statfsSync(process.cwd());
    return f.blocks > 0 ? Math.round(((f.blocks - f.bfree) / f.blocks) * 1000) / 10 : null;
  } catch {
    return null;
  }
}
