/**
 * ClientSession: one WebSocket connection's state and its bounded, prioritized send queue.
 *
 * Fast path: when nothing is queued and the socket buffer is below the high-water mark, the
 * pre-framed bytes are written straight to the socket. Otherwise messages wait in the queue:
 * latest-value streams conflate (one pending message per stream, the newest), reliable streams queue
 * in order. The queue is bounded in bytes (socket buffer included); under pressure, pending
 * latest-value messages are evicted lowest priority first; when a reliable message still does not
 * fit, the client is closed with 4100 (slow consumer). Flushing sends by priority
 * (alert > config > event > trajectory > state > performance > frame).
 */
import type { WebSocket } from 'ws';
import { CloseCode, clampCloseReason } from '@tablecast/protocol';
import { ANONYMOUS, type Principal } from './principal.js';
import type { Encoding, OutboundMessage } from '../wire/outbound.js';
import { rawSocketOf, type RawSocket } from '../wire/ws-internals.js';
import type { Subscription } from './subscription.js';

/** Why a message was not delivered (metrics label). */
export type DropReason = 'conflated' | 'queue_full' | 'throttled' | 'sampled' | 'acked' | 'closed';

/** Hooks the hub gives every session (metrics, slow-consumer handling). */
export interface SessionHooks {
  onSent(session: ClientSession, message: OutboundMessage, bytes: number): void;
  onDrop(session: ClientSession, stream: string | null, reason: DropReason): void;
}

/** Queue limits. */
export interface SessionLimits {
  /** Bytes queued + buffered in the socket before eviction / 4100. */
  maxQueueBytes: number;
  /** Socket buffer level above which messages are queued. */
  highWaterBytes: number;
  /** Smallest message compressed when permessage-deflate is negotiated. */
  compressThreshold: number;
}

export type { RawSocket } from '../wire/ws-internals.js';

/**
 * The sockets one fan-out writes to, gathered first and written after (Hub.deliver): raw sockets of
 * sessions on the fast path, by encoding. Gathering touches every session's state in a tight loop
 * (the CPU overlaps those cache misses) instead of once between two socket writes (where the
 * kernel's work has evicted it and each miss is paid in full).
 */
export interface WriteBatch {
  json: RawSocket[];
  msgpack: RawSocket[];
}

const BUCKETS = 8; // priorities -1 (replies) .. 6, shifted by one

/**
 * Per-connection state.
 *
 * Field order is deliberate: V8 lays an object's fields out in declaration order, and the fan-out's
 * gather pass (send() with a {@link WriteBatch}) reads and writes only the first group, so it touches
 * one or two cache lines per session rather than fields spread over the whole object.
 */
export class ClientSession {
  // --- fast path (keep together, keep first) ---
  closed = false;
  private queuedCount = 0;
  /** The raw socket when frames are written directly (no permessage-deflate), else null. */
  private readonly direct: RawSocket | null;
  /** The raw socket's write state: `length` = bytes buffered in the socket (ws' bufferedAmount). */
  private readonly directState: { length: number } | null;
  /** {@link SessionLimits.highWaterBytes}, copied here so the fast path reads no other object. */
  private readonly highWaterBytes: number;
  readonly encoding: Encoding;
  private readonly hooks: SessionHooks;
  messagesSent = 0;
  bytesSent = 0;
  // --- the rest ---
  readonly id: string;
  readonly ws: WebSocket;
  readonly ip: string;
  readonly compressed: boolean;
  private readonly limits: SessionLimits;
  readonly subscriptions = new Map<string, Subscription>();
  readonly connectedAtMs = Date.now();
  lastSeenMs = Date.now();
  lastRttMs: number | null = null;
  pingSentAtMs = 0;
  messagesReceived = 0;
  bytesReceived = 0;
  dropped = 0;
  rateViolations = 0;
  /** Highest acknowledged sequence per reliable stream. */
  readonly acked = new Map<string, number>();
  /**
   * The client speaks the original system's forms (its `/api/v1/websocket/ws` or `/ws` path, a
   * client `timestamp` in the envelope, the single-`stream` subscribe): its subscriptions default to
   * `coordinates: pixels`, the video-pixel positions the original sent (docs/COMPATIBILITY.md).
   */
  legacy = false;
  /** Owner of the client id (client-identity.ts): another owner may not replace this session. */
  owner = '';
  /** Who the connection is (set by the transport from the application's authenticator). */
  principal: Principal = ANONYMOUS;
  /** The endpoint the client connected to (`gateway`, or an application channel such as `detection`). */
  channel = 'gateway';
  private readonly buckets: (OutboundMessage | string)[][] = Array.from({ length: BUCKETS }, () => []);
  private readonly latestPending = new Map<string, OutboundMessage>();
  private queuedBytes = 0;

