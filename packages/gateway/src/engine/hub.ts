/**
 * Hub: the subscription registry and fan-out engine of one gateway node.
 *
 * - publish(): validates, timestamps and hands the message to the Broker (which sequences it and
 *   stores reliable streams in history); the Broker delivers it back to every node's hub.
 * - fan-out: per stream, subscribers are grouped by filter variant; each variant transforms and
 *   serializes the message once and every session of the variant gets the same bytes.
 * - subscribe(): registers the subscription, resumes reliable streams from `since` through the
 *   Broker's history (live messages are held meanwhile, so resume is gapless and in order) and
 *   sends the newest message of latest-value streams at once.
 */
import { ErrorCode, formatTimestamp, nowMicros, type Filters, type RequestId, type SubscribedData } from '@tablecast/protocol';
import type { Broker, BrokerMessage } from '../broker/broker.js';
import type { ClientSession, RawSocket, WriteBatch } from '../session/client-session.js';
import { compileFilters, validateFilters, type CompiledFilters, type FilterPlugin } from '../filters/filters.js';
import { ProtocolError, PublishError } from '../errors/errors.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { OutboundMessage, type Encoding } from '../wire/outbound.js';
import { validatePayload } from './payload-check.js';
import type { PublishOptions, PublishResult, StreamPublisher } from './publisher.js';
import type { StreamCatalog } from '../catalog/stream-catalog.js';
import { Subscription } from '../session/subscription.js';
import { Variant, variantKeyOf } from './variant.js';

/** Checks whether a session may subscribe to / publish on a stream (auth plugs in here). */
export interface StreamAuthorizer {
  canSubscribe(session: ClientSession, stream: string): boolean;
  canPublish(session: ClientSession | null, stream: string): boolean;
}

const ALLOW_ALL: StreamAuthorizer = { canSubscribe: () => true, canPublish: () => true };

/**
 * Handles a client message type beyond PROTOCOL section 3 (tablecast extensions such as
 * `join_group`); throw a ProtocolError to answer with an `error`. Pass `requestId` to the replies
 * it sends (`hub.reply(session, type, data, requestId)`), so clients can match them by id.
 */
export type ClientMessageExtension = (session: ClientSession, data: unknown, requestId?: RequestId) => void | Promise<void>;

/** Hub options. */
export interface HubOptions {
  broker: Broker;
  metrics: GatewayMetrics;
  /** The application's streams: names, aliases, delivery class, priority, payload checks. */
  catalog: StreamCatalog;
  /** The application's content filters, applied in this order after `conditions` (see FilterPlugin). */
  filterPlugins?: readonly FilterPlugin[];
  /**
   * Filters a subscription of a legacy client (ClientSession.legacy: the original system's clients)
   * gets for every key it leaves out.
   */
  legacyFilterDefaults?: Filters;
  /** Max history messages sent on resume. */
  historyLimit: number;
  authorizer?: StreamAuthorizer;
  /** Extra fields of a session for `get_status` with `include_details` (`details.attributes`). */
  describeSession?: (session: ClientSession) => Record<string, unknown>;
  /** Whether in-process publishes are schema-validated (REST and publisher connections always are). */
  validateInProcess?: boolean;
  /**
   * Called with every message before it is rendered for this node's subscribers (and with every
   * in-process publish of a latest-value stream), so the application can keep its filter plugins'
   * state in step with the messages themselves (the billiards server: the table calibration a
   * `state` carries, for `coordinates: pixels`).
   */
  observe?: (m: BrokerMessage) => void;
}

/** The subscription registry and fan-out engine. Implements {@link StreamPublisher}. */
export class Hub implements StreamPublisher {
  readonly sessions = new Map<string, ClientSession>();
  private readonly variants = new Map<string, Map<string, Variant>>();
  private readonly brokerSubscribed = new Set<string>();
  private readonly lastValue = new Map<string, BrokerMessage>();
  private readonly catalog: StreamCatalog;
  private readonly plugins: readonly FilterPlugin[];
  authorizer: StreamAuthorizer;
  /** Extra client message types by `type`, consulted by the message handler (channels: join_group, leave_group). */
  readonly messageExtensions = new Map<string, ClientMessageExtension>();

