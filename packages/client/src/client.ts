/**
 * TablecastClient: the typed, isomorphic SDK of the tablecast gateway (PROTOCOL.md).
 *
 * - connects with token, client id and encoding; subscribes with filters; typed handlers per stream;
 * - reconnects with full-jitter exponential backoff, honouring the close-code ranges (section 7);
 * - resubscribes with the same filters and resumes reliable streams with `since`, de-duplicating by
 *   sequence (at-least-once delivery) and reporting `recovered: false` honestly;
 * - acks reliable streams (coalesced), measures RTT with `ping`, counts messages and drops;
 * - exposes a typed status stream. No global state: any number of clients per process or page.
 */
import { DELIVERY_CLASS, canonicalStream, isStreamName } from '@tablecast/protocol/core';
import type {
  CanonicalStream,
  ConnectionData,
  Envelope,
  ErrorData,
  Filters,
  PongData,
  PublishedData,
  StatusReplyData,
  StreamName,
  SubscribedData,
  UnsubscribedData,
} from '@tablecast/protocol';
import { AckBatcher } from './acks.js';
import { createCodec, type Codec, type Encoding } from './codec.js';
import { PingTracker } from './ping.js';
import { RequestQueue } from './requests.js';
import { ResumeTracker } from './resume.js';
import { ReconnectingSocket } from './reconnect.js';
import { buildUrl, randomClientId, resolveWebSocket } from './socket.js';
import { GapCounter, RateMeter, type ClientStats } from './stats.js';
import { StatusEmitter, type ClientStatus, type ConnectionState, type StatusListener } from './status.js';
import { SubscriptionSet, isReliable } from './subscriptions.js';
import { Subscription } from './subscription.js';
import { TablecastError, type ClientOptions, type DebugLog, type StreamHandler } from './types.js';

type AnyHandler = (data: unknown, envelope: Envelope) => void;

