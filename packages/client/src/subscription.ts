/**
 * Subscription: one `subscribe` as an object with its own events, as centrifuge-js and
 * socket.io-client users expect (`client.subscription(['state'], {max_fps: 10})`):
 *
 * - `ready()` resolves with the first `subscribed` reply, rejects when the server refuses it;
 * - events: `message` (a message of its streams, typed), `subscribed` (every acknowledgement,
 *   including the resubscribe after a reconnect), `error` (refused, now or on a resubscribe),
 *   `unsubscribed`;
 * - `unsubscribe()` removes its handlers and unsubscribes its streams.
 *
 * A thin layer over {@link TablecastClient.subscribe}/{@link TablecastClient.on}: streams, filters,
 * resume and replay on reconnect are the client's, so a Subscription and direct `on()` handlers of the
 * same stream see the same messages.
 */
import type { Envelope, Filters, StreamName, SubscribedData } from '@tablecast/protocol';
import type { StreamHandler, StreamPayloadMap } from './types.js';
import type { TablecastError } from './types.js';

/** Where a Subscription is. */
export type SubscriptionState = 'subscribing' | 'subscribed' | 'failed' | 'unsubscribed';

/** The events of a Subscription and their listener arguments. */
export interface SubscriptionEvents<S extends StreamName> {
  message: [data: StreamPayloadMap[S], envelope: Envelope<StreamPayloadMap[S]>];
  subscribed: [reply: SubscribedData];
  error: [error: TablecastError];
  unsubscribed: [];
}

/** What a Subscription needs of its client (the client's public API). */
export interface SubscriptionHost {
  subscribe(streams: readonly StreamName[], filters?: Filters): Promise<SubscribedData>;
  unsubscribe(streams: readonly StreamName[]): Promise<unknown>;
  on<T extends StreamName>(stream: T, handler: StreamHandler<T>): () => void;
  onSubscribed(listener: (reply: SubscribedData) => void): () => void;
  onRefused(listener: (streams: StreamName[], error: TablecastError) => void): () => void;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** See the module comment. Create with `client.subscription(streams, filters)`. */
export class Subscription<S extends StreamName = StreamName> {
  private current: SubscriptionState = 'subscribing';
  private readonly listeners: { [K in keyof SubscriptionEvents<S>]: Set<Listener<SubscriptionEvents<S>[K]>> } = {
    message: new Set(), subscribed: new Set(), error: new Set(), unsubscribed: new Set(),
  };
  private readonly offs: (() => void)[] = [];
  private readonly first: Promise<SubscribedData>;

  /**
   * Subscribes at once (when connected; else as soon as the client connects).
   * @param streams the streams of this subscription (one `subscribe` message)
   * @param filters PROTOCOL section 4 filters for all of them
   */
  constructor(
    private readonly host: SubscriptionHost,
    readonly streams: readonly S[],
    readonly filters?: Filters,
  ) {
    for (const s of streams) {
      this.offs.push(host.on(s, ((data: StreamPayloadMap[S], env: Envelope<StreamPayloadMap[S]>) => this.emit('message', data, env)) as unknown as StreamHandler<typeof s>));
    }
    this.offs.push(host.onSubscribed((reply) => {
      if (this.current === 'unsubscribed' || !streams.some((s) => reply.streams.includes(s))) return;
      this.current = 'subscribed';
      this.emit('subscribed', reply);
    }));
    this.offs.push(host.onRefused((refused, err) => {
      // Only a resubscribe refused later: the first refusal is reported by `first` below.
      if (this.current !== 'subscribed' || !refused.some((s) => streams.includes(s as S))) return;
      this.current = 'failed';
      this.emit('error', err);
    }));
    this.first = host.subscribe(streams, filters).catch((err: TablecastError) => {
      if (this.current !== 'unsubscribed') {
        this.current = 'failed';
        this.emit('error', err);
      }
      throw err;
    });
    this.first.catch(() => undefined); // a caller that never awaits ready() gets the `error` event only
  }

  /** Where it is: `subscribing`, `subscribed`, `failed` (refused) or `unsubscribed`. */
  get state(): SubscriptionState {
    return this.current;
  }

  /** Resolves with the first `subscribed` reply; rejects with the server's refusal (TablecastError). */
  ready(): Promise<SubscribedData> {
    return this.first;
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof SubscriptionEvents<S>>(event: K, listener: Listener<SubscriptionEvents<S>[K]>): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Removes a listener added with {@link on}; false when it was not there. */
  off<K extends keyof SubscriptionEvents<S>>(event: K, listener: Listener<SubscriptionEvents<S>[K]>): boolean {
    return this.listeners[event].delete(listener);
  }

  /** Stops: no more events, the streams are unsubscribed (not replayed on reconnect). Idempotent. */
  async unsubscribe(): Promise<void> {
    if (this.current === 'unsubscribed') return;
    this.current = 'unsubscribed';
    for (const off of this.offs.splice(0)) off();
    await this.host.unsubscribe(this.streams).catch(() => undefined);
    this.emit('unsubscribed');
    for (const set of Object.values(this.listeners)) set.clear();
  }

  private emit<K extends keyof SubscriptionEvents<S>>(event: K, ...args: SubscriptionEvents<S>[K]): void {
    for (const l of [...this.listeners[event]]) l(...args);
  }
}
