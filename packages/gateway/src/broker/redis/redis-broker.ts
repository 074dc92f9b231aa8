/**
 * RedisBroker: the cluster-mode Broker. Several gateway processes share one Redis:
 *
 * - publish: one Lua script (lua.ts PUBLISH) assigns the per-stream sequence (INCR), stores reliable
 *   streams in a Redis Stream (XADD, MAXLEN ~ history.max_messages, MINID ~ history.max_age_s) and
 *   latest-value streams' newest message (SET), and PUBLISHes the message on the stream's channel, all
 *   atomically: every node sees the same sequence order. Publishes go through a circuit breaker.
 * - subscribe: a node SUBSCRIBEs only to the channels of streams it has local subscribers for, on a
 *   dedicated connection; a {@link StreamCursor} per stream delivers to the hub in sequence order and
 *   fills gaps from the history.
 * - history: epoch per stream (a key created with SET semantics inside the scripts when missing); a
 *   Redis restart that lost the data loses the epoch, so clients get `recovered: false`, never wrong data.
 * - outage: when Redis is unreachable (or the breaker is open)
 *   - a reliable publication (alert, config, event, detection) goes into the node's outbox, in
 *     order (bounded by `cluster.outbox_max_messages`, counted; a publish beyond it is refused
 *     UNAVAILABLE). It is not delivered anywhere yet: when Redis is back the outbox is written
 *     through the normal PUBLISH script, so every node's clients and the shared history get it with
 *     a real sequence in the unchanged epoch, and resumes recover (`recovered: true`).
 *   - a latest-value publication (state, trajectory, frame, performance) is sequenced locally (last
 *     known sequence + 1) under a fresh local epoch and delivered to the local hub only.
 *   When Redis is back (ioredis reconnects by itself) the broker reconciles (lua.ts RECONCILE): a
 *   stream whose epoch Redis lost (restart without persistence) gets back the epoch and sequence
 *   the node knew; a stream it sequenced locally gets a new epoch and a sequence at least as high.
 *   Then it resubscribes, catches up missed messages, writes the outbox (after a settle delay of
 *   twice the reconnect cap when Redis lost its data, so every node restores its position first)
 *   and closes the breaker.
 */
import { Redis } from 'ioredis';
import { ErrorCode } from '@tablecast/protocol';
import { redactCredentials } from '@tablecast/common';
import type { Broker, BrokerHandler, BrokerHealth, BrokerMessage, HistoryRange } from '../broker.js';
import { randomEpoch } from '../epoch.js';
import { PublishError } from '../../errors/errors.js';
import { StreamHistory, type HistoryLimits } from '../history.js';
import { CircuitBreaker, CircuitOpenError, type BreakerState } from '@tablecast/common';
import { PUBLISH, READ, RECONCILE } from './lua.js';
import { RedisKeys } from './redis-keys.js';
import { StreamCursor, type CursorStats } from './stream-cursor.js';
import { decodeWire, parsePublishReply } from './wire.js';

/** Options of a RedisBroker. */
export interface RedisBrokerOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://...`. */
  url: string;
  /** Key and channel prefix (`broker.key_prefix`). */
  prefix: string;
  nodeId: string;
  limits: HistoryLimits;
  /** A command without reply after this long fails, milliseconds. */
  commandTimeoutMs: number;
  /** Reconnect attempt n waits min(50 n, this) milliseconds. */
  reconnectMaxDelayMs: number;
  breaker: { failureThreshold: number; timeoutS: number };
  /** Reliable publications held while Redis is unreachable (0: none, publishes are refused; default 20 000). */
  outboxMaxMessages?: number;
  /** Clock for history age, microseconds since the Unix epoch (tests inject one). */
  now?: () => number;
}

/** One reliable publication waiting in the outbox. */
interface OutboxEntry {
  stream: string;
  data: Record<string, unknown>;
  timestampMicros: number;
}

/** Something the broker reports to the cluster layer. */
export type RedisBrokerEvent =
  | { type: 'breaker'; to: BreakerState; from: BreakerState }
  | { type: 'connection'; up: boolean }
  | { type: 'recovered'; outageMs: number; reconciled: string[] };

/** Log sink (pino-compatible subset). */
export interface BrokerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Default of {@link RedisBrokerOptions.outboxMaxMessages} (as `cluster.outbox_max_messages`). */
const DEFAULT_OUTBOX_MAX = 20_000;

