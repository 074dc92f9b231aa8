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
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import {
  DELIVERY_CLASS, ErrorCode, STREAM_PAYLOADS, canonicalStream, formatTimestamp, isStreamName, nowMicros,
  type CanonicalStream, type Filters, type SubscribedData,
} from '@tablecast/protocol';
import type { Broker, BrokerMessage } from './broker.js';
import type { ClientSession, RawSocket, WriteBatch } from './client-session.js';
import { compileFilters, validateFilters, type CompiledFilters, type TransformContext } from './filters.js';
import { tableToImagePixels, tableToPixels4k } from './coordinates.js';
import { ProtocolError, PublishError } from './errors.js';
import type { GatewayMetrics } from './metrics.js';
import { OutboundMessage, type Encoding } from './outbound.js';
import type { PublishOptions, PublishResult, StreamPublisher } from './publisher.js';
import { Subscription } from './subscription.js';

/** Checks whether a session may subscribe to / publish on a stream (auth plugs in here). */
export interface StreamAuthorizer {
  canSubscribe(session: ClientSession, stream: CanonicalStream): boolean;
  canPublish(session: ClientSession | null, stream: CanonicalStream): boolean;
}

const ALLOW_ALL: StreamAuthorizer = { canSubscribe: () => true, canPublish: () => true };

/**
 * Handles a client message type beyond PROTOCOL section 3 (tablecast extensions such as
 * `join_group`); throw a ProtocolError to answer with an `error`.
 */
export type ClientMessageExtension = (session: ClientSession, data: unknown) => void | Promise<void>;

/** Re-encodes a `frame` payload at a quality level (low/medium/high). */
export type FrameTranscoder = (data: Record<string, unknown>, quality: 'low' | 'medium' | 'high') => Promise<Record<string, unknown>>;

/** One filter variant of a stream: the sessions that share its serialized bytes. */
/**
 * Key of a variant: the content-filter key, plus the wire name when the client subscribed with an
 * alias (`metrics` subscribers get messages typed `metrics`, as the original clients expect).
 */
function variantKeyOf(alias: string, stream: CanonicalStream, f: CompiledFilters): string {
  return alias === stream ? f.variantKey : `${alias}|${f.variantKey}`;
}

class Variant {
  readonly subs = new Set<Subscription>();
  private chain: Promise<void> = Promise.resolve();
  /** @param type envelope type: the stream, or the alias the clients subscribed with */
  constructor(
    readonly filters: CompiledFilters,
    readonly type: string,
  ) {}

  /** Applies the content filters; null when the message is filtered out. */
  render(m: BrokerMessage, ctx: TransformContext): OutboundMessage | null {
    const data = this.filters.transform ? this.filters.transform(m.data, ctx) : m.data;
    if (data === null) return null;
    return new OutboundMessage(this.type, m.stream, m.sequence, formatTimestamp(m.timestampMicros), m.timestampMicros, data);
  }

  /** Serializes async work (frame transcoding) per variant so order is kept. */
  then(task: () => Promise<void>): void {
    this.chain = this.chain.then(task, task);
  }
}

const validators = new Map<CanonicalStream, TypeCheck<TSchema>>();
function validatorOf(stream: CanonicalStream): TypeCheck<TSchema> {
  let v = validators.get(stream);
  if (!v) {
    v = TypeCompiler.Compile(STREAM_PAYLOADS[stream]);
    validators.set(stream, v);
  }
  return v;
}

/**
 * Validates a payload against its stream schema.
 * @throws PublishError(INVALID_PAYLOAD) with details.path of the first bad field
 */
export function validatePayload(stream: CanonicalStream, data: unknown): void {
  const check = validatorOf(stream);
  if (!check.Check(data)) {
    const e = check.Errors(data).First();
    const path = `data${e?.path.replaceAll('/', '.') ?? ''}`;
    throw new PublishError(ErrorCode.INVALID_PAYLOAD, `${stream}: ${path}: ${e?.message ?? 'invalid'}`, { path, stream });
  }
  const issue = payloadIssue(data, MAX_PAYLOAD_DEPTH);
  if (issue) {
    const path = ['data', ...issue.keys].join('.');
    throw new PublishError(ErrorCode.INVALID_PAYLOAD, `${stream}: ${path}: ${issue.problem}`, { path, stream });
  }
}