  constructor(private readonly options: HubOptions) {
    this.authorizer = options.authorizer ?? ALLOW_ALL;
    this.catalog = options.catalog;
    this.plugins = options.filterPlugins ?? [];
  }

  /** The streams this hub serves. */
  get streams(): StreamCatalog {
    return this.catalog;
  }

  /** See {@link HubOptions.legacyFilterDefaults}. */
  get legacyFilterDefaults(): Filters | undefined {
    return this.options.legacyFilterDefaults;
  }

  /**
   * The canonical stream of a wire name.
   * @throws ProtocolError(INVALID_STREAM) for an unknown name
   */
  resolveStream(name: unknown): string {
    const stream = typeof name === 'string' ? this.catalog.resolve(name) : null;
    if (stream === null) throw new ProtocolError(ErrorCode.INVALID_STREAM, `unknown stream "${String(name).slice(0, 64)}"`, { stream: name });
    return stream;
  }

  /**
   * Validates a payload of canonical `stream` (the catalog's check and the encodability rules).
   * @throws PublishError(INVALID_PAYLOAD) with details.path of the first bad field
   */
  validatePayload(stream: string, data: unknown): void {
    validatePayload(this.catalog, stream, data);
  }

  /** See {@link HubOptions.describeSession}. */
  describeSession(session: ClientSession): Record<string, unknown> {
    return this.options.describeSession?.(session) ?? {};
  }

  private isReliable(stream: string): boolean {
    return this.catalog.describe(stream).delivery === 'reliable';
  }

  get broker(): Broker {
    return this.options.broker;
  }

  /** {@inheritDoc StreamPublisher.publish} */
  async publish(stream: string, data: Record<string, unknown>, options: PublishOptions = {}): Promise<PublishResult> {
    const canonical = this.catalog.resolve(stream);
    if (canonical === null) throw new PublishError(ErrorCode.INVALID_STREAM, `unknown stream "${String(stream)}"`);
    if (this.options.validateInProcess !== false) validatePayload(this.catalog, canonical, data);
    const micros = options.timestampMicros ?? nowMicros();
    let m: BrokerMessage;
    try {
      m = await this.options.broker.publish(canonical, stripSequence(data), micros, this.isReliable(canonical));
    } catch (err) {
      if (err instanceof PublishError) throw err;
      throw new PublishError(ErrorCode.UNAVAILABLE, `broker publish failed: ${(err as Error).message}`, undefined, { cause: err });
    }
    this.options.metrics.stream(canonical).published++;
    if (m.queued) return { stream: canonical, sequence: 0, timestamp: formatTimestamp(m.timestampMicros), queued: true };
    if (!this.isReliable(canonical)) {
      // Observed here too: with no subscriber yet there is no fan-out, and the first subscriber
      // gets this value rendered with the context it implies.
      this.options.observe?.(m);
      this.lastValue.set(canonical, m);
    }
    return { stream: canonical, sequence: m.sequence, timestamp: formatTimestamp(m.timestampMicros) };
  }

  /**
   * Publishes an untrusted payload (REST, publisher connections): always schema-validated.
   * @throws PublishError(INVALID_PAYLOAD) with details.path, or UNAVAILABLE
   */
  async publishValidated(stream: string, data: Record<string, unknown>): Promise<PublishResult> {
    validatePayload(this.catalog, this.resolveStream(stream), data);
    return this.publish(stream, data);
  }

  /** The newest message of a latest-value stream this node has (published or received), or null. */
  latest(stream: string): BrokerMessage | null {
    return this.lastValue.get(this.catalog.resolve(stream) ?? stream) ?? null;
  }

