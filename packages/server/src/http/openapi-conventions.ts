/**
 * What every documented route gets in the OpenAPI document without repeating it in each route file
 * (an `onRoute` hook, registered before the routes):
 *
 * - an `operationId` from its method and path (`GET /api/v1/websocket/connections/:id` ->
 *   `getWebsocketConnectionsById`) unless it names one;
 * - `security` from its policy: `public` none; `admin` and `publisher` a bearer token or API key;
 * - the error responses it can give, all `{error: {code, message, details?}}` (component `Error`):
 *   400 where it takes input, 401/403 when guarded, 403 on every unsafe method (a browser page of
 *   another origin, http/cross-site-guard.ts), 404 where the path has parameters, 429 (rate limit)
 *   and 500 everywhere;
 * - a `summary` check: a documented route without one throws at registration.
 *
 * Response schemas document, they do not serialize: replies go out through JSON.stringify, so a
 * schema can never silently drop or coerce a field (test/http/contract.test.ts checks real replies
 * against the schemas instead).
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorBody, ErrorRef } from './schemas.js';

/** `GET /api/v1/websocket/connections/:id` -> `getWebsocketConnectionsById`. */
export function operationIdOf(method: string, url: string): string {
  const words = url.replace(/^\/api\/v1\//, '/').split('/').filter(Boolean).flatMap((seg) =>
    seg.startsWith(':') ? ['by', ...seg.slice(1).split(/[_-]/)] : seg.split(/[_.-]/),
  );
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/**
 * Adds the `Error` schema to `app` unless it has it: for route modules that reference it and may be
 * mounted on an app of their own (the video routes in their tests).
 */
export function ensureErrorSchema(app: FastifyInstance): void {
  if (!app.getSchema('Error')) app.addSchema(ErrorBody);
}

/** Registers the `Error` component, the JSON.stringify serializer and the hook (before the routes). */
export function applyOpenApiConventions(app: FastifyInstance): void {
  ensureErrorSchema(app);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as (Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> }) | undefined;
    if (!schema || schema.hide) return;
    const method = (Array.isArray(route.method) ? route.method[0]! : route.method).toString();
    if (method === 'HEAD' || method === 'OPTIONS') return;
    if (typeof schema.summary !== 'string') throw new Error(`route ${method} ${route.url} has no summary`);
    schema.operationId ??= operationIdOf(method, route.url);
    const policy = route.config?.policy ?? 'public';
    const guarded = policy === 'admin' || policy === 'publisher';
    schema.security ??= guarded ? [{ bearer: [] }, { apiKey: [] }] : [];
    const takesInput = Boolean(schema.body || schema.querystring || schema.params || route.url.includes(':'));
    const unsafe = method !== 'GET';
    const errors: Record<string, unknown> = {
      ...(takesInput ? { 400: withDescription('bad input (INVALID_PARAMETER names the field)') } : {}),
      ...(guarded ? { 401: withDescription('no valid credential') } : {}),
      ...(guarded || unsafe ? { 403: withDescription(forbiddenWhy(guarded, unsafe)) } : {}),
      ...(route.url.includes(':') ? { 404: withDescription('nothing at this path') } : {}),
      429: withDescription('rate limit (server.http_requests_per_ip_per_min); Retry-After says when to retry'),
      500: withDescription('internal error'),
    };
    schema.response = { ...errors, ...(schema.response ?? {}) };
  });
}

function forbiddenWhy(guarded: boolean, unsafe: boolean): string {
  const reasons = [
    ...(guarded ? ['the credential may not do this (or, with auth off, the caller is not on loopback)'] : []),
    ...(unsafe ? ['a browser sent it from a page of another origin (not in server.cors_origins)'] : []),
  ];
  return reasons.join('; or ');
}

function withDescription(description: string): unknown {
  return { description, ...ErrorRef };
}