/** Payloads nest at most this deep (objects/arrays): deeper ones could not be serialized safely. */
const MAX_PAYLOAD_DEPTH = 32;

/** What makes a payload unpublishable, and where (keys from `data` down, outermost first). */
export interface PayloadIssue {
  keys: string[];
  problem: string;
}

/**
 * Why `v` cannot be published as it is, or null. A payload must encode to the same value in every
 * wire encoding (JSON and msgpack) and survive the broker and history, so it may hold only null,
 * booleans, strings, finite numbers, arrays and plain objects (an object property may be undefined:
 * both encodings omit or keep it as absent), nested at most `limit` levels. Refused: BigInt (a
 * msgpack int64 decodes to one; JSON cannot encode it), NaN and Infinity (JSON turns them into
 * null), undefined in an array, functions, symbols, and objects that are not plain (Date, Map,
 * binary): each would reach JSON and msgpack clients as different values or not at all.
 *
 * Allocates nothing unless it finds an issue: it runs on every in-process publish (30 Hz states of
 * ~100 objects; `Object.entries` here was a third of the server's allocations).
 */
export function payloadIssue(v: unknown, limit: number): PayloadIssue | null {
  const problem = valueProblem(v);
  if (problem) return { keys: [], problem };
  if (v === null || typeof v !== 'object') return null;
  if (limit <= 0) return { keys: [], problem: `nested deeper than ${MAX_PAYLOAD_DEPTH} levels` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const child: unknown = v[i];
      // The common leaves are settled here, without a call (this runs on every 30 Hz state).
      if (typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && Number.isFinite(child))) continue;
      const inner = child === undefined ? { keys: [], problem: 'undefined in an array (JSON sends null)' } : payloadIssue(child, limit - 1);
      if (inner) {
        inner.keys.unshift(String(i));
        return inner;
      }
    }
    return null;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    const child = o[k];
    if (child === undefined || typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && Number.isFinite(child))) continue;
    const inner = payloadIssue(child, limit - 1);
    if (inner) {
      inner.keys.unshift(k);
      return inner;
    }
  }
  return null;
}

/** Why a single value (not its children) cannot be encoded alike in JSON and msgpack, or null. */
function valueProblem(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(v) ? null : `${String(v)} is not a finite number (JSON sends null)`;
    case 'bigint':
      return 'a 64-bit integer (msgpack int64, decoded as a BigInt) cannot be encoded in JSON; send it as a 32-bit or float number, or a string';
    case 'undefined':
      return 'undefined is not a value';
    case 'function':
    case 'symbol':
      return `a ${typeof v} is not a value`;
    default: {
      if (v === null || Array.isArray(v)) return null;
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto === Object.prototype || proto === null) return null;
      const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return `a ${name} is not a plain object (JSON and msgpack would send different values)`;
    }
  }
}

/** Hub options. */
export interface HubOptions {
  broker: Broker;
  metrics: GatewayMetrics;
  /** Max history messages sent on resume. */
  historyLimit: number;
  authorizer?: StreamAuthorizer;
  frameTranscoder?: FrameTranscoder;
  /** Whether in-process publishes are schema-validated (REST and publisher connections always are). */
  validateInProcess?: boolean;
  /**
   * Called with every message before it is rendered for this node's subscribers, so the
   * application can keep the transform context in step with the messages themselves (the table
   * calibration a `state` carries, for `coordinates: pixels_4k`): see {@link Hub.setCalibration}.
   */
  observe?: (m: BrokerMessage) => void;
}

/** The subscription registry and fan-out engine. Implements {@link StreamPublisher}. */
export class Hub implements StreamPublisher {
  readonly sessions = new Map<string, ClientSession>();
  private readonly variants = new Map<CanonicalStream, Map<string, Variant>>();
  private readonly brokerSubscribed = new Set<CanonicalStream>();
  private readonly lastValue = new Map<CanonicalStream, BrokerMessage>();
  private ctx: TransformContext = { toPixels4k: tableToPixels4k({ width: 2.54, height: 1.27 }), toImage: tableToImagePixels({ width: 2.54, height: 1.27 }) };
  authorizer: StreamAuthorizer;
  /** Extra client message types by `type`, consulted by the message handler (channels: join_group, leave_group). */
  readonly messageExtensions = new Map<string, ClientMessageExtension>();

