/**
 * Routes the original browser client calls at start-up: GET /api/v1/config (effective config, secrets
 * removed) and GET /api/v1/vision/calibration (table corners, pockets, homography).
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@tablecast/protocol';
import { ConfigSchema, redactConfig } from '../config/index.js';
import type { RouteContext } from './context.js';

/** Registers config and calibration routes. */
export async function configRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get<{ Querystring: { include_metadata?: boolean } }>(
    '/api/v1/config',
    { config: { policy: 'public' }, schema: { tags: ['config'], summary: 'Effective configuration (secrets removed)', querystring: { type: 'object', properties: { include_metadata: { type: 'boolean' } } } } },
    async (req) => {
      const config = redactConfig(ctx.config);
      if (!req.query.include_metadata) return { config };
      return { config, metadata: { version: ctx.version, node_id: ctx.nodeId, schema: JSON.parse(JSON.stringify(ConfigSchema)) as unknown } };
    },
  );
  app.get('/api/v1/vision/calibration', { config: { policy: 'public' }, schema: { tags: ['config'], summary: 'Table geometry and pixel<->metre calibration' } }, async (_req, reply) => {
    const c = ctx.calibration();
    if (!c) {
      reply.code(503);
      return { error: { code: ErrorCode.UNAVAILABLE, message: 'no calibration yet (no source running)' } };
    }
    return c;
  });
}
