/**
 * The Broker interface: the only door between gateway nodes. It assigns per-stream sequences, keeps
 * the history of reliable streams and delivers every publication to every node that subscribed.
 * Implementations: broker-memory.ts (embedded default), cluster/broker-redis.ts.
 */

/** One sequenced publication as it travels between nodes. */
export interface BrokerMessage {
  stream: string;
  /** Per-stream sequence, +1 per publication, gapless. */
  sequence: number;
  /** Identifies the history generation; changes when history was lost (restart of the store). */
  epoch: string;
  /** Publish time, microseconds since the Unix epoch. */
  timestampMicros: number;
  /** The payload, without `sequence` (the hub adds `data.sequence`). */
  data: Record<string, unknown>;
  /**
   * The broker holds the message in its outbox (cluster store unreachable): it is not sequenced
   * yet (`sequence` 0) and is delivered, sequenced, once the store accepts it.
   */
  queued?: true;
}

/** Result of a history read. */
export interface HistoryRange {
  /** Messages with sequence > since, in order (at most the requested limit). */
  messages: BrokerMessage[];
  /** False when the gap is older than the history or the epoch differs: the client must resync. */
  recovered: boolean;
  epoch: string;
  /** Latest sequence published on the stream (0 when none). */
  latest: number;
}

/** Broker health for /health and metrics. */
export interface BrokerHealth {
  kind: 'memory' | 'redis';
  status: 'healthy' | 'degraded' | 'unhealthy';
  details?: Record<string, unknown>;
}

/** Called for every publication on a subscribed stream, on every node, in sequence order. */
export type BrokerHandler = (message: BrokerMessage) => void;

/** Pub/sub + history between gateway nodes. */
export interface Broker {
  readonly kind: 'memory' | 'redis';
  /**
   * Sequences and stores (reliable streams: `reliable` true) a publication, then delivers it to every
   * subscribed node. Resolves with the sequenced message.
   * @throws PublishError(UNAVAILABLE) when the backing store is unreachable
   */
  publish(stream: string, data: Record<string, unknown>, timestampMicros: number, reliable: boolean): Promise<BrokerMessage>;
  /**
   * Starts delivering `stream` to `handler` (one handler per stream per node).
   * @param reliable whether the stream is reliable (a gap is then read back from history)
   */
  subscribe(stream: string, handler: BrokerHandler, reliable: boolean): Promise<void>;
  /** Stops delivering `stream` to this node. */
  unsubscribe(stream: string): Promise<void>;
  /**
   * Reads history after `since`. `epoch`, when given, must match the current epoch for recovered=true.
   * @param limit maximum messages returned
   */
  history(stream: string, since: number, epoch: string | undefined, limit: number): Promise<HistoryRange>;
  /** Current epoch and latest sequence of a stream. */
  position(stream: string): Promise<{ epoch: string; latest: number }>;
  /** Health of the backing store. */
  health(): BrokerHealth;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
