/**
 * Subscription: one client's subscription to one stream, applying the per-client delivery filters
 * (sample_rate, max_fps, aggregation_window_ms) and holding live messages back while history is
 * being recovered so resume is gapless and in order.
 */
import { formatTimestamp } from '@tablecast/protocol';
import type { ClientSession, WriteBatch } from './client-session.js';
import type { CompiledFilters } from '../filters/filters.js';
import { BatchMessage, type OutboundMessage } from '../wire/outbound.js';

/**
 * Per-client state of one stream subscription. The fields offer() reads on every message come first
 * (V8 lays fields out in declaration order; see ClientSession).
 */
export class Subscription {
  // --- fast path (keep together, keep first) ---
  readonly session: ClientSession;
  /** Live messages held while recovering history (null when not recovering). */
  private held: OutboundMessage[] | null = null;
  /** Set by dispose(): a replaced or removed subscription delivers nothing more. */
  private disposed = false;
  /** No per-client delivery filter: every message goes straight to the session. */
  readonly fast: boolean;
  /** Highest sequence handed to the session (de-duplicates history vs live). */
  lastSequence = 0;
  // --- the rest ---
  readonly stream: string;
  /** The name the client subscribed with (`metrics` for `performance`). */
  readonly alias: string;
  readonly filters: CompiledFilters;
  readonly reliable: boolean;
  private counter = 0;
  private lastSentMs = 0;
  private throttled: OutboundMessage[] = [];
  private throttleTimer: NodeJS.Timeout | null = null;
  private window: OutboundMessage[] = [];
  private windowTimer: NodeJS.Timeout | null = null;

  /**
   * @param session the subscribing connection
   * @param stream canonical stream
   * @param alias the name the client subscribed with (`metrics` for `performance`)
   * @param filters compiled delivery and content filters
   * @param reliable whether the stream is of the reliable delivery class
   */
  constructor(session: ClientSession, stream: string, alias: string, filters: CompiledFilters, reliable: boolean) {
    this.session = session;
    this.stream = stream;
    this.alias = alias;
    this.filters = filters;
    this.reliable = reliable;
    this.fast = filters.maxFps === 0 && filters.sampleRate === 1 && filters.aggregationMs === 0;
  }

  /** Starts holding live messages (before a history read). */
  beginRecovery(): void {
    this.held = [];
  }

  /** Delivers recovered history, then the held live messages not already covered. */
  endRecovery(history: OutboundMessage[]): void {
    const held = this.held ?? [];
    this.held = null;
    for (const m of history) this.offer(m);
    for (const m of held) this.offer(m);
  }

  /**
   * Hands one message of this stream to the subscription.
   * @param batch the fan-out's write batch (see ClientSession.send); used only when no delivery
   *   filter applies, i.e. when the message is sent now
   */
  offer(message: OutboundMessage, batch?: WriteBatch): void {
    if (this.disposed) return;
    if (this.held) {
      this.held.push(message);
      return;
    }
    if (message.sequence > 0) {
      if (message.sequence <= this.lastSequence) return; // already delivered (resume overlap)
      this.lastSequence = message.sequence;
    }
    if (this.fast) {
      this.session.send(message, batch);
      return;
    }
    if (this.filters.sampleRate > 1 && this.counter++ % this.filters.sampleRate !== 0) {
      this.session.countDrop(this.stream, 'sampled');
      return;
    }
    if (this.filters.aggregationMs > 0) {
      this.window.push(message);
      this.windowTimer ??= setTimeout(() => this.flushWindow(), this.filters.aggregationMs);
      return;
    }
    if (this.filters.maxFps > 0) {
      this.throttle(message);
      return;
    }
    this.session.send(message);
  }

  private throttle(message: OutboundMessage): void {
    const interval = 1000 / this.filters.maxFps;
    const now = performance.now();
    if (this.throttleTimer === null && now - this.lastSentMs >= interval) {
      this.lastSentMs = now;
      this.session.send(message);
      return;
    }
    if (this.reliable) this.throttled.push(message);
    else {
      if (this.throttled.length > 0) this.session.countDrop(this.stream, 'throttled');
      this.throttled = [message];
    }
    this.throttleTimer ??= setTimeout(() => this.flushThrottled(), Math.max(0, interval - (now - this.lastSentMs)));
  }

  private flushThrottled(): void {
    this.throttleTimer = null;
    const list = this.throttled;
    this.throttled = [];
    if (list.length === 0 || this.session.closed) return;
    this.lastSentMs = performance.now();
    this.session.send(list.length === 1 ? list[0]! : this.batch(list));
  }

  private flushWindow(): void {
    this.windowTimer = null;
    const list = this.window;
    this.window = [];
    if (list.length === 0 || this.session.closed) return;
    this.session.send(this.batch(list));
  }

  private batch(list: OutboundMessage[]): BatchMessage {
    const micros = Date.now() * 1000;
    return new BatchMessage(this.stream, formatTimestamp(micros), list[list.length - 1]!.timestampMicros, list);
  }

  /**
   * Sends what the delivery filters hold back (throttled and aggregated messages) now. Used before a
   * graceful close so no reliable message dies in a filter buffer.
   */
  flushPending(): void {
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.flushThrottled();
    this.flushWindow();
  }

  /** Stops timers; pending throttled/aggregated messages are discarded (delivery stops at once). */
  dispose(): void {
    this.disposed = true;
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.throttleTimer = this.windowTimer = null;
    this.throttled = [];
    this.window = [];
    this.held = null;
  }
}
