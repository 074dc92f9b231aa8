/**
 * Route policies: every HTTP route declares who may call it, in its route config
 * (`{ config: { policy: 'admin' } }`), and the server refuses to start with a route that does not.
 *
 * - `public`: anyone (health, metrics, read-only config, docs, video).
 * - `admin`: the admin role when auth is enabled (every state-changing route and every route that
 *   lists connections, their client ids and addresses); the guard runs as the route's `onRequest`
 *   hook, before the body is read or validated.
 * - `publisher`: a credential whose roles may publish on the stream named in the body (the publish
 *   route checks it per message, so the route itself is marked, not guarded here).
 *
 * GET/HEAD routes outside `/api/` and `/metrics` (the dashboard's files, the OpenAPI UI under
 * `/docs`) are registered by plugins and are `public` without a declaration, as are CORS
 * preflights (OPTIONS); any other route without a policy throws at registration.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AdminGuard } from './websocket-api.js';

/** Who may call a route. */
export type RoutePolicy = 'public' | 'admin' | 'publisher';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (http/route-policy.ts); required on every `/api/` route. */
    policy?: RoutePolicy;
  }
}

/** A registered route and its policy (the auth matrix test is generated from this table). */
export interface PolicedRoute {
  method: string;
  url: string;
  policy: RoutePolicy;
}

/** Raised at registration for a route that declares no policy. */
export class MissingRoutePolicyError extends Error {}

/** Whether a route without a declared policy is plugin-served public content. */
function implicitlyPublic(method: string, url: string): boolean {
  if (method === 'OPTIONS') return true; // CORS preflights (@fastify/cors) answer headers, no data
  return (method === 'GET' || method === 'HEAD') && !url.startsWith('/api/') && url !== '/metrics';
}

/**
 * Installs the policy hook on `app` (before any route is registered) and returns the live table of
 * routes with their policies.
 * @throws MissingRoutePolicyError (from the later route registration) for a route without a policy
 */
export function enforceRoutePolicies(app: FastifyInstance, adminGuard: AdminGuard): PolicedRoute[] {
  const table: PolicedRoute[] = [];
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!(await adminGuard(req, reply))) return reply as unknown as undefined;
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const declared = route.config?.policy;
    for (const method of methods) {
      const policy = declared ?? (implicitlyPublic(method, route.url) ? 'public' : null);
      if (!policy) throw new MissingRoutePolicyError(`route ${method} ${route.url} declares no policy (config.policy: public | admin | publisher)`);
      table.push({ method, url: route.url, policy });
    }
    if (declared === 'admin') {
      // onRequest: refused before the body is read or validated (401/403 before any 400).
      const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [...existing, guard];
    }
  });
  return table;
}