  constructor(private readonly options: HubOptions) {
    this.authorizer = options.authorizer ?? ALLOW_ALL;
  }

  get broker(): Broker {
    return this.options.broker;
  }

  /**
   * Sets the table geometry and camera calibration used by `coordinates: pixels_4k`.
   * @param homography 3x3 row-major table metres -> image pixels, or null for a linear mapping
   */
  setCalibration(table: { width: number; height: number }, homography?: number[] | null, imageSize?: { width: number; height: number } | null): void {
    this.ctx = { toPixels4k: tableToPixels4k(table, homography, imageSize), toImage: tableToImagePixels(table, homography, imageSize) };
  }

  /** {@inheritDoc StreamPublisher.publish} */
  async publish(stream: CanonicalStream, data: Record<string, unknown>, options: PublishOptions = {}): Promise<PublishResult> {
    if (!isStreamName(stream)) throw new PublishError(ErrorCode.INVALID_STREAM, `unknown stream "${String(stream)}"`);
    const canonical = canonicalStream(stream);
    if (this.options.validateInProcess !== false) validatePayload(canonical, data);
    const micros = options.timestampMicros ?? nowMicros();
    let m: BrokerMessage;
    try {
      m = await this.options.broker.publish(canonical, stripSequence(data), micros, DELIVERY_CLASS[canonical] === 'reliable');
    } catch (err) {
      if (err instanceof PublishError) throw err;
      throw new PublishError(ErrorCode.UNAVAILABLE, `broker publish failed: ${(err as Error).message}`, undefined, { cause: err });
    }
    this.options.metrics.stream(canonical).published++;
    if (m.queued) return { stream: canonical, sequence: 0, timestamp: formatTimestamp(m.timestampMicros), queued: true };
    if (DELIVERY_CLASS[canonical] === 'latest') {
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
  async publishValidated(stream: CanonicalStream, data: Record<string, unknown>): Promise<PublishResult> {
    validatePayload(stream, data);
    return this.publish(stream, data);
  }

  /** The newest message of a latest-value stream this node has (published or received), or null. */
  latest(stream: CanonicalStream): BrokerMessage | null {
    return this.lastValue.get(canonicalStream(stream)) ?? null;
  }

  /** {@inheritDoc StreamPublisher.subscriberCount} */
  subscriberCount(stream: CanonicalStream): number {
    let n = 0;
    for (const v of this.variants.get(canonicalStream(stream))?.values() ?? []) n += v.subs.size;
    return n;
  }

  private ensureBrokerSubscription(stream: CanonicalStream): void {
    if (this.brokerSubscribed.has(stream)) return;
    this.brokerSubscribed.add(stream);
    void this.options.broker.subscribe(stream, (m) => this.fanOut(m)).catch(() => this.brokerSubscribed.delete(stream));
  }

  /**
   * Delivers a node-local notice to this node's current subscribers of `stream`: sequence 0 (like
   * a reply), not sequenced, not in history, not resumable, never sent to other nodes. For what is
   * only true of this node (its broker is unreachable) and must reach its clients at once.
   * @throws PublishError(INVALID_PAYLOAD) when `data` does not match the stream schema
   */
  notify(stream: CanonicalStream, data: Record<string, unknown>): void {
    validatePayload(stream, data);
    this.fanOut({ stream, sequence: 0, epoch: '', timestampMicros: nowMicros(), data });
  }

  /** Delivers one sequenced message (or a sequence-0 notice) to every local subscriber of its stream. */
  fanOut(m: BrokerMessage): void {
    this.options.observe?.(m);
    if (m.sequence > 0 && DELIVERY_CLASS[m.stream] === 'latest') this.lastValue.set(m.stream, m);
    const variants = this.variants.get(m.stream);
    if (!variants || variants.size === 0) return;
    for (const variant of variants.values()) {
      if (variant.filters.quality && this.options.frameTranscoder) {
        const transcode = this.options.frameTranscoder;
        const quality = variant.filters.quality;
        variant.then(async () => {
          try {
            const out = variant.render(m, this.ctx);
            if (!out) return;
            const data = await transcode(out.data as Record<string, unknown>, quality).catch(() => out.data as Record<string, unknown>);
            this.deliver(variant, new OutboundMessage(out.type, m.stream, m.sequence, out.timestamp, m.timestampMicros, data));
          } catch {
            // As on the plain path: counted, and never a rejection nobody handles.
            this.options.metrics.failedSends++;
          }
        });
        continue;
      }
      try {
        const out = variant.render(m, this.ctx);
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
    const invalid = streams.filter((s) => !isStreamName(s));
    // Known streams are subscribed and unknown ones listed in `rejected` (as the original did);
    // a request of unknown streams only is an error.
    if (invalid.length === streams.length) {
      throw new ProtocolError(ErrorCode.INVALID_STREAM, `unknown stream(s): ${invalid.join(', ')}`, { streams: invalid });
    }
    const filters: Filters = validateFilters(rawFilters);
    const names = [...new Set(streams.filter((s) => isStreamName(s)))];
    const compiled = names.map((name) => {
      const stream = canonicalStream(name as Parameters<typeof canonicalStream>[0]);
      if (!this.authorizer.canSubscribe(session, stream)) {
        throw new ProtocolError(ErrorCode.FORBIDDEN, `not allowed to subscribe to ${name}`, { stream: name });
      }
      return { name, stream, filters: compileFilters(filters, stream) };
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
      const reliable = DELIVERY_CLASS[stream] === 'reliable';
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
        const history = range.recovered ? range.messages.map((m) => variant.render(m, this.ctx)).filter((x): x is OutboundMessage => x !== null) : [];
        if (!range.recovered) sub.lastSequence = 0;
        followUps.push(() => sub.endRecovery(history));
      } else {
        const pos = await this.options.broker.position(stream);
        epochOut[name] = pos.epoch;
        offsets[name] = pos.latest;
        const last = reliable ? undefined : this.lastValue.get(stream);
        followUps.push(() => {
          const out = last ? variant.render(last, this.ctx) : null;
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
    const invalid = streams.filter((s) => !isStreamName(s));
    if (invalid.length > 0) throw new ProtocolError(ErrorCode.INVALID_STREAM, `unknown stream(s): ${invalid.join(', ')}`, { streams: invalid });
    for (const name of streams) {
      const stream = canonicalStream(name as Parameters<typeof canonicalStream>[0]);
      this.detach(session, stream);
      session.discard(stream); // queued but unwritten messages too: delivery stops at once
    }
    return { streams, all_subscriptions: this.subscriptionNames(session) };
  }

  /** Names the session is subscribed with. */
  subscriptionNames(session: ClientSession): string[] {
    return [...session.subscriptions.values()].map((s) => s.alias);
  }

  private variantFor(stream: CanonicalStream, f: CompiledFilters, alias: string): Variant {
    let byKey = this.variants.get(stream);
    if (!byKey) {
      byKey = new Map();
      this.variants.set(stream, byKey);
    }
    const key = variantKeyOf(alias, stream, f);
    let v = byKey.get(key);
    if (!v) {
      v = new Variant(f, alias);
      byKey.set(key, v);
    }
    return v;
  }

  private detach(session: ClientSession, stream: CanonicalStream): void {
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
  private releaseBrokerSubscription(stream: CanonicalStream): void {
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

  /** Sends a reply (sequence 0) to one session. */
  reply(session: ClientSession, type: string, data: unknown): void {
    const micros = nowMicros();
    session.send(new OutboundMessage(type, null, 0, formatTimestamp(micros), micros, data));
  }

  /** Sends an `error` reply and counts it. */
  replyError(session: ClientSession, code: string, message: string, details?: unknown): void {
    const m = this.options.metrics.protocolErrors;
    m.set(code, (m.get(code) ?? 0) + 1);
    this.reply(session, 'error', details === undefined ? { code, message } : { code, message, details });
  }
}

function stripSequence(data: Record<string, unknown>): Record<string, unknown> {
  if (!('sequence' in data)) return data;
  const { sequence: _s, ...rest } = data;
  return rest;
}
