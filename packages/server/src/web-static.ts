/**
 * Serves the dashboard build (apps/web/dist) at `/`. When it has not been built, `/` explains how.
 * Files are sent brotli- or gzip-compressed when the browser accepts it (the build writes .br/.gz
 * copies); the content-hashed files under `assets/` are cached for a year, `index.html` revalidated.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Absolute path of the dashboard build. */
export const WEB_DIST = fileURLToPath(new URL('../../../apps/web/dist/', import.meta.url));

/** Registers the static dashboard routes. */
export async function webRoutes(app: FastifyInstance, dist = WEB_DIST): Promise<void> {
  if (existsSync(`${dist}index.html`)) {
    await app.register(fastifyStatic, {
      root: dist, prefix: '/', index: ['index.html'], wildcard: false, preCompressed: true,
      // Our own Cache-Control below (send's default would be 'public, max-age=0').
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    reply.type('text/html');
    return '<!doctype html><title>tablecast</title><p>The dashboard is not built yet: run <code>npm run build:web</code>. API docs: <a href="/docs">/docs</a>.</p>';
  });
}
