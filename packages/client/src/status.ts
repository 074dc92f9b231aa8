/**
 * The client's typed status stream (after nats.js's `status()` iterator): every connection
 * transition is one discriminated-union event, delivered to listeners and async iterators.
 */

/** The connection state machine of a {@link TablecastClient}. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** One status event. Times are milliseconds; codes are WebSocket close codes (PROTOCOL section 7). */
export type ClientStatus =
  /** A socket is being opened (`attempt` 0 for the first connect, n for the n-th reconnect). */
  | { type: 'connecting'; url: string; attempt: number }
  /** The socket is open; `clientId` is the id the server confirmed (or the one we sent). */
  | { type: 'connected'; url: string; clientId: string; reconnected: boolean }
  /** The socket closed; `willReconnect` tells whether the close code allows reconnecting. */
  | { type: 'disconnected'; code: number; reason: string; willReconnect: boolean }
  /** A reconnect is scheduled after `delayMs` (full-jitter backoff); `attempt` counts from 1. */
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  /**
   * Subscriptions were restored after a reconnect. `recovered[stream]` is false for every reliable
   * stream whose missed messages the server could not replay (history gap, or a new server epoch):
   * the application may have lost messages on that stream and should re-sync (e.g. fetch state).
   */
  | {
      type: 'resubscribed';
      streams: string[];
      recovered: Record<string, boolean>;
      /**
       * Streams whose server history epoch changed (a restarted server: sequences began again). The
       * client replays the new server's whole history for them, de-duplicated; anything the old server
       * published after this client lost it is gone, hence `recovered[stream]` false.
       */
      restarted: string[];
    }
  /** The server answered a request with `error {code, message}` (the connection stays open). */
  | { type: 'server_error'; code: string; message: string; details?: unknown }
  /** A stream handler threw; the client keeps running. */
  | { type: 'handler_error'; stream: string; error: unknown }
  /**
   * Terminal: no further reconnects (user close, terminal close code, or attempts exhausted).
   * `replaced` is true when a newer connection of this same client (same `client_id`, same
   * credentials or resume token; close 4009) took over, e.g. the page was opened in a second tab.
   */
  | { type: 'closed'; code: number; reason: string; replaced?: true };

/** The `type` of a {@link ClientStatus}. */
export type ClientStatusType = ClientStatus['type'];

/** Listener of status events. */
export type StatusListener = (status: ClientStatus) => void;

/**
 * Fan-out of status events to listeners and async iterators. Iterators buffer up to `bufferSize`
 * events each (oldest dropped beyond), so a slow consumer never grows memory without bound.
 */
export class StatusEmitter {
  private readonly listeners = new Set<StatusListener>();
  private readonly bufferSize: number;
  private ended = false;

  /** @param bufferSize events kept per iterator that is not being read (default 256) */
  constructor(bufferSize = 256) {
    this.bufferSize = bufferSize;
  }

  /** Registers `listener`; returns a function that removes it. */
  on(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers `status` to every listener; a throwing listener does not stop the others. */
  emit(status: ClientStatus): void {
    for (const l of [...this.listeners]) {
      try {
        l(status);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    if (status.type === 'closed') this.ended = true;
  }

  /** Number of registered listeners (iterators included). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * An async iterator of status events; it finishes after the `closed` event or when the loop breaks.
   *
   * ```ts
   * for await (const s of client.status()) if (s.type === 'disconnected') console.log(s.code);
   * ```
   */
  iterate(): AsyncIterableIterator<ClientStatus> {
    const queue: ClientStatus[] = [];
    let wake: (() => void) | null = null;
    let done = this.ended;
    const off = this.on((s) => {
      if (queue.length >= this.bufferSize) queue.shift();
      queue.push(s);
      if (s.type === 'closed') done = true;
      wake?.();
    });
    const iterator: AsyncIterableIterator<ClientStatus> = {
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next(): Promise<IteratorResult<ClientStatus>> {
        while (queue.length === 0 && !done) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
        }
        const value = queue.shift();
        if (value !== undefined) return { value, done: false };
        off();
        return { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<ClientStatus>> {
        done = true;
        off();
        wake?.();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }
}
