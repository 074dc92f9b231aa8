/**
 * Targeted messages: one envelope sent to chosen connections (a group, a user) instead of every
 * subscriber of a stream. `type` is the stream name when the message is stream-shaped (its payload is
 * then validated against the stream schema) or `message` (or another custom type); `sequence` is 0
 * because a targeted message is not part of any stream's sequence: numbering it would leave a gap
 * for every other subscriber and replay it to them on resume.
 */
import { ErrorCode, canonicalStream, formatTimestamp, isStreamName, nowMicros } from '@tablecast/protocol';
import { OutboundMessage, ProtocolError, type ClientSession, type Hub } from '@tablecast/gateway';

/** What to send. */
export interface TargetedSpec {
  /** The payload (`data` of the envelope). */
  data: Record<string, unknown>;
  /** A stream name: the envelope type, and the schema the payload must match. */
  stream?: string;
  /** A custom envelope type (default `message`); ignored when `stream` is given. */
  type?: string;
}

/** Envelope types of replies and protocol messages that a targeted message may not imitate. */
export const RESERVED_TYPES: ReadonlySet<string> = new Set([
  'connection', 'pong', 'heartbeat_response', 'subscribed', 'unsubscribed', 'error', 'published', 'batch', 'group_joined', 'group_left',
]);

const CUSTOM_TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Builds the envelope of a targeted message (serialized at most once for all recipients).
 * @throws ProtocolError INVALID_STREAM / INVALID_MESSAGE; PublishError INVALID_PAYLOAD (details.path)
 */
export function targetedMessage(spec: TargetedSpec, hub: Pick<Hub, 'validatePayload'>): OutboundMessage {
  if (!spec.data || typeof spec.data !== 'object' || Array.isArray(spec.data)) {
    throw new ProtocolError(ErrorCode.INVALID_MESSAGE, 'data must be an object', { path: 'data' });
  }
  let type: string;
  if (spec.stream !== undefined) {
    if (!isStreamName(spec.stream)) throw new ProtocolError(ErrorCode.INVALID_STREAM, `unknown stream "${spec.stream}"`, { stream: spec.stream });
    type = canonicalStream(spec.stream);
  } else {
    type = spec.type ?? 'message';
    if (isStreamName(type)) type = canonicalStream(type);
  }
  if (isStreamName(type)) {
    hub.validatePayload(canonicalStream(type), spec.data);
  } else if (!CUSTOM_TYPE.test(type) || RESERVED_TYPES.has(type)) {
    throw new ProtocolError(ErrorCode.INVALID_MESSAGE, `type "${type.slice(0, 64)}" is reserved or not [a-z][a-z0-9_.-]{0,63}`, { path: 'type' });
  }
  const micros = nowMicros();
  return new OutboundMessage(type, null, 0, formatTimestamp(micros), micros, spec.data);
}

/** Sends `message` to every open session of `sessions`. @returns the number of recipients */
export function sendToSessions(sessions: Iterable<ClientSession>, message: OutboundMessage): number {
  let n = 0;
  for (const s of sessions) {
    if (s.closed) continue;
    s.send(message);
    n++;
  }
  return n;
}
