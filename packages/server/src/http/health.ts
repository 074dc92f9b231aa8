/**
 * Health endpoints (PROTOCOL section 8): /health, /health/live, /health/ready.
 */
import type { FastifyInstance } from 'fastify';
import type { ComponentHealth, RouteContext } from './context.js';

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
  const list = Object.values(components).map((c) => c.status);
  const status = list.includes('unhealthy') ? 'unhealthy' : list.includes('degraded') ? 'degraded' : 'healthy';
  return { status, components };
}

/** Registers the health routes. */
export async function healthRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const body = () => {
    const h = overallHealth(ctx);
    return { status: h.status, uptime: (Date.now() - ctx.startedAtMs) / 1000, version: ctx.version, node_id: ctx.nodeId, components: h.components };
  };
  const tags = ['health'];
  app.get('/api/v1/health', { config: { policy: 'public' }, schema: { tags, summary: 'Overall health with components' } }, async () => body());
  app.get('/api/v1/health/live', { config: { policy: 'public' }, schema: { tags, summary: 'Liveness: the process serves requests' } }, async () => ({
    status: 'healthy',
    uptime: (Date.now() - ctx.startedAtMs) / 1000,
    version: ctx.version,
    components: {},
  }));
  app.get('/api/v1/health/ready', { config: { policy: 'public' }, schema: { tags, summary: 'Readiness: 503 when unhealthy' } }, async (_req, reply) => {
    const b = body();
    if (b.status === 'unhealthy') reply.code(503);
    return b;
  });
}
