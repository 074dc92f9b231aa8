/**
 * The HTTP API's rate limit: requests per client address per minute
 * (`server.http_requests_per_ip_per_min`), counted in this process or, in cluster mode, in Redis for
 * every node. Over it: 429 `RATE_LIMIT` with `Retry-After` (seconds), in the API's one error shape;
 * refused requests do not count (@tablecast/gateway AttemptLimiter).
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@tablecast/protocol';
import type { AddressResolver, AttemptLimiter } from '@tablecast/gateway';

/** Registers the limit as the first onRequest hook of `app` (before authentication and routes). */
export function registerRateLimit(app: FastifyInstance, limiter: AttemptLimiter, clientAddress: AddressResolver): void {
  app.addHook('onRequest', async (req, reply) => {
    const decision = await limiter.take(clientAddress(req.raw));
    if (decision.allowed) return;
    req.log.debug({ address: clientAddress(req.raw), retry_after_s: decision.retryAfterS }, 'request refused: rate limit');
    return reply.code(429).header('retry-after', String(decision.retryAfterS)).send({
      error: { code: ErrorCode.RATE_LIMIT, message: `too many requests from this address; retry after ${decision.retryAfterS} s`, details: { retry_after_s: decision.retryAfterS } },
    });
  });
}