  /** {@inheritDoc StreamPublisher.subscriberCount} */
  subscriberCount(stream: string): number {
    let n = 0;
    for (const v of this.variants.get(this.catalog.resolve(stream) ?? stream)?.values() ?? []) n += v.subs.size;
    return n;
  }

  private ensureBrokerSubscription(stream: string): void {
    if (this.brokerSubscribed.has(stream)) return;
    this.brokerSubscribed.add(stream);
    void this.options.broker.subscribe(stream, (m) => this.fanOut(m), this.isReliable(stream)).catch(() => this.brokerSubscribed.delete(stream));
  }

  /**
   * Delivers a node-local notice to this node's current subscribers of `stream`: sequence 0 (like
   * a reply), not sequenced, not in history, not resumable, never sent to other nodes. For what is
   * only true of this node (its broker is unreachable) and must reach its clients at once.
   * @throws PublishError(INVALID_PAYLOAD) when `data` does not match the stream schema
   */
  notify(stream: string, data: Record<string, unknown>): void {
    validatePayload(this.catalog, stream, data);
    this.fanOut({ stream, sequence: 0, epoch: '', timestampMicros: nowMicros(), data });
  }

  /** Delivers one sequenced message (or a sequence-0 notice) to every local subscriber of its stream. */
  fanOut(m: BrokerMessage): void {
    this.options.observe?.(m);
    if (m.sequence > 0 && !this.isReliable(m.stream)) this.lastValue.set(m.stream, m);
    const variants = this.variants.get(m.stream);
    if (!variants || variants.size === 0) return;
    for (const variant of variants.values()) {
      const transformAsync = variant.filters.transformAsync;
      if (transformAsync) {
        variant.then(async () => {
          try {
            const out = variant.render(m);
            if (!out) return;
            const data = await transformAsync(out.data as Record<string, unknown>);
            this.deliver(variant, variant.message(m, data, out.timestamp));
          } catch {
            // As on the plain path: counted, and never a rejection nobody handles.
            this.options.metrics.failedSends++;
          }
        });
        continue;
      }
      try {
        const out = variant.render(m);
        if (out) this.deliver(variant, out);
      } catch {
        // A message that cannot be transformed/serialized must not stop delivery to the other variants.
        this.options.metrics.failedSends++;
      }
    }
  }

  /**
   * Fan-out of one message to one variant in two passes: every subscription decides (filters,
   * queue, backpressure) and the sessions on the fast path add their socket to a batch; then the
   * frame is written to the batch's sockets in a tight loop (see WriteBatch for why).
   */
  private deliver(variant: Variant, out: OutboundMessage): void {
    const batch: WriteBatch = { json: [], msgpack: [] };
    try {
      for (const sub of variant.subs) sub.offer(out, batch);
    } finally {
      // Sessions already counted as sent get their frame even if a later subscription threw.
      this.writeBatch(out, batch.json, 'json');
      this.writeBatch(out, batch.msgpack, 'msgpack');
    }
    this.options.metrics.observeLatency(nowMicros() - out.timestampMicros);
  }

  private writeBatch(out: OutboundMessage, sockets: RawSocket[], encoding: Encoding): void {
    if (sockets.length === 0) return;
    const frame = out.frame(encoding);
    for (let i = 0; i < sockets.length; i++) sockets[i]!.write(frame);
    this.options.metrics.sent(out.stream ?? out.type, sockets.length, sockets.length * frame.length);
  }

