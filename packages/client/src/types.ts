/**
 * Public types of the SDK: payload type per stream, handlers and client options.
 */
import type { Envelope, StreamName, StreamPayloadMap } from '@tablecast/protocol';
import type { BackoffOptions } from './backoff.js';
import type { Encoding } from './codec.js';
import type { WebSocketConstructor } from './socket.js';

export type { StreamPayloadMap };


/** A typed handler of one stream: the payload and its envelope (timestamp, sequence). */
export type StreamHandler<S extends StreamName> = (data: StreamPayloadMap[S], envelope: Envelope<StreamPayloadMap[S]>) => void;

/** Reconnect policy: backoff windows plus an attempt limit. */
export interface ReconnectOptions extends BackoffOptions {
  /** Give up (status `closed`) after this many consecutive failed attempts (default Infinity). */
  maxAttempts?: number;
}

/** Options of {@link TablecastClient}. Durations in milliseconds. */
export interface ClientOptions {
  /**
   * Gateway URL, e.g. `ws://host:8000/api/v1/ws`. Relative URLs (`/api/v1/ws`) resolve against the
   * page's location in browsers; `http(s)` is mapped to `ws(s)`.
   */
  url: string;
  /** Auth token, sent as `?token=`. */
  token?: string;
  /**
   * Called before every (re)connect for the token to send (after centrifuge-js's `getToken`); it
   * wins over `token`. Refresh a JWT before its `exp` here: the server closes a connection at its
   * token's `exp` with 4001, so hand out a token that outlives the next connection, or reconnect
   * before `exp` with `reconnectNow()`. Rejecting with `TablecastError('UNAUTHORIZED')` closes the
   * client for good; any other rejection counts as a failed attempt (retried with backoff).
   */
  getToken?: () => Promise<string | null | undefined>;
  /** Stable client id sent as `?client_id=` so the server can resume this client (default random). */
  clientId?: string;
  /** `json` (default) or `msgpack` (binary frames, via msgpackr). */
  encoding?: Encoding;
  /**
   * WebSocket implementation. Default `globalThis.WebSocket` (browsers, Node >= 22). In Node 20 pass
   * `(await import('ws')).WebSocket`.
   */
  WebSocket?: WebSocketConstructor;
  /** Acknowledge reliable messages automatically after the handlers ran (default true). */
  autoAck?: boolean;
  /** Auto-acks are coalesced: at most one `ack` per stream per this interval (default 1000). */
  ackIntervalMs?: number;
  /** Send `ping` this often to measure RTT and detect dead sockets (default 5000; 0 disables). */
  pingIntervalMs?: number;
  /** Consider the socket dead when nothing arrived for this long after a ping (default 15 000). */
  pongTimeoutMs?: number;
  /** A socket that is not open after this long counts as a failed attempt (default 10 000). */
  connectTimeoutMs?: number;
  /** Replies (`subscribed`, `status`, `published`) not received within this reject (default 10 000). */
  requestTimeoutMs?: number;
  /** `false` disables reconnecting; an object tunes the backoff (default 0.5 s .. 20 s, full jitter). */
  reconnect?: boolean | ReconnectOptions;
  /**
   * A debug log: `true` writes to `console.debug`, a function gets each line. Logged: every status
   * change (connecting with the attempt, connected, disconnected with code and reason, reconnect
   * delays, resubscribes), every message sent (type and id) and every reply or error received (type
   * and id). Stream messages are not logged (30 a second), and neither is the token.
   */
  debug?: boolean | DebugLog;
}

/** Receives the SDK's debug lines (see `ClientOptions.debug`). */
export type DebugLog = (message: string, details?: Record<string, unknown>) => void;

/** Thrown/rejected for `error` replies and request failures. */
export class TablecastError extends Error {
  override readonly name = 'TablecastError';
  /**
   * @param code an `ErrorCode` from the server, or `TIMEOUT` / `CLOSED` / `NOT_CONNECTED` locally
   * @param message human-readable description
   * @param details the server's `details`, when any
   */
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
