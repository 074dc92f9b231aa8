/**
 * POST /api/v1/publish: one `{stream, data}` or a batch (`[...]` or `{messages: [...]}`), guarded by
 * an API key (X-API-Key or Authorization: Bearer). Payloads are validated against the stream schema;
 * invalid ones are answered with the path of the bad field and never broadcast.
 */
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorCode, canonicalStream, isStreamName } from '@tablecast/protocol';
import { PublishError } from '@tablecast/gateway';
import type { RouteContext } from './context.js';

/** Checks publish permission for a REST request; the auth module may replace it. */
export type PublishGuard = (req: FastifyRequest, stream: string) => { ok: true } | { ok: false; status: 401 | 403; message: string };

type Item = { stream?: unknown; data?: unknown };

/** What one published message got. */
const Published = Type.Object({
  stream: Type.String(),
  sequence: Type.Integer({ minimum: 1, description: 'per stream' }),
  timestamp: Type.String({ description: 'UTC ISO-8601 with microseconds' }),
  queued: Type.Optional(Type.Literal(true, { description: 'accepted while Redis is down; published when it returns' })),
}, { additionalProperties: true });

/** The responses (typed wide, so the route may answer 400/401/403 from openapi-conventions.ts). */
const PUBLISH_RESPONSES: FastifySchema['response'] = {
  200: Type.Union([Published, Type.Object({ published: Type.Array(Published) }, { additionalProperties: true })], { description: 'one message: its result; a batch: `published`, in order' }),
  503: { ...Type.Object({ error: Type.Unknown(), published: Type.Array(Published, { description: 'the messages published before the failure' }) }, { additionalProperties: true }), description: 'the broker is unavailable' },
};

/** Registers POST /api/v1/publish. */
export async function publishRoutes(app: FastifyInstance, ctx: RouteContext, guard: PublishGuard): Promise<void> {
  app.post('/api/v1/publish', {
    config: { policy: 'publisher' },
    schema: {
      tags: ['publish'],
      summary: 'Publish one message {stream, data} or a batch ([...] or {messages: [...]})',
      body: { anyOf: [{ type: 'object' }, { type: 'array' }] },
      response: PUBLISH_RESPONSES,
    },
  }, async (req, reply) => {
    const body = req.body as Item | Item[] | { messages?: Item[] };
    const batch = Array.isArray(body) ? body : Array.isArray((body as { messages?: Item[] }).messages) ? (body as { messages: Item[] }).messages : null;
    const items: Item[] = batch ?? [body as Item];
    // Credentials first: a request without valid credentials learns nothing about its body (401).
    const first = items[0] && typeof items[0] === 'object' && typeof items[0].stream === 'string' ? items[0].stream : 'alert';
    const pre = guard(req, first);
    if (!pre.ok && pre.status === 401) {
      reply.code(401);
      return { error: { code: ErrorCode.UNAUTHORIZED, message: pre.message } };
    }
    if (items.length === 0 || items.length > ctx.config.publish.max_batch) {
      reply.code(400);
      return { error: { code: ErrorCode.INVALID_MESSAGE, message: `a batch holds 1..${ctx.config.publish.max_batch} messages` } };
    }
    // Validate everything first: a batch is all-or-nothing.
    for (const [i, item] of items.entries()) {
      const at = batch ? `[${i}]` : '';
      if (!item || typeof item !== 'object' || typeof item.stream !== 'string' || !item.data || typeof item.data !== 'object' || Array.isArray(item.data)) {
        reply.code(400);
        return { error: { code: ErrorCode.INVALID_MESSAGE, message: `${at || 'body'}: expected {stream: string, data: object}`, details: { index: batch ? i : undefined } } };
      }
      if (!isStreamName(item.stream)) {
        reply.code(400);
        return { error: { code: ErrorCode.INVALID_STREAM, message: `unknown stream "${item.stream}"`, details: { index: batch ? i : undefined } } };
      }
      const g = guard(req, item.stream);
      if (!g.ok) {
        reply.code(g.status);
        return { error: { code: g.status === 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN, message: g.message } };
      }
      try {
        ctx.hub.validatePayload(canonicalStream(item.stream), item.data);
      } catch (err) {
        if (err instanceof PublishError) {
          reply.code(400);
          return { error: { code: err.code, message: err.message, details: { ...err.details, index: batch ? i : undefined } } };
        }
        throw err;
      }
    }
    const results = [];
    for (const item of items) {
      try {
        const r = await ctx.hub.publish(canonicalStream(item.stream as never), item.data as Record<string, unknown>);
        results.push({ stream: r.stream, sequence: r.sequence, timestamp: r.timestamp, ...(r.queued ? { queued: true } : {}) });
      } catch (err) {
        reply.code(err instanceof PublishError && err.code === ErrorCode.UNAVAILABLE ? 503 : 500);
        return { error: { code: err instanceof PublishError ? err.code : ErrorCode.INTERNAL, message: (err as Error).message }, published: results };
      }
    }
    return batch ? { published: results } : results[0];
  });
}