  /**
   * Subscribes a session to streams.
   * @param streams names as sent by the client (aliases allowed)
   * @param since last sequence the client holds per stream (reliable streams resume from it)
   * @param epochs epoch the client's offsets belong to, per stream
   * @returns the `subscribed` reply and `deliver`, to call once the reply was sent
   * @throws ProtocolError INVALID_STREAM / INVALID_FILTER / FORBIDDEN; nothing is subscribed then
   */
  async subscribe(
    session: ClientSession,
    streams: string[],
    rawFilters: unknown,
    since: Record<string, number> = {},
    epochs: Record<string, string> = {},
  ): Promise<{ reply: SubscribedData; deliver: () => void }> {
    const invalid = streams.filter((s) => this.catalog.resolve(s) === null);
    // Known streams are subscribed and unknown ones listed in `rejected` (as the original did);
    // a request of unknown streams only is an error.
    if (invalid.length === streams.length) {
      throw new ProtocolError(ErrorCode.INVALID_STREAM, `unknown stream(s): ${invalid.join(', ')}`, { streams: invalid });
    }
    const filters: Filters = validateFilters(rawFilters, this.plugins);
    const names = [...new Set(streams.filter((s) => this.catalog.resolve(s) !== null))];
    const compiled = names.map((name) => {
      const stream = this.catalog.resolve(name)!;
      if (!this.authorizer.canSubscribe(session, stream)) {
        throw new ProtocolError(ErrorCode.FORBIDDEN, `not allowed to subscribe to ${name}`, { stream: name });
      }
      return { name, stream, filters: compileFilters(filters, stream, this.plugins) };
    });

    const recovered: Record<string, boolean> = {};
    const epochOut: Record<string, string> = {};
    const offsets: Record<string, number> = {};
    const followUps: (() => void)[] = [];
    // The session can close while a broker read below is awaited: it must then not be registered
    // for the streams that follow (hub.remove already ran and would never see them).
    const gone = () => session.closed || this.sessions.get(session.id) !== session;
    for (const { name, stream, filters: f } of compiled) {
      if (gone()) break;
      const reliable = this.isReliable(stream);
      const sub = new Subscription(session, stream, name, f, reliable);
      this.detach(session, stream);
      session.subscriptions.set(stream, sub);
      const variant = this.variantFor(stream, f, name);
      variant.subs.add(sub);
      this.ensureBrokerSubscription(stream);
      const resumeFrom = since[name] ?? since[stream] ?? (reliable ? session.acked.get(stream) : undefined);
      // Hold live messages until the `subscribed` reply is out (and history, when resuming).
      sub.beginRecovery();
      if (reliable && resumeFrom !== undefined) {
        sub.lastSequence = resumeFrom;
        const range = await this.options.broker.history(stream, resumeFrom, epochs[name] ?? epochs[stream], this.options.historyLimit);
        recovered[name] = range.recovered;
        epochOut[name] = range.epoch;
        offsets[name] = range.latest;
        const history = range.recovered ? range.messages.map((m) => variant.render(m)).filter((x): x is OutboundMessage => x !== null) : [];
        if (!range.recovered) sub.lastSequence = 0;
        followUps.push(() => sub.endRecovery(history));
      } else {
        const pos = await this.options.broker.position(stream);
        epochOut[name] = pos.epoch;
        offsets[name] = pos.latest;
        const last = reliable ? undefined : this.lastValue.get(stream);
        followUps.push(() => {
          const out = last ? variant.render(last) : null;
          sub.endRecovery(out ? [out] : []);
        });
      }
    }
    if (gone()) {
      for (const { stream } of compiled) this.detach(session, stream);
      return { reply: { streams: [], all_subscriptions: [] }, deliver: () => undefined };
    }
    const reply: SubscribedData = {
      streams: compiled.map((c) => c.name),
      all_subscriptions: this.subscriptionNames(session),
      epochs: epochOut,
      offsets,
    };
    if (Object.keys(recovered).length > 0) reply.recovered = recovered;
    if (invalid.length > 0) reply.rejected = [...new Set(invalid)].map((stream) => ({ stream, code: ErrorCode.INVALID_STREAM, message: `unknown stream "${stream}"` }));
    // The caller sends the reply first, then calls deliver() (recovered history, latest values).
    return { reply, deliver: () => followUps.forEach((fn) => fn()) };
  }

