/**
 * Game and vision read routes the original system's scripts call (docs/COMPATIBILITY.md):
 *
 * - `GET /api/v1/game/state`: the newest `state` (this node's, from any source or node) in the
 *   original's response shape `{timestamp, frame_number, balls, cue, table, game_type, is_valid,
 *   confidence, events}`; 503 UNAVAILABLE before the first state.
 * - `GET /api/v1/game/history?limit=`: `{states, total_count, has_more, time_range, events}`:
 *   tablecast keeps no history of states (they are latest-value), so `states` holds the newest one;
 *   `events` are the game events still in the `event` stream's history.
 * - `GET /api/v1/game/stats`: counts over those events (shots, pocketed balls, scratches) and the
 *   pipeline's frame rate.
 * - `GET /api/v1/vision/performance`: the pipeline's loop figures (`profiling_enabled: true`).
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode, formatTimestamp } from '@tablecast/protocol';
import type { RouteContext } from './context.js';
import { Type } from '@sinclair/typebox';
import { AnyObject, ErrorRef, Nullable, Open, Timestamp } from './schemas.js';

const tags = ['game'];
const Nothing = { ...ErrorRef, description: 'no state yet (UNAVAILABLE)' };
const GameEvent = Open({ event: Type.String({ description: 'shot_started, ball_pocketed, scratch, ...' }), sequence: Type.Integer(), timestamp: Timestamp });
const GameState = Open({
  timestamp: Timestamp, sequence: Type.Integer(), frame_number: Type.Integer(), game_type: Type.Literal('eight_ball'), is_valid: Type.Boolean(),
  confidence: Type.Number({ minimum: 0, maximum: 1, description: 'mean ball confidence' }),
  balls: Type.Array(AnyObject('a ball of the state stream (docs/PROTOCOL.md): id, position (metres), velocity, number, ...')),
  events: Type.Optional(Type.Array(GameEvent, { description: 'the newest game events (include_events)' })),
}, 'the newest `state` message data, in the original\'s game-state shape');
const Range = Open({ start: Nullable(Timestamp), end: Nullable(Timestamp) });
type Json = Record<string, unknown>;

/** Registers the game and vision read routes. */
export async function gameRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const events = async (limit: number): Promise<Json[]> => {
    const r = await ctx.hub.broker.history('event', 0, undefined, limit);
    return r.messages.map((m) => ({ ...m.data, sequence: m.sequence, timestamp: formatTimestamp(m.timestampMicros) }));
  };
  const stateBody = (withEvents: Json[] | null): Json | null => {
    const m = ctx.hub.latest('state');
    if (!m) return null;
    const d = m.data as { balls?: { confidence?: number }[]; frame_number?: number };
    const balls = Array.isArray(d.balls) ? d.balls : [];
    const confidence = balls.length === 0 ? 0 : balls.reduce((a, b) => a + (typeof b.confidence === 'number' ? b.confidence : 0), 0) / balls.length;
    return {
      ...m.data,
      timestamp: formatTimestamp(m.timestampMicros),
      sequence: m.sequence,
      frame_number: d.frame_number ?? 0,
      game_type: 'eight_ball',
      is_valid: true,
      confidence: Math.round(confidence * 1000) / 1000,
      ...(withEvents ? { events: withEvents } : {}),
    };
  };
  const unavailable = { error: { code: ErrorCode.UNAVAILABLE, message: 'no state yet (no source running or no detection so far)' } };

  app.get<{ Querystring: { include_events?: boolean } }>(
    '/api/v1/game/state',
    { config: { policy: 'public' }, schema: { tags, summary: 'The newest game state', response: { 200: GameState, 503: Nothing }, querystring: { type: 'object', properties: { include_events: { type: 'boolean' } } } } },
    async (req, reply) => {
      const body = stateBody(req.query.include_events === false ? null : (await events(20)).slice(-20));
      if (!body) return reply.code(503).send(unavailable);
      return body;
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/v1/game/history',
    { config: { policy: 'public' }, schema: { tags, summary: 'The newest state and the game events in history', response: { 200: Open({ states: Type.Array(GameState), total_count: Type.Integer(), has_more: Type.Boolean(), time_range: Range, events: Type.Array(GameEvent) }) }, querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000 } } } } },
    async (req) => {
      const ev = await events(req.query.limit ?? 100);
      const state = stateBody(null);
      const first = ev[0]?.timestamp ?? null;
      return {
        states: state ? [state] : [],
        total_count: state ? 1 : 0,
        has_more: false,
        time_range: { start: first ?? (state ? state.timestamp : null), end: state?.timestamp ?? ev.at(-1)?.timestamp ?? null },
        events: ev,
      };
    },
  );

  app.get('/api/v1/game/stats', { config: { policy: 'public' }, schema: { tags, summary: 'Counts over the game events in history', response: { 200: Open({ time_range: Type.Composite([Range, Type.Object({ events: Type.Integer() })], { additionalProperties: true }), games: AnyObject('total_sessions, total_shots, pocketed, scratches, game_types'), performance: Open({ average_fps: Type.Number(), frames: Type.Integer() }) }) } } }, async () => {
    const ev = await events(10_000);
    const count = (name: string) => ev.filter((e) => e.event === name).length;
    const loop = pipelineLoop(ctx);
    return {
      time_range: { start: ev[0]?.timestamp ?? null, end: ev.at(-1)?.timestamp ?? null, events: ev.length },
      games: { total_sessions: count('game_started'), total_shots: count('shot_started'), pocketed: count('ball_pocketed'), scratches: count('scratch'), game_types: { eight_ball: count('game_started') } },
      performance: { average_fps: loop?.fps ?? 0, frames: loop?.frames ?? 0 },
    };
  });

  app.get('/api/v1/vision/performance', { config: { policy: 'public' }, schema: { tags: ['vision'], summary: 'Pipeline loop figures', response: { 200: Open({ profiling_enabled: Type.Boolean(), running: Type.Boolean(), fps: Type.Number(), frame_time_ms_p50: Nullable(Type.Number({ description: 'milliseconds' })), frames: Type.Integer() }) } } }, async () => {
    const loop = pipelineLoop(ctx);
    return { profiling_enabled: true, running: ctx.system.running(), fps: loop?.fps ?? 0, frame_time_ms_p50: loop?.frame_time_ms_p50 ?? null, frames: loop?.frames ?? 0 };
  });
}

/** The pipeline component's loop figures, or null without a pipeline. */
function pipelineLoop(ctx: RouteContext): { fps: number; frame_time_ms_p50: number; frames: number } | null {
  const h = ctx.components.get('pipeline')?.() as { loop?: { fps: number; frame_time_ms_p50: number; frames: number } } | undefined;
  return h?.loop ?? null;
}
