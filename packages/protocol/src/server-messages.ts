/**
 * Server -> client messages: the envelope (PROTOCOL section 2) and the reply types (section 3).
 */
import type { RequestId } from './request-id.js';
import { Type, type Static } from '@sinclair/typebox';

/** JSON Schema of a {@link RequestId} (request-id.ts). */
export const RequestIdSchema = Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Integer({ minimum: -(2 ** 53 - 1), maximum: 2 ** 53 - 1 })], {
  description: 'echoed in the reply; a string of 1-128 characters or a safe integer',
});

/**
 * Every server message. `timestamp` is UTC ISO-8601 with microseconds and `+00:00`, taken at publish;
 * `sequence` is per stream, strictly increasing by 1 (0 on replies).
 */
export const Envelope = Type.Object({
  type: Type.String(),
  timestamp: Type.String({ pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00$' }),
  sequence: Type.Integer({ minimum: 0 }),
  id: Type.Optional(RequestIdSchema),
  data: Type.Unknown(),
});
/**
 * The envelope of every server message. `id`: on a reply (or `error`) to a client message that
 * carried an `id`, that id, unchanged; absent otherwise (stream messages, replies to messages without one).
 */
export type Envelope<T = unknown> = { type: string; timestamp: string; sequence: number; id?: RequestId; data: T };

/** Welcome sent on connect. */
export const ConnectionData = Type.Object({
  client_id: Type.String(),
  server_version: Type.String(),
  protocol_version: Type.String(),
  encoding: Type.Union([Type.Literal('json'), Type.Literal('msgpack')]),
  available_streams: Type.Array(Type.String()),
  max_payload_bytes: Type.Integer(),
  heartbeat_interval_ms: Type.Integer(),
  node_id: Type.Optional(Type.String()),
  resumable: Type.Optional(Type.Boolean()),
  /**
   * **new**: proof of ownership of `client_id` for an anonymous connection. A reconnect that sends it
   * back as `?resume_token=` may replace a connection of the same id that is still open; without it
   * a live id held by another principal is refused with close 4008.
   */
  resume_token: Type.Optional(Type.String()),
});
export const PongData = Type.Object({
  timestamp: Type.String(),
  client_timestamp: Type.Optional(Type.Union([Type.String(), Type.Number()])),
  rtt_ms: Type.Optional(Type.Number()),
});
export const HeartbeatResponseData = Type.Object({ serverTime: Type.String(), clientTime: Type.Optional(Type.Unknown()) });
export const SubscribedData = Type.Object({
  streams: Type.Array(Type.String()),
  all_subscriptions: Type.Array(Type.String()),
  recovered: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
  epochs: Type.Optional(Type.Record(Type.String(), Type.String())),
  offsets: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  /** **new**: requested streams that were not subscribed (unknown names), each with its error code; the others were. */
  rejected: Type.Optional(Type.Array(Type.Object({ stream: Type.String(), code: Type.String(), message: Type.String() }))),
});
export const UnsubscribedData = Type.Object({ streams: Type.Array(Type.String()), all_subscriptions: Type.Array(Type.String()) });
export const StatusReplyData = Type.Object(
  {
    client_id: Type.String(),
    connected_at: Type.String(),
    uptime: Type.Number({ description: 'seconds' }),
    subscriptions: Type.Array(Type.String()),
    messages_sent: Type.Integer(),
    messages_received: Type.Integer(),
    bytes_sent: Type.Integer(),
    bytes_received: Type.Integer(),
    last_rtt_ms: Type.Union([Type.Number(), Type.Null()]),
    dropped: Type.Integer(),
  },
  { additionalProperties: true },
);
export const ErrorData = Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) });
export const PublishedData = Type.Object({
  stream: Type.String(),
  /** The stream sequence; 0 while `queued`. */
  sequence: Type.Integer(),
  /** **new**: cluster mode with Redis unreachable; the message waits in the node's outbox and is sequenced and delivered when Redis returns. */
  queued: Type.Optional(Type.Boolean()),
});
export const BatchData = Type.Object({ messages: Type.Array(Envelope) });
export const GroupMembershipData = Type.Object({ group: Type.String(), groups: Type.Array(Type.String()) });

/** Reply and control messages by type. */
export const SERVER_MESSAGES = {
  connection: ConnectionData,
  pong: PongData,
  heartbeat_response: HeartbeatResponseData,
  subscribed: SubscribedData,
  unsubscribed: UnsubscribedData,
  status: StatusReplyData,
  error: ErrorData,
  published: PublishedData,
  batch: BatchData,
  group_joined: GroupMembershipData,
  group_left: GroupMembershipData,
} as const;

export type ConnectionData = Static<typeof ConnectionData>;
export type PongData = Static<typeof PongData>;
export type HeartbeatResponseData = Static<typeof HeartbeatResponseData>;
export type SubscribedData = Static<typeof SubscribedData>;
export type UnsubscribedData = Static<typeof UnsubscribedData>;
export type StatusReplyData = Static<typeof StatusReplyData>;
export type ErrorData = Static<typeof ErrorData>;
export type PublishedData = Static<typeof PublishedData>;
export type BatchData = Static<typeof BatchData>;