  /**
   * Unsubscribes; delivery stops at once (pending throttled/aggregated messages are discarded).
   * @throws ProtocolError(INVALID_STREAM) for unknown names
   */
  unsubscribe(session: ClientSession, streams: string[]): { streams: string[]; all_subscriptions: string[] } {
    const invalid = streams.filter((s) => this.catalog.resolve(s) === null);
    if (invalid.length > 0) throw new ProtocolError(ErrorCode.INVALID_STREAM, `unknown stream(s): ${invalid.join(', ')}`, { streams: invalid });
    for (const name of streams) {
      const stream = this.catalog.resolve(name)!;
      this.detach(session, stream);
      session.discard(stream); // queued but unwritten messages too: delivery stops at once
    }
    return { streams, all_subscriptions: this.subscriptionNames(session) };
  }

  /** Names the session is subscribed with. */
  subscriptionNames(session: ClientSession): string[] {
    return [...session.subscriptions.values()].map((s) => s.alias);
  }

  private variantFor(stream: string, f: CompiledFilters, alias: string): Variant {
    let byKey = this.variants.get(stream);
    if (!byKey) {
      byKey = new Map();
      this.variants.set(stream, byKey);
    }
    const key = variantKeyOf(alias, stream, f);
    let v = byKey.get(key);
    if (!v) {
      v = new Variant(f, alias, this.catalog.describe(stream));
      byKey.set(key, v);
    }
    return v;
  }

  private detach(session: ClientSession, stream: string): void {
    const sub = session.subscriptions.get(stream);
    if (!sub) return;
    sub.dispose();
    session.subscriptions.delete(stream);
    const byKey = this.variants.get(stream);
    const key = variantKeyOf(sub.alias, stream, sub.filters);
    const v = byKey?.get(key);
    if (v) {
      v.subs.delete(sub);
      if (v.subs.size === 0) byKey!.delete(key);
    }
    this.releaseBrokerSubscription(stream);
  }

  /**
   * Unsubscribes this node from the broker once no local subscriber of `stream` is left (checked in a
   * microtask, so a re-subscribe in the same turn does not churn). In cluster mode a node then stops
   * receiving the stream, so its last value of a latest-value stream is dropped rather than served stale.
   */
  private releaseBrokerSubscription(stream: string): void {
    if (!this.brokerSubscribed.has(stream) || this.subscriberCount(stream) > 0) return;
    queueMicrotask(() => {
      if (!this.brokerSubscribed.has(stream) || this.subscriberCount(stream) > 0) return;
      this.brokerSubscribed.delete(stream);
      if (this.options.broker.kind !== 'memory') this.lastValue.delete(stream);
      void this.options.broker.unsubscribe(stream).catch(() => undefined);
    });
  }

  /** Registers a session. */
  add(session: ClientSession): void {
    this.sessions.set(session.id, session);
  }

  /** Removes a session and all its subscriptions. */
  remove(session: ClientSession): void {
    for (const stream of [...session.subscriptions.keys()]) this.detach(session, stream);
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
  }

  /** Sends a reply (sequence 0) to one session; `requestId`: the `id` of the message it answers, echoed. */
  reply(session: ClientSession, type: string, data: unknown, requestId?: RequestId): void {
    const micros = nowMicros();
    const m = new OutboundMessage(type, null, 0, formatTimestamp(micros), micros, data);
    m.requestId = requestId;
    session.send(m);
  }

  /** Sends an `error` reply and counts it; `requestId`: the failed message's `id`, echoed. */
  replyError(session: ClientSession, code: string, message: string, details?: unknown, requestId?: RequestId): void {
    const m = this.options.metrics.protocolErrors;
    m.set(code, (m.get(code) ?? 0) + 1);
    this.reply(session, 'error', details === undefined ? { code, message } : { code, message, details }, requestId);
  }
}

function stripSequence(data: Record<string, unknown>): Record<string, unknown> {
  if (!('sequence' in data)) return data;
  const { sequence: _s, ...rest } = data;
  return rest;
}
