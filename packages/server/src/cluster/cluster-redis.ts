/**
 * The cluster's own Redis connections (leader lock, node registry, shared breaker, cluster events),
 * separate from the broker's: coordination traffic never queues behind stream traffic, and the
 * broker stays a gateway component the cluster does not reach into.
 *
 * Two connections: commands, and a subscriber for the `{p}cluster:events` channel (subscribed
 * again on every reconnect). Offline commands fail at once (no offline queue); callers
 * retry on their own schedule (heartbeat, election tick).
 */
import { Redis } from 'ioredis';

/** Connection settings. */
export interface ClusterRedisOptions {
  url: string;
  nodeId: string;
  /** A command not answered within this fails, milliseconds. */
  commandTimeoutMs: number;
  /** Longest wait between reconnect attempts, milliseconds. */
  reconnectMaxDelayMs: number;
  /** Connection errors go here (rate-limited by the caller). */
  onError: (err: Error) => void;
}

/** See the module comment. */
export class ClusterRedis {
  /** Command connection. */
  readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, (message: string) => void>();

  constructor(options: ClusterRedisOptions) {
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: Math.max(1000, options.commandTimeoutMs),
      retryStrategy: (times: number) => Math.min(times * 50, options.reconnectMaxDelayMs),
    };
    this.cmd = new Redis(options.url, { ...common, commandTimeout: options.commandTimeoutMs, connectionName: `tablecast:${options.nodeId}:cluster` });
    // Channels are (re)subscribed on every 'ready', so a node that started while Redis was down, or
    // lost it, listens again as soon as Redis answers (ioredis' autoResubscribe only restores
    // subscriptions that once succeeded).
    this.sub = new Redis(options.url, { ...common, autoResubscribe: false, connectionName: `tablecast:${options.nodeId}:cluster-events` });
    for (const c of [this.cmd, this.sub]) c.on('error', options.onError);
    this.sub.on('ready', () => {
      for (const channel of this.handlers.keys()) void this.sub.subscribe(channel).catch(() => undefined);
    });
    this.sub.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
  }

  /** Connects both; resolves even when Redis is down (the connections keep retrying). */
  async connect(): Promise<void> {
    await Promise.all([this.cmd.connect(), this.sub.connect()].map((p) => p.catch(() => undefined)));
  }

  /** Delivers messages of `channel` to `onMessage` (one handler per channel), across reconnects. */
  async subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    this.handlers.set(channel, onMessage);
    if (this.sub.status === 'ready') await this.sub.subscribe(channel).catch(() => undefined); // else on 'ready'
  }

  /** ioredis status of the command connection (`ready`, `connecting`, `reconnecting`, ...). */
  get status(): string {
    return this.cmd.status;
  }

  /** Closes both connections (QUIT, bounded by 500 ms each, then disconnect). */
  async close(): Promise<void> {
    await Promise.all(
      [this.cmd, this.sub].map(async (c) => {
        if (c.status === 'ready') await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
        c.disconnect();
      }),
    );
  }
}