  /**
   * @param id unique connection id (the client's `client_id` when given)
   * @param ws the accepted socket
   * @param ip the client's address (IPv4-mapped prefix removed)
   * @param encoding wire encoding
   * @param compressed whether permessage-deflate was negotiated (disables pre-framed writes)
   * @param limits queue bounds, bytes
   * @param hooks metrics and drop accounting
   */
  constructor(id: string, ws: WebSocket, ip: string, encoding: Encoding, compressed: boolean, limits: SessionLimits, hooks: SessionHooks) {
    this.id = id;
    this.ws = ws;
    this.ip = ip;
    this.encoding = encoding;
    this.compressed = compressed;
    this.limits = limits;
    this.hooks = hooks;
    this.highWaterBytes = limits.highWaterBytes;
    // Pre-framed bytes go straight to the TCP socket, and its buffer level is read from the socket's
    // write state (wire/ws-internals.ts says why and when).
    const raw = rawSocketOf(ws);
    this.direct = !compressed ? raw : null;
    this.directState = this.direct?._writableState ?? null;
    raw?.on('drain', () => this.flush());
  }

  /** Bytes buffered in the socket (ws' bufferedAmount). */
  private socketBytes(): number {
    return this.directState !== null ? this.directState.length : this.ws.bufferedAmount;
  }

  /** Bytes waiting in this session's queue plus the socket's own buffer. */
  pendingBytes(): number {
    return this.queuedBytes + this.socketBytes();
  }

  /** Number of messages waiting in the queue. */
  queueLength(): number {
    return this.queuedCount;
  }

  /**
   * Queues or writes one message.
   * @param batch when given and the message can go straight to the socket, the socket is added to
   *   `batch` (and counted as sent) instead of written: the caller writes the message's frame to
   *   every socket of the batch, synchronously, before anything else runs (Hub.deliver)
   */
  send(message: OutboundMessage, batch?: WriteBatch): void {
    if (this.closed) return;
    if (this.queuedCount === 0 && this.socketBytes() < this.highWaterBytes) {
      if (batch !== undefined && this.direct !== null) {
        (this.encoding === 'json' ? batch.json : batch.msgpack).push(this.direct);
        this.messagesSent++;
        this.bytesSent += message.frame(this.encoding).length;
        return;
      }
      this.write(message);
      return;
    }
    this.enqueue(message);
  }

  private enqueue(message: OutboundMessage): void {
    const size = message.payload(this.encoding).length;
    const stream = message.stream;
    if (stream && !message.reliable) {
      const prev = this.latestPending.get(stream);
      if (prev) {
        this.latestPending.set(stream, message);
        this.queuedBytes += size - prev.payload(this.encoding).length;
        this.dropped++;
        this.hooks.onDrop(this, stream, 'conflated');
      } else {
        this.latestPending.set(stream, message);
        this.bucket(message.priority).push(stream);
        this.queuedCount++;
        this.queuedBytes += size;
      }
    } else {
      this.bucket(message.priority).push(message);
      this.queuedCount++;
      this.queuedBytes += size;
    }
    if (this.pendingBytes() > this.limits.maxQueueBytes) this.relievePressure(message);
  }

  /** Evicts pending latest-value messages, lowest priority first; closes 4100 when a reliable one cannot fit. */
  private relievePressure(incoming: OutboundMessage): void {
    for (let b = BUCKETS - 1; b >= 0 && this.pendingBytes() > this.limits.maxQueueBytes; b--) {
      const bucket = this.buckets[b]!;
      for (let i = bucket.length - 1; i >= 0 && this.pendingBytes() > this.limits.maxQueueBytes; i--) {
        const entry = bucket[i]!;
        if (typeof entry !== 'string') continue;
        const m = this.latestPending.get(entry);
        if (m) {
          this.latestPending.delete(entry);
          this.queuedBytes -= m.payload(this.encoding).length;
        }
        bucket.splice(i, 1);
        this.queuedCount--;
        this.dropped++;
        this.hooks.onDrop(this, entry, 'queue_full');
      }
    }
    if (this.pendingBytes() > this.limits.maxQueueBytes && (incoming.reliable || this.queuedCount > 0)) {
      this.close(CloseCode.SLOW_CONSUMER, `slow consumer: over ${this.limits.maxQueueBytes} queued bytes`);
    }
  }

