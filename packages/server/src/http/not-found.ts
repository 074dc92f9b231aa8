/**
 * The not-found handler: `404 {error: {code: "NOT_FOUND", message}}`, the HTTP error shape of
 * docs/PROTOCOL-ERRORS.md. Fastify's default one logs the whole URL, query string included, at
 * info level, which put `?token=` values into the log; this one names the path only.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@tablecast/protocol';

/** Registers the not-found handler on `app`. */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    req.log.debug({ method: req.method, path }, 'route not found');
    return reply.code(404).send({ error: { code: ErrorCode.NOT_FOUND, message: `no route ${req.method} ${path}` } });
  });
}