/** `?token=...` / `&token=...` in a string, with the value replaced by `***`. */
function redactToken(s: string): string {
  return s.replace(/([?&]token=)[^&#\s]*/g, '$1***');
}

/** {@link redactToken} over the string values of a debug line's details. */
function redactTokens(d: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' ? redactToken(v) : v]));
}
const noop = (): void => undefined;

/** A client of one tablecast gateway. Create, `connect()`, `subscribe()`, `on()`; `close()` at the end. */
export class TablecastClient {
  private readonly options: ClientOptions;
  private readonly codec: Codec;
  private readonly statusEmitter = new StatusEmitter();
  private readonly subs = new SubscriptionSet();
  private readonly tracker = new ResumeTracker();
  private readonly requests: RequestQueue;
  private readonly pings = new PingTracker();
  private readonly rate = new RateMeter();
  private readonly gaps = new GapCounter();
  private readonly conn: ReconnectingSocket;
  private readonly handlers = new Map<CanonicalStream, Set<AnyHandler>>();
  private readonly anyHandlers = new Set<AnyHandler>();
  private readonly subscribedListeners = new Set<(reply: SubscribedData) => void>();
  /** `once` handlers -> the wrapper registered for them (so `off` finds them). */
  private readonly onceWrappers = new Map<AnyHandler, AnyHandler>();
  /** Waiters told when a subscribe sent on (re)connect was refused by the server. */
  private readonly refusedListeners = new Set<(streams: StreamName[], err: TablecastError) => void>();
  /** The debug log (`options.debug`), or null. */
  private readonly debug: DebugLog | null;
  private readonly acks: AckBatcher;
  private readonly counters = { received: 0, bytes: 0, sent: 0, decodeErrors: 0 };
  private id: string;
  private info: ConnectionData | null = null;
  /** The server's proof that this client owns `clientId`, sent back on every reconnect. */
  private resumeToken: string | undefined;
  /** The token of the next attempt (`options.token`, or what `getToken` returned). */
  private token: string | undefined;

  /**
   * @param options see {@link ClientOptions}; only `url` is required
   * @throws Error when no WebSocket implementation is available (Node 20 without `options.WebSocket`)
   */
  constructor(options: ClientOptions) {
    this.options = { ...options };
    this.token = options.token;
    const sink: DebugLog | null = options.debug === true ? (m, d) => console.debug(`[tablecast] ${m}`, ...(d ? [d] : [])) : typeof options.debug === 'function' ? options.debug : null;
    this.debug = sink && ((m, d) => sink(redactToken(m), d && redactTokens(d)));
    const WS = resolveWebSocket(options.WebSocket);
    this.codec = createCodec(options.encoding ?? 'json');
    this.id = options.clientId ?? randomClientId();
    const rc = options.reconnect ?? true;
    this.requests = new RequestQueue(options.requestTimeoutMs ?? 10_000);
    this.acks = new AckBatcher(options.ackIntervalMs ?? 1000, (stream, sequence) => this.send('ack', { stream, sequence }));
    this.conn = new ReconnectingSocket(
      {
        WebSocket: WS,
        displayUrl: options.url,
        url: () => buildUrl(options.url, { token: this.token, clientId: this.id, encoding: this.codec.encoding, resumeToken: this.resumeToken }),
        ...(options.getToken ? { prepare: () => this.fetchToken(options.getToken!) } : {}),
        clientId: () => this.id,
        reconnect: rc === false ? null : rc === true ? {} : rc,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        pingIntervalMs: options.pingIntervalMs ?? 5000,
        pongTimeoutMs: options.pongTimeoutMs ?? 15_000,
      },
      this.statusEmitter,
      this.pings,
      {
        onOpen: () => this.onOpen(),
        onFrame: (raw) => this.onFrame(raw),
        onClose: (code) => this.onClose(code),
        sendPing: () => this.send('ping', this.pings.create()),
      },
    );
    if (this.debug) {
      const log = this.debug;
      this.statusEmitter.on((st) => {
        const { type, ...details } = st as { type: string } & Record<string, unknown>;
        log(`status ${type}`, Object.keys(details).length > 0 ? details : undefined);
      });
    }
  }

  // ---------------------------------------------------------------- public API

  /** The client id sent as `client_id` (the server's welcome may confirm it). */
  get clientId(): string {
    return this.id;
  }

  /** The negotiated encoding. */
  get encoding(): Encoding {
    return this.codec.encoding;
  }

  /** Current connection state. */
  get state(): ConnectionState {
    return this.conn.state;
  }

  /** The server's welcome (`connection` message) of the current socket, or null. */
  get serverInfo(): ConnectionData | null {
    return this.info;
  }

  /** Last round-trip time from `ping`/`pong`, ms (null before the first pong). */
  get rtt(): number | null {
    return this.pings.rttMs;
  }

  /** A snapshot of the client's counters (see {@link ClientStats}). */
  get stats(): ClientStats {
    return {
      messagesPerSecond: this.rate.rate,
      messagesReceived: this.counters.received,
      bytesReceived: this.counters.bytes,
      messagesSent: this.counters.sent,
      dropped: this.gaps.skipped + this.tracker.counters.gaps,
      duplicates: this.tracker.counters.duplicates,
      decodeErrors: this.counters.decodeErrors,
      rttMs: this.pings.rttMs,
      rttAvgMs: this.pings.rttAvgMs,
      reconnects: this.conn.reconnects,
      connectAttempts: this.conn.attempts,
    };
  }

  /** Code and reason of the last socket close (1000 and '' before any). */
  get lastDisconnect(): { code: number; reason: string } {
    return { ...this.conn.lastClose };
  }

  /** The last sequence delivered on reliable `stream` (null before the first message). */
  lastSequence(stream: StreamName): number | null {
    return this.tracker.lastSequence(stream);
  }

  /**
   * Opens the connection. Resolves once a socket is open (after retries, when reconnecting is on);
   * rejects with `TablecastError('CLOSED')` when the client closes first (terminal close code,
   * attempts exhausted, or `close()`), `TIMEOUT` after `options.timeoutMs` and `ABORTED` when
   * `options.signal` aborts. On `TIMEOUT` and `ABORTED` the client is closed (no reconnect loop is
   * left behind); create a new one to try again.
   * @param options.timeoutMs give up after this many milliseconds (default: never)
   * @param options.signal give up when it aborts
   */
  connect(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (this.conn.state === 'connected') return Promise.resolve();
    if (this.conn.state === 'closed') return Promise.reject(new TablecastError('CLOSED', 'client is closed'));
    if (options.signal?.aborted) return Promise.reject(new TablecastError('ABORTED', 'connect aborted'));
    const ready = new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const giveUp = (code: string, message: string) => {
        done();
        reject(new TablecastError(code, message));
        void this.close(1000, message);
      };
      const onAbort = () => giveUp('ABORTED', 'connect aborted');
      const off = this.onStatus((s) => {
        if (s.type === 'connected') {
          done();
          resolve();
        } else if (s.type === 'closed') {
          done();
          reject(new TablecastError('CLOSED', `closed before connecting: ${s.code} ${s.reason}`));
        }
      });
      const done = () => {
        off();
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (options.timeoutMs !== undefined) timer = setTimeout(() => giveUp('TIMEOUT', `not connected within ${options.timeoutMs} ms`), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    // msgpack: msgpackr is loaded first (codec.ts); JSON starts at once.
    if (this.codec.encoding === 'json') this.conn.start();
    else {
      this.codec.ready().then(
        () => this.conn.state !== 'closed' && this.conn.start(),
        (err: unknown) => void this.close(1000, `msgpack codec unavailable: ${String(err)}`.slice(0, 120)),
      );
    }
    return ready;
  }

  /** Drops `streams` from what is (re)subscribed and from resume tracking. */
  private forget(streams: readonly StreamName[]): void {
    this.subs.remove(streams);
    for (const s of streams) this.tracker.untrack(s);
  }

  /** Calls `getToken` for the next attempt; `UNAUTHORIZED` from it is terminal. */
  private async fetchToken(getToken: () => Promise<string | null | undefined>): Promise<void> {
    try {
      this.token = (await getToken()) ?? undefined;
    } catch (err) {
      if (err instanceof TablecastError && err.code === 'UNAUTHORIZED') throw Object.assign(new Error(err.message), { terminal: true });
      throw err;
    }
  }

  /**
   * Subscribes to `streams` with `filters` (replacing the filters those streams had: call it again to
   * change filters live). Remembered across reconnects. Resolves with the `subscribed` reply — at once
   * when connected, else once the connection (re)opens.
   * @throws TablecastError `INVALID_STREAM` for unknown names; server `error` codes (`INVALID_FILTER`, ...)
   */
  async subscribe(streams: readonly StreamName[], filters?: Filters): Promise<SubscribedData> {
    const list = SubscriptionSet.validate(streams);
    if (this.conn.state === 'closed') throw new TablecastError('CLOSED', 'client is closed');
    // Only what the server acknowledged is replayed on reconnect: a refused subscribe is undone.
    const before = list.map((s) => ({ s, had: this.subs.has(s), filters: this.subs.filtersOf(s) }));
    const undo = () => {
      for (const b of before) {
        if (b.had) this.subs.add([b.s], b.filters);
        else this.forget([b.s]);
      }
    };
    this.subs.add(list, filters);
    for (const s of list) if (isReliable(s)) this.tracker.track(s);
    if (this.isOpen()) {
      try {
        return await this.sendSubscribe(list, filters, false);
      } catch (err) {
        if (!(err instanceof TablecastError && err.code === 'CLOSED')) {
          if (err instanceof TablecastError && err.code !== 'TIMEOUT') undo();
          throw err;
        }
      }
    }
    return this.waitForSubscribed(list);
  }

  /**
   * A {@link Subscription} object for `streams`: its own `message`/`subscribed`/`error`/`unsubscribed`
   * events, `ready()` and `unsubscribe()`. Subscribes at once (or on connect).
   */
  subscription<S extends StreamName>(streams: readonly S[], filters?: Filters): Subscription<S> {
    return new Subscription<S>(this, streams, filters);
  }

  /** Calls `listener` with every `subscribed` reply (including resubscribes after a reconnect). Returns a remover. */
  onSubscribed(listener: (reply: SubscribedData) => void): () => void {
    return this.onSubscribedReply(listener);
  }

  /** Calls `listener` when the server refuses a resubscribe sent on (re)connect. Returns a remover. */
  onRefused(listener: (streams: StreamName[], error: TablecastError) => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  /** Stops `streams`; resolves with the `unsubscribed` reply (at once when not connected). */
  async unsubscribe(streams: readonly StreamName[]): Promise<UnsubscribedData | null> {
    const list = SubscriptionSet.validate(streams);
    this.forget(list);
    if (!this.isOpen()) return null;
    const { id, reply } = this.requests.add<UnsubscribedData>('unsubscribe');
    this.send('unsubscribe', { streams: list }, id);
    return reply;
  }

  /**
   * Registers a typed handler for `stream` (aliases included: `metrics` handlers get `performance`).
   * Reliable-stream handlers see each message once, in order. Returns a function that removes it.
   */
  on<S extends StreamName>(stream: S, handler: StreamHandler<S>): () => void {
    const key = canonicalStream(stream);
    const set = this.handlers.get(key) ?? new Set<AnyHandler>();
    set.add(handler as unknown as AnyHandler);
    this.handlers.set(key, set);
    return () => set.delete(handler as unknown as AnyHandler);
  }

  /** Removes a handler registered with {@link on} (or {@link once}); false when it was not registered. */
  off<S extends StreamName>(stream: S, handler: StreamHandler<S>): boolean {
    const set = this.handlers.get(canonicalStream(stream));
    if (!set) return false;
    const direct = set.delete(handler as unknown as AnyHandler);
    const wrapped = this.onceWrappers.get(handler as unknown as AnyHandler);
    return direct || (wrapped !== undefined && set.delete(wrapped) && this.onceWrappers.delete(handler as unknown as AnyHandler));
  }

  /** Like {@link on}, for the next message of `stream` only. Returns a function that removes it. */
  once<S extends StreamName>(stream: S, handler: StreamHandler<S>): () => void {
    const h = handler as unknown as AnyHandler;
    const wrapper: AnyHandler = (data, env) => {
      this.off(stream, handler);
      h(data, env);
    };
    this.onceWrappers.set(h, wrapper);
    const remove = this.on(stream, wrapper as unknown as StreamHandler<S>);
    return () => {
      remove();
      this.onceWrappers.delete(h);
    };
  }

  /** Registers a handler for every stream message (after de-duplication). Returns a remover. */
  onMessage(handler: (envelope: Envelope) => void): () => void {
    const h: AnyHandler = (_d, env) => handler(env);
    this.anyHandlers.add(h);
    return () => this.anyHandlers.delete(h);
  }

  /** Registers a listener of status events (see {@link ClientStatus}). Returns a remover. */
  onStatus(listener: StatusListener): () => void {
    return this.statusEmitter.on(listener);
  }

  /** The status events as an async iterator; it ends after `closed`. */
  status(): AsyncIterableIterator<ClientStatus> {
    return this.statusEmitter.iterate();
  }

  /**
   * Acknowledges every reliable message of `stream` up to `sequence` (sent at once when connected).
   * With `autoAck` (default) this happens by itself, coalesced per `ackIntervalMs`.
   */
  ack(stream: StreamName, sequence: number): void {
    this.acks.forget(stream);
    if (this.isOpen()) this.send('ack', { stream, sequence });
  }

  /** Sends a `ping`; resolves with the round-trip time in ms. */
  ping(): Promise<number> {
    if (!this.isOpen()) return Promise.reject(new TablecastError('NOT_CONNECTED', 'not connected'));
    return new Promise<number>((resolve, reject) => this.send('ping', this.pings.create(resolve, reject)));
  }

  /** Asks the server for this connection's counters (`get_status`). */
  getStatus(includeDetails = false): Promise<StatusReplyData> {
    if (!this.isOpen()) return Promise.reject(new TablecastError('NOT_CONNECTED', 'not connected'));
    const { id, reply } = this.requests.add<StatusReplyData>('get_status');
    this.send('get_status', { include_details: includeDetails }, id);
    return reply;
  }

  /** Publishes `data` on `stream` (needs the publisher role); resolves with the assigned sequence. */
  publish(stream: StreamName, data: Record<string, unknown>): Promise<PublishedData> {
    if (!this.isOpen()) return Promise.reject(new TablecastError('NOT_CONNECTED', 'not connected'));
    const { id, reply } = this.requests.add<PublishedData>('publish');
    this.send('publish', { stream, data }, id);
    return reply;
  }

  /**
   * Closes for good (no reconnect): flushes pending acks, closes the socket with `code`, emits
   * `closed`. Resolves once closed.
   */
  close(code = 1000, reason = 'client closed'): Promise<void> {
    return this.conn.close(code, reason, () => this.acks.flush());
  }

  // ---------------------------------------------------------------- connection events

  private isOpen(): boolean {
    return this.conn.isOpen();
  }

  private onOpen(): void {
    this.gaps.reset();
    for (const g of this.subs.groups()) {
      // Failures surface as server_error; a refused group is not replayed again.
      this.sendSubscribe(g.streams, g.filters, true).catch((err: unknown) => {
        if (err instanceof TablecastError && err.code !== 'CLOSED' && err.code !== 'TIMEOUT') {
          this.forget(g.streams);
          for (const l of [...this.refusedListeners]) l(g.streams, err);
        }
      });
    }
  }

  private onClose(code: number): void {
    this.info = null;
    this.acks.reset();
    this.requests.failAll('CLOSED', `socket closed (${code})`);
    this.pings.clear(new TablecastError('CLOSED', `socket closed (${code})`));
    this.tracker.abortResume();
  }

  // ---------------------------------------------------------------- outbound

  /** Sends one message; `id` (requests) is echoed in its reply. */
  private send(type: string, data: unknown, id?: number): void {
    const sent = this.conn.send(this.codec.encode(id === undefined ? { type, data } : { type, id, data }));
    if (sent) this.counters.sent += 1;
    this.debug?.(sent ? `sent ${type}` : `not sent (socket not open): ${type}`, id === undefined ? undefined : { id });
  }

  /**
   * Sends one `subscribe`. With `resume`, reliable streams with a known position carry `since`/`epoch`
   * and are held by the tracker until the reply. `rewindEpoch` resubscribes streams of a restarted
   * server from `since: 0` in its new epoch.
   */
  private sendSubscribe(
    streams: StreamName[],
    filters: Filters | undefined,
    resume: boolean,
    rewindEpoch?: Record<string, string>,
  ): Promise<SubscribedData> {
    let since: Record<string, number> = {};
    let epoch: Record<string, string> | undefined;
    if (rewindEpoch) {
      for (const s of streams) since[s] = 0;
      epoch = rewindEpoch;
    } else if (resume) {
      const point = this.tracker.resumePoint(streams.filter(isReliable));
      if (point) {
        since = point.since;
        epoch = point.epoch;
        this.tracker.beginResume(Object.keys(since));
      }
    }
    const { id, reply } = this.requests.add<SubscribedData>('subscribe', (data) => {
      const outcome = this.tracker.onSubscribed(data, since);
      for (const env of outcome.deliver) this.dispatch(env);
      if (rewindEpoch) return; // the first reply already reported recovery for these streams
      if (Object.keys(since).length > 0) {
        const restarted = outcome.rewind.map((r) => r.stream);
        this.statusEmitter.emit({ type: 'resubscribed', streams: data.streams, recovered: outcome.recovered, restarted });
      }
      this.rewind(outcome.rewind);
    });
    const payload: Record<string, unknown> = { streams };
    if (filters !== undefined) payload.filters = filters;
    if (Object.keys(since).length > 0) payload.since = since;
    if (epoch && Object.keys(epoch).length > 0) payload.epoch = epoch;
    this.send('subscribe', payload, id);
    return reply;
  }

  /** Resubscribes streams whose server restarted from the start of the new epoch (grouped by filters). */
  private rewind(streams: { stream: string; epoch: string }[]): void {
    const epochs = Object.fromEntries(streams.map((r) => [r.stream, r.epoch]));
    for (const g of this.subs.groupsOf(streams.map((r) => r.stream as StreamName))) {
      const epoch = Object.fromEntries(g.streams.map((s) => [s, epochs[s] ?? '']));
      this.sendSubscribe(g.streams, g.filters, true, epoch).catch(noop);
    }
  }


  private waitForSubscribed(streams: StreamName[]): Promise<SubscribedData> {
    return new Promise<SubscribedData>((resolve, reject) => {
      const seen = new Set<string>();
      const offStatus = this.onStatus((s) => {
        if (s.type === 'closed') {
          cleanup();
          reject(new TablecastError('CLOSED', 'client closed before the subscription was confirmed'));
        }
      });
      const onRefused = (refused: StreamName[], err: TablecastError) => {
        if (!refused.some((s) => streams.includes(s))) return;
        cleanup();
        reject(err);
      };
      this.refusedListeners.add(onRefused);
      const offReply = this.onSubscribedReply((reply) => {
        for (const s of reply.streams) seen.add(s);
        if (streams.every((s) => seen.has(s))) {
          cleanup();
          resolve(reply);
        }
      });
      const cleanup = () => {
        offStatus();
        offReply();
        this.refusedListeners.delete(onRefused);
      };
    });
  }

  private onSubscribedReply(l: (reply: SubscribedData) => void): () => void {
    this.subscribedListeners.add(l);
    return () => this.subscribedListeners.delete(l);
  }

  // ---------------------------------------------------------------- inbound

  private onFrame(raw: unknown): void {
    this.counters.bytes += typeof raw === 'string' ? raw.length : raw instanceof ArrayBuffer ? raw.byteLength : 0;
    let env: Envelope;
    try {
      env = this.codec.decode(raw);
    } catch {
      this.counters.decodeErrors += 1;
      return;
    }
    this.handleEnvelope(env);
  }

  private handleEnvelope(env: Envelope): void {
    if (this.debug && env.type !== 'batch' && (env.sequence === 0 || !isStreamName(env.type))) {
      const code = env.type === 'error' ? (env.data as ErrorData | undefined)?.code : undefined;
      this.debug(`received ${env.type}`, { ...(env.id !== undefined ? { id: env.id } : {}), ...(code ? { code } : {}) });
    }
    switch (env.type) {
      case 'batch': {
        const messages = (env.data as { messages?: unknown[] } | undefined)?.messages ?? [];
        for (const m of messages) if (m && typeof m === 'object') this.handleEnvelope(m as Envelope);
        return;
      }
      case 'connection':
        this.info = env.data as ConnectionData;
        if (typeof this.info?.resume_token === 'string') this.resumeToken = this.info.resume_token;
        this.conn.confirm();
        if (typeof this.info?.client_id === 'string') this.id = this.info.client_id;
        return;
      case 'pong':
        this.pings.onPong(env.data as PongData);
        return;
      case 'heartbeat_response':
        return;
      case 'subscribed':
        this.requests.resolve('subscribed', env.data, env.id);
        for (const l of [...this.subscribedListeners]) l(env.data as SubscribedData);
        return;
      case 'unsubscribed':
      case 'published':
        this.requests.resolve(env.type, env.data, env.id);
        return;
      case 'error': {
        const e = env.data as ErrorData;
        this.requests.reject(e, env.id);
        this.statusEmitter.emit({ type: 'server_error', code: e.code, message: e.message, details: e.details });
        return;
      }
      case 'status':
        if (env.sequence === 0 && this.requests.resolve('status', env.data, env.id)) return;
        break;
    }
    if (isStreamName(env.type)) this.onStreamMessage(env, env.type);
  }

  private onStreamMessage(env: Envelope, stream: StreamName): void {
    this.counters.received += 1;
    this.rate.add();
    if (isReliable(stream) && this.tracker.tracks(stream)) {
      for (const e of this.tracker.accept(stream, env)) this.dispatch(e);
    } else {
      this.gaps.observe(stream, env.sequence);
      this.dispatch(env);
    }
  }

  private dispatch(env: Envelope): void {
    const stream = canonicalStream(env.type as StreamName);
    for (const h of [...(this.handlers.get(stream) ?? []), ...this.anyHandlers]) {
      try {
        h(env.data, env);
      } catch (error) {
        this.statusEmitter.emit({ type: 'handler_error', stream, error });
      }
    }
    if (DELIVERY_CLASS[stream] === 'reliable' && (this.options.autoAck ?? true) && env.sequence > 0) {
      this.acks.schedule(env.type, env.sequence);
    }
  }
}
