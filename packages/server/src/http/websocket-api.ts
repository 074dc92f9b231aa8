/**
 * WebSocket management API (PROTOCOL section 8): /websocket/health, /websocket/metrics,
 * /websocket/connections[/{id}[/subscribe|unsubscribe|disconnect]], /websocket/broadcast/alert,
 * /websocket/system/start|stop.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CloseCode, ErrorCode } from '@tablecast/protocol';
import { ProtocolError, sessionStatus, type ClientSession } from '@tablecast/gateway';
import type { RouteContext } from './context.js';
import { overallHealth } from './health.js';
import { Type } from '@sinclair/typebox';
import { AnyObject, HealthStatus, Nullable, Open, Timestamp } from './schemas.js';

const Count = Type.Integer({ minimum: 0 });
const Ms = Type.Number({ description: 'milliseconds' });
const Level = Type.Union(['EXCELLENT', 'GOOD', 'FAIR', 'POOR', 'CRITICAL', 'UNKNOWN'].map((l) => Type.Literal(l)));
const GatewayHealth = Open({
  overall_status: HealthStatus,
  connections: Open({ total: Count, by_level: Type.Record(Level, Count, { description: 'connections by RTT level' }) }),
  performance: Open({ average_latency_ms: Ms, p50_latency_ms: Ms, p99_latency_ms: Ms, event_loop_lag_ms: Open({ p50: Ms, p99: Ms }) }),
  errors: Open({ failed_sends: Count, protocol_errors: Type.Record(Type.String(), Count, { description: 'error replies by code' }) }),
  components: AnyObject('the components of /api/v1/health'),
  node_id: Type.String(),
});
const GatewayCounters = Open({
  messages_sent: Count, bytes_sent: Count, failed_sends: Count, dropped: Count,
  dropped_by_reason: Type.Record(Type.String(), Count),
  average_latency: Ms, peak_latency: Ms, p50_latency_ms: Ms, p90_latency_ms: Ms, p99_latency_ms: Ms,
  latency_samples: Count,
  by_stream: Type.Record(Type.String(), Open({ messages: Count, bytes: Count, published: Count })),
  connections: Count,
});
/** One connection as the admin routes list it (message-handler.ts sessionStatus). */
const Connection = Open({
  client_id: Type.String(), connected_at: Timestamp, uptime: Type.Number({ description: 'seconds' }),
  subscriptions: Type.Array(Type.String()), messages_sent: Count, messages_received: Count, bytes_sent: Count, bytes_received: Count,
  last_rtt_ms: Nullable(Ms), dropped: Count, queue_bytes: Count, queue_length: Count,
  encoding: Type.Union([Type.Literal('json'), Type.Literal('msgpack')]), compression: Type.Boolean(), ip: Type.String(),
});
const ConnectionDetails = Type.Composite([Connection, Type.Object({ filters: AnyObject('filters by subscription'), acked: Type.Record(Type.String(), Count), attributes: AnyObject('principal and channel') })], { additionalProperties: true });
const Subscribed = Open({ streams: Type.Array(Type.String()), all_subscriptions: Type.Array(Type.String()) }, 'the data of the `subscribed` reply the connection also got');
const Unsubscribed = AnyObject('the data of the `unsubscribed` reply the connection also got');
const Running = Open({ running: Type.Boolean() });

/** Client connection quality by RTT: EXCELLENT < 20 ms, GOOD < 50, FAIR < 100, POOR < 200, CRITICAL above. */
export function clientLevel(rttMs: number | null): 'EXCELLENT' | 'GOOD' | 'FAIR' | 'POOR' | 'CRITICAL' | 'UNKNOWN' {
  if (rttMs === null) return 'UNKNOWN';
  if (rttMs < 20) return 'EXCELLENT';
  if (rttMs < 50) return 'GOOD';
  if (rttMs < 100) return 'FAIR';
  if (rttMs < 200) return 'POOR';
  return 'CRITICAL';
}

