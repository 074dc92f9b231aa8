/**
 * REST routes of targeted messaging (admin routes: guarded by the admin guard when auth is enabled):
 * - `POST /api/v1/groups/{group}/broadcast` `{data, stream?, type?}` -> `{group, type, recipients}`
 * - `POST /api/v1/users/{user_id}/send` `{data, stream?, type?}` -> `{user_id, type, recipients}`
 * - `GET /api/v1/groups` -> `{groups: [{group, members}]}`
 * Bad bodies are 400 with `{error: {code, message, details}}` (INVALID_PAYLOAD names the field path).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorCode } from '@tablecast/protocol';
import { ProtocolError, PublishError } from '@tablecast/gateway';
import type { TargetedSpec } from './targeted.js';

/** What the routes call. */
export interface TargetedSender {
  broadcastToGroup(group: string, spec: TargetedSpec): { type: string; recipients: number };
  sendToUser(userId: string, spec: TargetedSpec): { type: string; recipients: number };
  listGroups(): { group: string; members: number }[];
}

const body = {
  type: 'object',
  properties: {
    data: { type: 'object' },
    stream: { type: 'string', maxLength: 64 },
    type: { type: 'string', maxLength: 64 },
  },
  required: ['data'],
} as const;

function badRequest(reply: FastifyReply, err: unknown) {
  if (err instanceof ProtocolError || err instanceof PublishError) {
    reply.code(400);
    return { error: { code: err.code, message: err.message, details: err.details } };
  }
  throw err;
}

/** Registers the group/user routes. */
export async function channelRoutes(app: FastifyInstance, sender: TargetedSender): Promise<void> {
  const tags = ['channels'];
  const config = { policy: 'admin' as const };

  app.post<{ Params: { group: string }; Body: TargetedSpec }>(
    '/api/v1/groups/:group/broadcast',
    { config, schema: { tags, summary: 'Send one message to every connection in a group (tablecast extension)', body, response: { 200: Type.Object({ group: Type.String(), type: Type.String(), recipients: Type.Integer({ minimum: 0 }) }, { additionalProperties: true }) } } },
    async (req, reply) => {
      try {
        const r = sender.broadcastToGroup(req.params.group, req.body);
        return { group: req.params.group, ...r };
      } catch (err) {
        return badRequest(reply, err);
      }
    },
  );

  app.post<{ Params: { user_id: string }; Body: TargetedSpec }>(
    '/api/v1/users/:user_id/send',
    { config, schema: { tags, summary: "Send one message to a user's /ws/{user_id} connections", body, response: { 200: Type.Object({ user_id: Type.String(), type: Type.String(), recipients: Type.Integer({ minimum: 1 }) }, { additionalProperties: true }) } } },
    async (req, reply) => {
      try {
        const r = sender.sendToUser(req.params.user_id, req.body);
        if (r.recipients === 0) reply.code(404);
        return r.recipients === 0
          ? { error: { code: ErrorCode.NOT_FOUND, message: `user ${req.params.user_id} has no open /ws/{user_id} connection` }, user_id: req.params.user_id, ...r }
          : { user_id: req.params.user_id, ...r };
      } catch (err) {
        return badRequest(reply, err);
      }
    },
  );

  app.get('/api/v1/groups', { config, schema: { tags, summary: 'Client groups and their member counts', response: { 200: Type.Object({ groups: Type.Array(Type.Object({ group: Type.String(), members: Type.Integer({ minimum: 0 }) })) }) } } }, async () => ({ groups: sender.listGroups() }));
}