  private bucket(priority: number): (OutboundMessage | string)[] {
    return this.buckets[Math.min(BUCKETS - 1, Math.max(0, priority + 1))]!;
  }

  /** Writes queued messages by priority while the socket buffer is below the high-water mark. */
  flush(): void {
    if (this.closed) return;
    for (let b = 0; b < BUCKETS && this.queuedCount > 0; b++) {
      const bucket = this.buckets[b]!;
      let taken = 0;
      while (taken < bucket.length && this.socketBytes() < this.highWaterBytes) {
        const entry = bucket[taken++]!;
        let m: OutboundMessage | undefined;
        if (typeof entry === 'string') {
          m = this.latestPending.get(entry);
          this.latestPending.delete(entry);
        } else m = entry;
        this.queuedCount--;
        if (!m) continue;
        this.queuedBytes -= m.payload(this.encoding).length;
        this.write(m);
        if (this.closed) return;
      }
      if (taken > 0) bucket.splice(0, taken);
      if (bucket.length > 0) return; // socket full: wait for 'drain'
    }
  }

  private write(message: OutboundMessage): void {
    let bytes: number;
    if (this.direct !== null) {
      const frame = message.frame(this.encoding);
      bytes = frame.length;
      this.direct.write(frame);
    } else {
      const payload = message.payload(this.encoding);
      bytes = payload.length;
      this.ws.send(payload, { binary: this.encoding === 'msgpack', compress: payload.length >= this.limits.compressThreshold });
    }
    this.messagesSent++;
    this.bytesSent += bytes;
    this.hooks.onSent(this, message, bytes);
  }

  /**
   * Records an acknowledgement and drops queued reliable messages of `stream` up to `sequence`.
   */
  ack(stream: string, sequence: number): void {
    if (sequence <= (this.acked.get(stream) ?? 0)) return;
    this.acked.set(stream, sequence);
    for (const bucket of this.buckets) {
      for (let i = bucket.length - 1; i >= 0; i--) {
        const e = bucket[i]!;
        if (typeof e !== 'string' && e.stream === stream && e.sequence > 0 && e.sequence <= sequence) {
          bucket.splice(i, 1);
          this.queuedCount--;
          this.queuedBytes -= e.payload(this.encoding).length;
          this.hooks.onDrop(this, stream, 'acked');
        }
      }
    }
  }

  /** Counts a message of `stream` that a delivery filter (sample_rate, max_fps) did not send. */
  countDrop(stream: string, reason: DropReason): void {
    this.dropped++;
    this.hooks.onDrop(this, stream, reason);
  }

  /**
   * Drops every queued (not yet written) message of `stream`: after unsubscribe, delivery stops at once
   * even for messages that were waiting behind a full socket.
   */
  discard(stream: string): void {
    if (this.queuedCount === 0) return;
    const pending = this.latestPending.get(stream);
    if (pending) {
      this.latestPending.delete(stream);
      this.queuedBytes -= pending.payload(this.encoding).length;
    }
    for (const bucket of this.buckets) {
      for (let i = bucket.length - 1; i >= 0; i--) {
        const e = bucket[i]!;
        if (e === stream || (typeof e !== 'string' && e.stream === stream)) {
          bucket.splice(i, 1);
          this.queuedCount--;
          if (typeof e !== 'string') this.queuedBytes -= e.payload(this.encoding).length;
          this.hooks.onDrop(this, stream, 'closed');
        }
      }
    }
  }

  /** Closes the socket with `code`; reasons are clamped to the protocol limit. Idempotent. */
  close(code: number, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subscriptions.values()) sub.dispose();
    try {
      this.ws.close(code, clampCloseReason(reason));
    } catch {
      this.ws.terminate();
    }
  }
}
