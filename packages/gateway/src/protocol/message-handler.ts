/**
 * Inbound protocol: parses and dispatches client messages (PROTOCOL section 3). Every bad message
 * gets an `error` reply with a documented code; the connection stays open unless the client keeps
 * violating the rate limit.
 */
import { unpack } from 'msgpackr';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  AckData, CloseCode, ErrorCode, PublishData, SubscribeData, UnsubscribeData, formatTimestamp, nowMicros,
  requestIdOf, type ErrorCodeValue, type Filters, type RequestId,
} from '@tablecast/protocol';
import type { ClientSession } from '../session/client-session.js';
import { ProtocolError, PublishError } from '../errors/errors.js';
import type { Hub } from '../engine/hub.js';
import type { WindowCounter } from '../limits/rate-limit.js';

const checkSubscribe = TypeCompiler.Compile(SubscribeData);
const checkUnsubscribe = TypeCompiler.Compile(UnsubscribeData);
const checkAck = TypeCompiler.Compile(AckData);
const checkPublish = TypeCompiler.Compile(PublishData);

/** Per-connection inputs of the handler. */
export interface InboundContext {
  session: ClientSession;
  limiter: WindowCounter;
  /** RATE_LIMIT errors tolerated before closing with 1008. */
  maxViolations: number;
}

/** Dispatches inbound frames of all sessions of one hub. */
export class MessageHandler {
  constructor(private readonly hub: Hub) {}

  /** Handles one inbound frame. Never throws. */
  async handle(ctx: InboundContext, raw: Buffer, isBinary: boolean): Promise<void> {
    const { session } = ctx;
    session.lastSeenMs = Date.now();
    session.messagesReceived++;
    session.bytesReceived += raw.length;
    if (!ctx.limiter.take()) {
      session.rateViolations++;
      if (session.rateViolations > ctx.maxViolations) {
        session.close(CloseCode.POLICY_VIOLATION, 'rate limit exceeded repeatedly');
        return;
      }
      this.hub.replyError(session, ErrorCode.RATE_LIMIT, 'too many messages; this one was ignored');
      return;
    }
    let msg: unknown;
    try {
      if (isBinary) {
        if (session.encoding !== 'msgpack') throw new ProtocolError(ErrorCode.INVALID_JSON, 'binary frame on a JSON connection');
        msg = unpack(raw);
      } else {
        msg = JSON.parse(raw.toString('utf8'));
      }
    } catch (err) {
      const m = err instanceof ProtocolError ? err.message : `could not parse message: ${(err as Error).message}`.slice(0, 200);
      this.hub.replyError(session, ErrorCode.INVALID_JSON, m);
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || typeof (msg as { type?: unknown }).type !== 'string') {
      this.hub.replyError(session, ErrorCode.INVALID_MESSAGE, 'a message is an object with a string "type"');
      return;
    }
    const { type } = msg as { type: string };
    let { data } = msg as { data?: unknown };
    // An `id` is echoed in the reply (request-id.ts); a bad one is refused before anything runs.
    const id = requestIdOf(msg as { id?: unknown });
    if (id === null) {
      this.hub.replyError(session, ErrorCode.INVALID_MESSAGE, 'id must be a string of 1-128 characters or a safe integer', { path: 'id' });
      return;
    }
    // The original system's clients: their envelope carries a client `timestamp` beside `type`, and
    // the oldest subscribe with one top-level `stream`. Such a connection gets the original's
    // defaults (positions in video pixels, see ClientSession.legacy).
    const top = msg as { timestamp?: unknown; stream?: unknown };
    if (typeof top.timestamp === 'string') session.legacy = true;
    if ((type === 'subscribe' || type === 'unsubscribe') && data === undefined && typeof top.stream === 'string') {
      session.legacy = true;
      data = { streams: [top.stream] };
    }
    try {
      await this.dispatch(session, type, data ?? {}, id);
    } catch (err) {
      if (err instanceof ProtocolError || err instanceof PublishError) {
        this.hub.replyError(session, err.code, err.message, err.details, id);
        if (err instanceof ProtocolError && err.closeCode) session.close(err.closeCode, err.message);
      } else {
        this.hub.replyError(session, ErrorCode.INTERNAL, 'internal error', undefined, id);
      }
    }
  }

