/**
 * GET /metrics: Prometheus text format from the server's own prom-client Registry.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';

/** Registers /metrics (root, not prefixed). */
export async function metricsRoute(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get('/metrics', { config: { policy: 'public' }, schema: { tags: ['health'], summary: 'Prometheus metrics', response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } } } }, async (_req, reply) => {
    reply.header('content-type', ctx.registry.contentType);
    return ctx.registry.metrics();
  });
}