const SILENT: BrokerLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Counters of a RedisBroker (read by /metrics and health). */
export interface RedisBrokerStats extends CursorStats {
  published: number;
  fallbackPublished: number;
  /** Reliable publications put into the outbox / written from it to Redis / refused (outbox full). */
  outboxQueued: number;
  outboxFlushed: number;
  outboxRejected: number;
  redisErrors: number;
  recoveries: number;
}

/** Redacts the password of a Redis URL (and credential query parameters). */
export const redactUrl = redactCredentials;

/** See the module comment. */
export class RedisBroker implements Broker {
  readonly kind = 'redis' as const;
  /** Command connection (scripts, reads, leader lock, registry). */
  readonly cmd: Redis;
  /** Subscriber connection (the stream channels). */
  readonly sub: Redis;
  readonly keys: RedisKeys;
  /** Guards publishes to Redis; open = publishes are sequenced and delivered locally. */
  readonly breaker: CircuitBreaker;
  readonly stats: RedisBrokerStats = {
    published: 0, fallbackPublished: 0, outboxQueued: 0, outboxFlushed: 0, outboxRejected: 0, redisErrors: 0, recoveries: 0,
    delivered: 0, duplicates: 0, gapFills: 0, gapsUnrecovered: 0, epochChanges: 0,
  };
  log: BrokerLog = SILENT;
  private readonly handlers = new Map<string, BrokerHandler>();
  private readonly cursors = new Map<string, StreamCursor>();
  private readonly channels = new Map<string, string>();
  private readonly pending = new Map<string, Promise<void>>();
  /** Highest position this node saw per stream (publishes, deliveries, reads): the floor after a store loss. */
  private readonly known = new Map<string, { seq: number; epoch: string }>();
  /** Streams sequenced locally during an outage (need a new epoch in Redis). */
  private readonly dirty = new Set<string>();
  private readonly fallbackHistory = new Map<string, StreamHistory>();
  /** Reliable publications made while Redis was unreachable, oldest first. */
  private readonly outbox: OutboxEntry[] = [];
  private fallbackEpoch: string | null = null;
  private candidate = randomEpoch();
  private recovering: Promise<void> | null = null;
  private recoverAgain = false;
  private downSinceMs: number | null = null;
  private readonly listeners = new Set<(e: RedisBrokerEvent) => void>();
  private lastErrorLogMs = 0;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: RedisBrokerOptions) {
    this.now = options.now ?? (() => Date.now() * 1000);
    this.keys = new RedisKeys(options.prefix);
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breaker.failureThreshold,
      timeoutS: options.breaker.timeoutS,
      onStateChange: (to, from) => this.emit({ type: 'breaker', to, from }),
    });
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(1000, options.commandTimeoutMs),
      retryStrategy: (times: number) => Math.min(times * 50, options.reconnectMaxDelayMs),
      connectionName: `tablecast:${options.nodeId}`,
    };
    this.cmd = new Redis(options.url, { ...common });
    this.sub = new Redis(options.url, { ...common, autoResubscribe: false, commandTimeout: undefined, connectionName: `tablecast:${options.nodeId}:sub` });
    for (const conn of [this.cmd, this.sub]) {
      conn.on('error', (err: Error) => this.logRedisError(err));
      conn.on('ready', () => this.scheduleRecover());
    }
    // Only the command connection gates publishing; a subscriber reconnect is healed by catch-up.
    this.cmd.on('close', () => this.connectionLost());
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
  }

  /** Connects both connections; resolves when Redis answered (or rejects after the connect timeout). */
  async connect(): Promise<void> {
    await Promise.all([this.cmd.connect(), this.sub.connect()]);
    await this.recovering;
  }

  /** Registers a listener for breaker/connection/recovery events. Returns the unregister function. */
  onEvent(listener: (e: RedisBrokerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: RedisBrokerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err }, 'redis broker event listener failed');
      }
    }
  }

  /** Whether both connections are up. */
  get connected(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  /** Whether publishes are currently sequenced locally (Redis unreachable or breaker open). */
  get degraded(): boolean {
    return this.fallbackEpoch !== null || this.outbox.length > 0 || this.breaker.state !== 'closed' || !this.connected;
  }

  // ---------------------------------------------------------------- publish

  async publish(stream: string, data: Record<string, unknown>, timestampMicros: number, reliable: boolean): Promise<BrokerMessage> {
    if (this.closed) throw new PublishError(ErrorCode.UNAVAILABLE, 'broker closed');
    if (this.recovering) await this.recovering.catch(() => undefined);
    // Reliable publications keep their order: none overtakes what waits in the outbox.
    if (reliable && this.outbox.length > 0) {
      if (this.cmd.status === 'ready' && this.breaker.state !== 'open') this.scheduleRecover();
      return this.enqueue(stream, data, timestampMicros);
    }
    if (this.cmd.status === 'ready') {
      try {
        return await this.breaker.execute(() => this.publishRedis(stream, data, timestampMicros, reliable));
      } catch (err) {
        if (!(err instanceof CircuitOpenError)) this.logRedisError(err as Error);
      }
    } else if (this.breaker.state === 'closed') {
      this.breaker.transition('open');
    }
    if (reliable) return this.enqueue(stream, data, timestampMicros);
    return this.publishLocal(stream, data, timestampMicros, false);
  }

  /**
   * Outage path of a reliable publication: hold it in the outbox (written to Redis on recovery).
   * @throws PublishError(UNAVAILABLE) when the outbox is full
   */
  private enqueue(stream: string, data: Record<string, unknown>, ts: number): BrokerMessage {
    const max = this.options.outboxMaxMessages ?? DEFAULT_OUTBOX_MAX;
    if (this.outbox.length >= max) {
      this.stats.outboxRejected++;
      throw new PublishError(ErrorCode.UNAVAILABLE, `redis unavailable and the outbox is full (${max} messages); retry later`);
    }
    if (this.outbox.length === 0) this.log.warn({ stream }, 'redis unavailable: holding reliable publications in the outbox until it returns');
    this.outbox.push({ stream, data, timestampMicros: ts });
    this.stats.outboxQueued++;
    return { stream, sequence: 0, epoch: '', timestampMicros: ts, data, queued: true };
  }

  /** Reliable publications waiting in the outbox. */
  get outboxLength(): number {
    return this.outbox.length;
  }

  /**
   * Writes the outbox to Redis in order (each through PUBLISH: sequenced, stored, delivered to every
   * node). Stops at the first failure, keeping what is left for the next recovery.
   */
  private async flushOutbox(): Promise<number> {
    let n = 0;
    while (this.outbox.length > 0) {
      const e = this.outbox[0]!;
      await this.publishRedis(e.stream, e.data, e.timestampMicros, true);
      this.outbox.shift();
      this.stats.outboxFlushed++;
      n++;
    }
    return n;
  }

  private async publishRedis(stream: string, data: Record<string, unknown>, ts: number, reliable: boolean): Promise<BrokerMessage> {
    if (this.dirty.size > 0) await this.reconcile();
    const k = this.keys.stream(stream);
    const { limits } = this.options;
    const reply = await PUBLISH.run(this.cmd, [k.seq, k.epoch, k.hist, k.last], [
      this.candidate, this.known.get(stream)?.seq ?? 0, ts, JSON.stringify(data), reliable ? '1' : '0',
      limits.maxMessages, Math.round(limits.maxAgeS * 1000), k.channel,
    ]);
    const { sequence, epoch } = parsePublishReply(reply);
    this.observe(stream, sequence, epoch);
    this.stats.published++;
    return { stream, sequence, epoch, timestampMicros: ts, data };
  }

  /** Outage path of a latest-value publication: sequence after the last known position under the local epoch, deliver locally. */
  private publishLocal(stream: string, data: Record<string, unknown>, ts: number, reliable: boolean): BrokerMessage {
    if (this.fallbackEpoch === null) {
      this.fallbackEpoch = randomEpoch();
      this.log.warn({ epoch: this.fallbackEpoch }, 'redis unavailable: publishing locally under a local epoch');
    }
    const cursor = this.cursors.get(stream);
    const base = Math.max(this.known.get(stream)?.seq ?? 0, cursor?.last?.seq ?? 0);
    const m: BrokerMessage = { stream, sequence: base + 1, epoch: this.fallbackEpoch, timestampMicros: ts, data };
    this.known.set(stream, { seq: m.sequence, epoch: m.epoch });
    this.dirty.add(stream);
    if (reliable) this.fallbackHistoryOf(stream).append(m);
    this.stats.fallbackPublished++;
    cursor?.push(m);
    return m;
  }

  private fallbackHistoryOf(stream: string): StreamHistory {
    let h = this.fallbackHistory.get(stream);
    if (!h || h.epoch !== this.fallbackEpoch) {
      h = new StreamHistory(this.options.limits, this.fallbackEpoch!);
      this.fallbackHistory.set(stream, h);
    }
    return h;
  }

  private observe(stream: string, seq: number, epoch: string): void {
    if (epoch === this.candidate) this.candidate = randomEpoch();
    const k = this.known.get(stream);
    if (!k || k.epoch !== epoch || seq > k.seq) this.known.set(stream, { seq, epoch });
  }

  // ---------------------------------------------------------------- subscribe

  async subscribe(stream: string, handler: BrokerHandler, reliable: boolean): Promise<void> {
    this.handlers.set(stream, handler);
    const k = this.keys.stream(stream);
    this.channels.set(k.channel, stream);
    if (!this.cursors.has(stream)) {
      const cursor = new StreamCursor(
        reliable,
        (m) => this.handlers.get(stream)?.(m),
        (since, epoch) => this.readGap(stream, since, epoch),
        this.stats,
        (err) => this.log.error({ err, stream }, 'redis broker delivery failed'),
      );
      this.cursors.set(stream, cursor);
    }
    if (this.sub.status !== 'ready') return; // subscribed by recover() once connected
    // Latest-value streams: once subscribed, hand the hub the newest stored message (a node that just
    // started receiving the stream has no current value yet).
    const p = this.sub.subscribe(k.channel).then(
      async () => {
        const cursor = this.cursors.get(stream);
        if (cursor && !cursor.reliable && this.cmd.status === 'ready') await this.catchUpLatest(stream, cursor);
      },
      (err: Error) => this.logRedisError(err),
    ).catch((err: Error) => this.logRedisError(err));
    this.pending.set(stream, p);
    await p;
    if (this.pending.get(stream) === p) this.pending.delete(stream);
  }

  async unsubscribe(stream: string): Promise<void> {
    this.handlers.delete(stream);
    this.cursors.delete(stream);
    this.pending.delete(stream);
    if (this.sub.status === 'ready') await this.sub.unsubscribe(this.keys.stream(stream).channel).catch((err: Error) => this.logRedisError(err));
  }

  /** Streams this node is subscribed to. */
  subscribedStreams(): string[] {
    return [...this.handlers.keys()];
  }

  private onMessage(channel: string, raw: string): void {
    const stream = this.channels.get(channel);
    if (stream === undefined) return;
    const cursor = this.cursors.get(stream);
    if (!cursor) return;
    let m: BrokerMessage;
    try {
      m = decodeWire(stream, raw);
    } catch (err) {
      this.log.error({ err, channel }, 'undecodable broker message dropped');
      return;
    }
    this.observe(stream, m.sequence, m.epoch);
    cursor.push(m);
  }

  private async readGap(stream: string, since: number, epoch: string): Promise<BrokerMessage[] | null> {
    const r = await this.readRedis(stream, since, epoch, this.options.limits.maxMessages);
    return r.recovered ? r.messages : null;
  }

  // ---------------------------------------------------------------- history

  async history(stream: string, since: number, epoch: string | undefined, limit: number): Promise<HistoryRange> {
    await this.pending.get(stream);
    if (this.redisUsable()) {
      try {
        return await this.readRedis(stream, since, epoch, limit);
      } catch (err) {
        this.logRedisError(err as Error);
      }
    }
    return this.localHistory(stream, since, epoch, limit);
  }

  async position(stream: string): Promise<{ epoch: string; latest: number }> {
    await this.pending.get(stream);
    if (this.redisUsable()) {
      try {
        const r = await this.readRedis(stream, -1, undefined, 0);
        return { epoch: r.epoch, latest: r.latest };
      } catch (err) {
        this.logRedisError(err as Error);
      }
    }
    return this.localPosition(stream);
  }

  private redisUsable(): boolean {
    return this.cmd.status === 'ready' && this.fallbackEpoch === null && this.breaker.state !== 'open';
  }

  /** One READ script call; `since` -1 reads only the position. */
  private async readRedis(stream: string, since: number, epoch: string | undefined, limit: number): Promise<HistoryRange> {
    const k = this.keys.stream(stream);
    const max = Math.min(limit, this.options.limits.maxMessages);
    const reply = (await READ.run(this.cmd, [k.seq, k.epoch, k.hist], [this.candidate, this.known.get(stream)?.seq ?? 0, since, max])) as [number, string, ...string[]];
    const latest = Number(reply[0]);
    const current = String(reply[1]);
    this.observe(stream, latest, current);
    const fail = (): HistoryRange => ({ messages: [], recovered: false, epoch: current, latest });
    if (since < 0) return { messages: [], recovered: true, epoch: current, latest };
    if (epoch !== undefined && epoch !== current) return fail();
    if (since > latest) return fail();
    if (since === latest) return { messages: [], recovered: true, epoch: current, latest };
    const messages: BrokerMessage[] = [];
    for (let i = reply.length - 1; i >= 2; i--) messages.push(decodeWire(stream, String(reply[i])));
    // Age bound, as the memory history applies it: expire from the oldest end.
    const cutoff = this.now() - this.options.limits.maxAgeS * 1e6;
    let start = 0;
    while (start < messages.length && messages[start]!.timestampMicros < cutoff) start++;
    const kept = messages.slice(start, start + limit);
    if (kept.length === 0 || kept[0]!.sequence !== since + 1 || kept[0]!.epoch !== current) return fail();
    return { messages: kept, recovered: kept.length === latest - since, epoch: current, latest };
  }

  private localPosition(stream: string): { epoch: string; latest: number } {
    const k = this.known.get(stream);
    if (k) return { epoch: k.epoch, latest: k.seq };
    this.fallbackEpoch ??= randomEpoch();
    return { epoch: this.fallbackEpoch, latest: 0 };
  }

  /** History while Redis is unreachable: only what this node sequenced locally can be resumed. */
  private localHistory(stream: string, since: number, epoch: string | undefined, limit: number): HistoryRange {
    const pos = this.localPosition(stream);
    const fail: HistoryRange = { messages: [], recovered: false, epoch: pos.epoch, latest: pos.latest };
    if ((epoch !== undefined && epoch !== pos.epoch) || since > pos.latest) return fail;
    if (since === pos.latest) return { messages: [], recovered: true, epoch: pos.epoch, latest: pos.latest };
    if (pos.epoch !== this.fallbackEpoch) return fail;
    return this.fallbackHistoryOf(stream).range(since, epoch, pos.latest, limit, this.now());
  }

  // ---------------------------------------------------------------- outage and recovery

  private connectionLost(): void {
    if (this.closed) return;
    if (this.downSinceMs === null) {
      this.downSinceMs = Date.now();
      this.log.warn({ url: redactUrl(this.options.url) }, 'redis connection lost');
      this.emit({ type: 'connection', up: false });
    }
    // A lost connection is a definite failure: stop trying until Redis is back (recover closes it).
    if (this.breaker.state !== 'open') this.breaker.transition('open');
  }

  private scheduleRecover(): void {
    if (this.closed) return;
    if (this.recovering) {
      this.recoverAgain = true;
      return;
    }
    this.recovering = this.recover().finally(() => {
      this.recovering = null;
      if (this.recoverAgain) {
        this.recoverAgain = false;
        this.scheduleRecover();
      }
    });
  }

  /**
   * Runs when a connection became ready: reconcile epochs/sequences, resubscribe, catch up missed
   * messages, close the breaker. A failure leaves the breaker open; the next `ready` retries.
   */
  private async recover(): Promise<void> {
    if (!this.connected) return;
    try {
      // Publishes wait for this recovery, so they only ever run with the scripts cached (ordering).
      await Promise.all([PUBLISH, READ, RECONCILE].map((script) => script.load(this.cmd)));
      const { changed: reconciled, restored } = await this.reconcileAll();
      const channels = [...this.handlers.keys()].map((s) => this.keys.stream(s).channel);
      if (channels.length > 0) await this.sub.subscribe(...channels);
      for (const [stream, cursor] of this.cursors) {
        if (cursor.reliable) cursor.catchUp();
        else await this.catchUpLatest(stream, cursor);
      }
      if (this.outbox.length > 0) {
        // Redis lost its data: give every node time to restore its position before this one writes.
        if (restored) await new Promise((r) => setTimeout(r, 2 * this.options.reconnectMaxDelayMs));
        const flushed = await this.flushOutbox();
        this.log.info({ flushed }, 'outbox written to redis');
      }
      const outageMs = this.downSinceMs === null ? 0 : Date.now() - this.downSinceMs;
      const wasDown = this.downSinceMs !== null || this.breaker.state !== 'closed';
      this.downSinceMs = null;
      this.breaker.recordSuccess();
      if (wasDown) {
        this.stats.recoveries++;
        this.log.info({ outage_ms: outageMs, reconciled }, 'redis connection recovered');
        this.emit({ type: 'connection', up: true });
        this.emit({ type: 'recovered', outageMs, reconciled });
      }
    } catch (err) {
      this.logRedisError(err as Error);
    }
  }

  /** Reconciles every stream this node knows (after a reconnect); see {@link reconcile}. */
  private reconcileAll(): Promise<{ changed: string[]; restored: boolean }> {
    return this.reconcile([...this.known.keys()]);
  }

  /**
   * Reconciles `streams` (default: those this node sequenced locally) with Redis (lua.ts RECONCILE):
   * a lost epoch is restored from what this node knew, a locally sequenced stream gets a new epoch
   * and a raised sequence.
   * @returns the streams whose epoch changed, and whether any epoch had to be restored (Redis lost its data)
   */
  private async reconcile(streams: string[] = [...this.dirty]): Promise<{ changed: string[]; restored: boolean }> {
    const changed: string[] = [];
    let restored = false;
    for (const stream of streams) {
      const k = this.keys.stream(stream);
      const pos = this.known.get(stream)!;
      const dirty = this.dirty.has(stream);
      // A locally sequenced epoch is no position to restore; the epoch before it is gone for good.
      const knownEpoch = dirty || pos.epoch === this.fallbackEpoch ? '' : pos.epoch;
      const reply = (await RECONCILE.run(this.cmd, [k.seq, k.epoch, k.hist], [this.candidate, pos.seq, dirty ? '1' : '0', knownEpoch])) as [number, string, number];
      const epoch = String(reply[1]);
      if (Number(reply[2]) === 1) restored = true;
      if (epoch !== pos.epoch) changed.push(stream);
      this.observe(stream, Number(reply[0]), epoch);
      this.dirty.delete(stream);
    }
    if (this.dirty.size === 0) {
      this.fallbackEpoch = null;
      this.fallbackHistory.clear();
    }
    return { changed, restored };
  }

  private async catchUpLatest(stream: string, cursor: StreamCursor): Promise<void> {
    const raw = await this.cmd.get(this.keys.stream(stream).last);
    if (!raw) return;
    const m = decodeWire(stream, raw);
    if (!cursor.last || m.epoch !== cursor.last.epoch || m.sequence > cursor.last.seq) cursor.push(m);
  }

  private logRedisError(err: Error): void {
    this.stats.redisErrors++;
    const now = Date.now();
    if (now - this.lastErrorLogMs < 5000) return;
    this.lastErrorLogMs = now;
    this.log.warn({ err: err.message }, 'redis error (further errors suppressed for 5 s)');
  }

  // ---------------------------------------------------------------- health, close

  health(): BrokerHealth {
    const breaker = this.breaker.state;
    const status = this.closed ? 'unhealthy' : this.connected && breaker === 'closed' && this.fallbackEpoch === null && this.outbox.length === 0 ? 'healthy' : 'degraded';
    return {
      kind: 'redis',
      status,
      details: {
        url: redactUrl(this.options.url),
        node_id: this.options.nodeId,
        redis: this.cmd.status,
        subscriber: this.sub.status,
        breaker,
        local_fallback: this.fallbackEpoch !== null,
        outbox: this.outbox.length,
        outbox_max_messages: this.options.outboxMaxMessages ?? DEFAULT_OUTBOX_MAX,
        subscribed_streams: this.subscribedStreams(),
        ...this.stats,
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.cursors.clear();
    this.listeners.clear();
    await Promise.all(
      [this.cmd, this.sub].map(async (c) => {
        if (c.status === 'ready') await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
        c.disconnect();
      }),
    );
  }
}