  private async dispatch(session: ClientSession, type: string, data: unknown, id: RequestId | undefined): Promise<void> {
    const obj = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
    switch (type) {
      case 'ping': {
        const reply: Record<string, unknown> = { timestamp: formatTimestamp(nowMicros()) };
        if (isClientTime(obj.timestamp)) reply.client_timestamp = obj.timestamp;
        if (session.lastRttMs !== null) reply.rtt_ms = session.lastRttMs;
        this.hub.reply(session, 'pong', reply, id);
        return;
      }
      case 'heartbeat':
        this.hub.reply(session, 'heartbeat_response', { serverTime: formatTimestamp(nowMicros()), clientTime: isClientTime(obj.clientTime) ? obj.clientTime : undefined }, id);
        return;
      case 'subscribe': {
        if (!checkSubscribe.Check(data)) {
          const bad = badField(checkSubscribe.Errors(data).First());
          if (bad.path.startsWith('data.filters')) throw new ProtocolError(ErrorCode.INVALID_FILTER, `${bad.path}: ${bad.message}`, { path: bad.path });
          throw invalid(ErrorCode.INVALID_SUBSCRIBE_FORMAT, 'subscribe data must be {streams: string[], filters?, since?}', bad);
        }
        const defaults = session.legacy ? this.hub.legacyFilterDefaults : undefined;
        const filters = defaults ? withDefaults(data.filters, defaults) : data.filters;
        const { reply, deliver } = await this.hub.subscribe(session, data.streams, filters, data.since, data.epoch);
        this.hub.reply(session, 'subscribed', reply, id);
        deliver();
        return;
      }
      case 'unsubscribe': {
        if (!checkUnsubscribe.Check(data)) {
          throw invalid(ErrorCode.INVALID_UNSUBSCRIBE_FORMAT, 'unsubscribe data must be {streams: string[]}', badField(checkUnsubscribe.Errors(data).First()));
        }
        this.hub.reply(session, 'unsubscribed', this.hub.unsubscribe(session, data.streams), id);
        return;
      }
      case 'get_status':
        this.hub.reply(session, 'status', sessionStatus(this.hub, session, obj.include_details === true), id);
        return;
      case 'ack': {
        if (!checkAck.Check(data)) throw invalid(ErrorCode.INVALID_MESSAGE, 'ack data must be {stream, sequence}', badField(checkAck.Errors(data).First()));
        session.ack(this.hub.resolveStream(data.stream), data.sequence);
        return;
      }
      case 'publish': {
        if (!checkPublish.Check(data)) throw invalid(ErrorCode.INVALID_MESSAGE, 'publish data must be {stream, data: object}', badField(checkPublish.Errors(data).First()));
        const stream = this.hub.resolveStream(data.stream);
        if (!this.hub.authorizer.canPublish(session, stream)) {
          throw new ProtocolError(ErrorCode.FORBIDDEN, `not allowed to publish on ${data.stream}`, { stream: data.stream });
        }
        const res = await this.hub.publishValidated(stream, data.data);
        this.hub.reply(session, 'published', { stream: res.stream, sequence: res.sequence, ...(res.queued ? { queued: true } : {}) }, id);
        return;
      }
      default: {
        const extension = this.hub.messageExtensions.get(type);
        if (extension) return extension(session, data, id);
        throw new ProtocolError(ErrorCode.UNKNOWN_MESSAGE_TYPE, `unknown message type "${type.slice(0, 64)}"`, {
          type: type.slice(0, 64),
          known: ['ping', 'heartbeat', 'subscribe', 'unsubscribe', 'get_status', 'ack', 'publish', ...this.hub.messageExtensions.keys()],
        });
      }
    }
  }
}

/** `filters` with every key of `defaults` it leaves out (undefined) set. */
function withDefaults(filters: Filters | undefined, defaults: Filters): Filters {
  const out: Record<string, unknown> = { ...filters };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined) out[k] = v;
  return out as Filters;
}

/** Client clocks echoed in pong / heartbeat_response are a string or a number (PingData, HeartbeatData); anything else is not echoed. */
function isClientTime(v: unknown): v is string | number {
  return typeof v === 'number' || (typeof v === 'string' && v.length <= 1024);
}

function badField(e: { path: string; message: string } | undefined): { path: string; message: string } {
  return { path: `data${e?.path.replaceAll('/', '.') ?? ''}`, message: e?.message ?? 'invalid' };
}

function invalid(code: ErrorCodeValue, message: string, bad: { path: string; message: string }): ProtocolError {
  return new ProtocolError(code, `${message} (${bad.path}: ${bad.message})`, { path: bad.path });
}

/** The `status` reply for a session (also used by the REST connection endpoints). */
export function sessionStatus(hub: Hub, session: ClientSession, details: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    client_id: session.id,
    connected_at: formatTimestamp(session.connectedAtMs * 1000),
    uptime: (Date.now() - session.connectedAtMs) / 1000,
    subscriptions: hub.subscriptionNames(session),
    messages_sent: session.messagesSent,
    messages_received: session.messagesReceived,
    bytes_sent: session.bytesSent,
    bytes_received: session.bytesReceived,
    last_rtt_ms: session.lastRttMs,
    dropped: session.dropped,
    queue_bytes: session.pendingBytes(),
    queue_length: session.queueLength(),
    encoding: session.encoding,
    compression: session.compressed,
    ip: session.ip,
  };
  if (details) {
    out.filters = Object.fromEntries([...session.subscriptions.values()].map((s) => [s.alias, s.filters.raw]));
    out.acked = Object.fromEntries(session.acked);
    const p = session.principal;
    out.attributes = {
      role: p.role, roles: p.roles, subject: p.subject, auth: p.auth,
      ...(p.exp !== null ? { exp: p.exp } : {}), ...(p.userId !== null ? { user_id: p.userId } : {}),
      channel: session.channel, ...hub.describeSession(session),
    };
  }
  return out;
}