function notFound(reply: FastifyReply, id: string) {
  reply.code(404);
  return { error: { code: ErrorCode.NOT_FOUND, message: `no connection ${id}` } };
}

/** Guard for admin routes; the auth module replaces the default (open) one. */
export type AdminGuard = (req: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

/** Registers the WebSocket management routes. */
export async function websocketRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const tags = ['websocket'];
  const admin = { config: { policy: 'admin' as const } };
  const open = { config: { policy: 'public' as const } };

  app.get('/api/v1/websocket/health', { ...open, schema: { tags, summary: 'Gateway health with client levels by RTT', response: { 200: GatewayHealth } } }, async () => {
    const byLevel: Record<string, number> = { EXCELLENT: 0, GOOD: 0, FAIR: 0, POOR: 0, CRITICAL: 0, UNKNOWN: 0 };
    for (const s of ctx.hub.sessions.values()) byLevel[clientLevel(s.lastRttMs)]!++;
    const lat = ctx.metrics.latency.summary();
    const h = overallHealth(ctx);
    const errors = Object.fromEntries(ctx.metrics.protocolErrors);
    return {
      overall_status: h.status,
      connections: { total: ctx.gateway.size, by_level: byLevel },
      performance: { average_latency_ms: lat.average_ms, p50_latency_ms: lat.p50_ms, p99_latency_ms: lat.p99_ms, event_loop_lag_ms: ctx.metrics.eventLoopLagMs() },
      errors: { failed_sends: ctx.metrics.failedSends, protocol_errors: errors },
      components: h.components,
      node_id: ctx.nodeId,
    };
  });

  app.get('/api/v1/websocket/metrics', { ...open, schema: { tags, summary: 'Broadcaster counters and publish-to-send latency percentiles', response: { 200: GatewayCounters } } }, async () => {
    let messages = 0;
    let bytes = 0;
    const byStream: Record<string, { messages: number; bytes: number; published: number }> = {};
    for (const [k, c] of ctx.metrics.byStream) {
      messages += c.messages;
      bytes += c.bytes;
      byStream[k] = { ...c };
    }
    let dropped = 0;
    const dropsByReason: Record<string, number> = {};
    for (const [key, n] of ctx.metrics.drops) {
      dropped += n;
      const reason = key.split('|')[0]!;
      dropsByReason[reason] = (dropsByReason[reason] ?? 0) + n;
    }
    const lat = ctx.metrics.latency.summary();
    return {
      messages_sent: messages,
      bytes_sent: bytes,
      failed_sends: ctx.metrics.failedSends,
      dropped,
      dropped_by_reason: dropsByReason,
      average_latency: lat.average_ms,
      peak_latency: lat.peak_ms,
      p50_latency_ms: lat.p50_ms,
      p90_latency_ms: lat.p90_ms,
      p99_latency_ms: lat.p99_ms,
      latency_samples: lat.count,
      by_stream: byStream,
      connections: ctx.gateway.size,
    };
  });

  app.get('/api/v1/websocket/connections', { ...admin, schema: { tags, summary: 'List connections: client ids, addresses, subscriptions (admin when auth is enabled)', response: { 200: Open({ total: Count, connections: Type.Array(Connection) }) } } }, async () => ({
    total: ctx.gateway.size,
    connections: [...ctx.hub.sessions.values()].map((s) => sessionStatus(ctx.hub, s, false)),
  }));

  const find = (id: string): ClientSession | undefined => ctx.hub.sessions.get(id);

  app.get<{ Params: { id: string } }>('/api/v1/websocket/connections/:id', { ...admin, schema: { tags, summary: 'One connection with details (admin when auth is enabled)', response: { 200: ConnectionDetails } } }, async (req, reply) => {
    const s = find(req.params.id);
    return s ? sessionStatus(ctx.hub, s, true) : notFound(reply, req.params.id);
  });

  app.post<{ Params: { id: string }; Body: { streams?: string[]; filters?: unknown } }>(
    '/api/v1/websocket/connections/:id/subscribe',
    { ...admin, schema: { tags, summary: 'Subscribe a connection to streams', response: { 200: Subscribed }, body: { type: 'object', properties: { streams: { type: 'array', items: { type: 'string' } }, filters: { type: 'object' } }, required: ['streams'] } } },
    async (req, reply) => {
      const s = find(req.params.id);
      if (!s) return notFound(reply, req.params.id);
      try {
        const { reply: data, deliver } = await ctx.hub.subscribe(s, req.body.streams ?? [], req.body.filters);
        ctx.hub.reply(s, 'subscribed', data);
        deliver();
        return data;
      } catch (err) {
        if (err instanceof ProtocolError) {
          reply.code(err.code === ErrorCode.FORBIDDEN ? 403 : 400);
          return { error: { code: err.code, message: err.message, details: err.details } };
        }
        throw err;
      }
    },
  );

  app.post<{ Params: { id: string }; Body: { streams?: string[] } }>(
    '/api/v1/websocket/connections/:id/unsubscribe',
    { ...admin, schema: { tags, summary: 'Unsubscribe a connection', response: { 200: Unsubscribed }, body: { type: 'object', properties: { streams: { type: 'array', items: { type: 'string' } } }, required: ['streams'] } } },
    async (req, reply) => {
      const s = find(req.params.id);
      if (!s) return notFound(reply, req.params.id);
      try {
        const data = ctx.hub.unsubscribe(s, req.body.streams ?? []);
        ctx.hub.reply(s, 'unsubscribed', data);
        return data;
      } catch (err) {
        if (err instanceof ProtocolError) {
          reply.code(400);
          return { error: { code: err.code, message: err.message, details: err.details } };
        }
        throw err;
      }
    },
  );

  app.post<{ Params: { id: string }; Querystring: { code?: number; reason?: string } }>(
    '/api/v1/websocket/connections/:id/disconnect',
    { ...admin, schema: { tags, summary: 'Close a connection (default 1000)', response: { 200: Open({ disconnected: Type.String({ description: 'the client id' }) }) }, querystring: { type: 'object', properties: { code: { type: 'integer', minimum: 1000, maximum: 4999 }, reason: { type: 'string', maxLength: 120 } } } } },
    async (req, reply) => {
      const s = find(req.params.id);
      if (!s) return notFound(reply, req.params.id);
      s.close(req.query.code ?? CloseCode.NORMAL, req.query.reason ?? 'disconnected by operator');
      return { disconnected: req.params.id };
    },
  );

  app.post<{ Querystring: { level?: string; message?: string; code?: string } }>(
    '/api/v1/websocket/broadcast/alert',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Publish an alert on the alert stream',
        response: { 200: Open({ published: Type.Literal(true), stream: Type.Literal('alert'), sequence: Count, recipients: Count }) },
        querystring: {
          type: 'object',
          properties: { level: { type: 'string', enum: ['info', 'warning', 'error', 'critical'] }, message: { type: 'string', minLength: 1, maxLength: 4096 }, code: { type: 'string', maxLength: 128 } },
          required: ['message'],
        },
      },
    },
    async (req) => {
      const r = await ctx.hub.publish('alert', { level: req.query.level ?? 'info', message: req.query.message!, code: req.query.code ?? 'OPERATOR', details: {} });
      return { published: true, stream: 'alert', sequence: r.sequence, recipients: ctx.hub.subscriberCount('alert') };
    },
  );

  app.post('/api/v1/websocket/system/start', { ...admin, schema: { tags, summary: 'Start the pipeline (source + integration loop)', response: { 200: Running } } }, async () => {
    await ctx.system.start();
    return { running: ctx.system.running() };
  });
  app.post('/api/v1/websocket/system/stop', { ...admin, schema: { tags, summary: 'Stop the pipeline; clients stay connected', response: { 200: Running } } }, async () => {
    await ctx.system.stop();
    return { running: ctx.system.running() };
  });
}
