/**
 * The in-process publish API the pipeline (and REST, and publisher connections) use.
 */

/** Options of one publish. */
export interface PublishOptions {
  /** Publish timestamp, microseconds since the Unix epoch; default now. */
  timestampMicros?: number;
}

/** What a publish returns once the message is sequenced (and stored, for reliable streams). */
export interface PublishResult {
  stream: string;
  /** Per-stream sequence, strictly increasing by 1 (0 while `queued`). */
  sequence: number;
  /**
   * Cluster mode with Redis unreachable: the publication waits in the node's outbox and is
   * sequenced and delivered (to every node's clients) when Redis returns.
   */
  queued?: true;
  /** Wire timestamp (ISO-8601 with microseconds). */
  timestamp: string;
}

/** Anything that accepts stream messages: the gateway hub implements it. */
export interface StreamPublisher {
  /**
   * Publishes `data` on `stream`: sequences it, stores it in history (reliable streams) and fans it
   * out to every subscriber.
   * @throws PublishError (code UNAVAILABLE) when the broker is down; callers may retry.
   */
  publish(stream: string, data: Record<string, unknown>, options?: PublishOptions): Promise<PublishResult>;
  /** Number of local clients subscribed to `stream` (aliases included). */
  subscriberCount(stream: string): number;
}
