/**
 * Cross-site request refusal for the HTTP API: a request that changes something (any method but
 * GET, HEAD and OPTIONS) sent by a browser from a page of another origin is answered 403
 * `FORBIDDEN` before authentication and routes run.
 *
 * CORS alone does not stop such a request: a "simple" cross-site POST (`text/plain` body, or a
 * `<form>`, no preflight) still reaches the route, the browser only hides the reply. With auth off
 * the admin routes trust loopback callers, so any web page the coach opens on the server's own
 * machine could stop the pipeline or disconnect clients. The check follows OWASP's CSRF cheat sheet
 * ("Verifying Origin with standard headers") and the Fetch Metadata guidance
 * (https://web.dev/articles/fetch-metadata): browsers send `Origin` on every non-GET request and
 * `Sec-Fetch-Site` on every request; tools (curl, the SDK in Node, publishers) send neither and are
 * not affected.
 *
 * Allowed origins are the WebSocket and CORS rule's (`originAllowed`: the server's own origin and
 * `server.cors_origins`), so a tool listed there keeps working.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@tablecast/protocol';
import { originAllowed } from '@tablecast/gateway';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a request is refused as cross-site, or `null` when it may go on.
 * @param method the HTTP method
 * @param headers the request's `origin`, `host` and `sec-fetch-site` headers
 * @param allowed `server.cors_origins`
 */
export function crossSiteRefusal(
  method: string,
  headers: { origin?: string | undefined; host?: string | undefined; 'sec-fetch-site'?: string | string[] | undefined },
  allowed: readonly string[],
): string | null {
  if (SAFE_METHODS.has(method)) return null;
  const origin = headers.origin;
  if (origin !== undefined) {
    return originAllowed(origin, headers.host, allowed) ? null : `cross-site ${method} refused: origin ${origin} is not this server's and not in server.cors_origins`;
  }
  // No Origin but a browser's fetch metadata saying another site sent it (older browsers on some
  // navigations): refuse as well. `same-site` (another port of this host) sends an Origin above.
  return headers['sec-fetch-site'] === 'cross-site' ? `cross-site ${method} refused (Sec-Fetch-Site: cross-site without an Origin)` : null;
}

/**
 * Registers the refusal as an onRequest hook of `app` (register it before authentication, after
 * the rate limit). The reply is the API's one error shape: 403 `{error: {code: 'FORBIDDEN', message}}`.
 * @param allowed `server.cors_origins` (`'*'` turns the check off, as it opens CORS)
 */
export function registerCrossSiteGuard(app: FastifyInstance, allowed: readonly string[]): void {
  app.addHook('onRequest', async (req, reply) => {
    const refusal = crossSiteRefusal(req.method, req.headers, allowed);
    if (refusal === null) return;
    req.log.info({ method: req.method, url: req.url.split('?')[0], origin: req.headers.origin }, 'request refused: cross-site');
    return reply.code(403).send({ error: { code: ErrorCode.FORBIDDEN, message: refusal } });
  });
}
