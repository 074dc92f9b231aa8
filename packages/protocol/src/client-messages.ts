/**
 * Client -> server messages (PROTOCOL section 3) as TypeBox schemas.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Filters } from './filters.js';

const Data = <T extends ReturnType<typeof Type.Object>>(t: string, data: T) =>
  Type.Object({ type: Type.Literal(t), data: Type.Optional(data) }, { additionalProperties: true, $id: `client.${t}` });

/** `ping {timestamp?}` -> `pong`. `timestamp` is the client's clock (ISO string or epoch ms). */
export const PingData = Type.Object({ timestamp: Type.Optional(Type.Union([Type.String(), Type.Number()])) });
/** `heartbeat {clientTime?}` -> `heartbeat_response {serverTime}`. */
export const HeartbeatData = Type.Object({ clientTime: Type.Optional(Type.Union([Type.String(), Type.Number()])) });
/** `subscribe {streams, filters?, since?}`; `since` maps a stream to the last sequence the client holds. */
export const SubscribeData = Type.Object({
  streams: Type.Array(Type.String(), { minItems: 1, maxItems: 32 }),
  filters: Type.Optional(Filters),
  since: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
  epoch: Type.Optional(Type.Record(Type.String(), Type.String())),
});
/** `unsubscribe {streams}`. */
export const UnsubscribeData = Type.Object({ streams: Type.Array(Type.String(), { minItems: 1, maxItems: 32 }) });
/** `get_status {include_details?}`. */
export const GetStatusData = Type.Object({ include_details: Type.Optional(Type.Boolean()) });
/** `ack {stream, sequence}`: acknowledges every reliable message of `stream` up to `sequence`. */
export const AckData = Type.Object({ stream: Type.String(), sequence: Type.Integer({ minimum: 0 }) });
/** `publish {stream, data}` (publisher role). */
export const PublishData = Type.Object({ stream: Type.String(), data: Type.Record(Type.String(), Type.Unknown()) });

/** `join_group {group}` / `leave_group {group}` (tablecast extension): targeted group sends. */
export const GroupData = Type.Object({ group: Type.String({ minLength: 1, maxLength: 128 }) });

export const PingMessage = Data('ping', PingData);
export const HeartbeatMessage = Data('heartbeat', HeartbeatData);
export const SubscribeMessage = Data('subscribe', SubscribeData);
export const UnsubscribeMessage = Data('unsubscribe', UnsubscribeData);
export const GetStatusMessage = Data('get_status', GetStatusData);
export const AckMessage = Data('ack', AckData);
export const PublishMessage = Data('publish', PublishData);
export const JoinGroupMessage = Data('join_group', GroupData);
export const LeaveGroupMessage = Data('leave_group', GroupData);

/** Every client message schema by type. */
export const CLIENT_MESSAGES = {
  ping: PingMessage,
  heartbeat: HeartbeatMessage,
  subscribe: SubscribeMessage,
  unsubscribe: UnsubscribeMessage,
  get_status: GetStatusMessage,
  ack: AckMessage,
  publish: PublishMessage,
  join_group: JoinGroupMessage,
  leave_group: LeaveGroupMessage,
} as const;

/** A client message type. */
export type ClientMessageType = keyof typeof CLIENT_MESSAGES;

export type PingData = Static<typeof PingData>;
export type HeartbeatData = Static<typeof HeartbeatData>;
export type SubscribeData = Static<typeof SubscribeData>;
export type UnsubscribeData = Static<typeof UnsubscribeData>;
export type GetStatusData = Static<typeof GetStatusData>;
export type AckData = Static<typeof AckData>;
export type PublishData = Static<typeof PublishData>;
