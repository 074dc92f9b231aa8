/**
 * StreamCatalog: what the gateway knows about streams, handed in by the application. The engine
 * itself knows no stream by name: it asks the catalog whether a name exists, which canonical
 * stream an alias means, how a stream is delivered, how urgent it is, and whether a payload is
 * acceptable.
 */

/**
 * Delivery class of a stream.
 * - `latest`: conflated per client; a slow client is sent the newest message, never a backlog.
 * - `reliable`: kept in the stream's bounded history; resumable with `since`; at-least-once.
 */
export type DeliveryClass = 'latest' | 'reliable';

/** The first problem found in a payload: where (`data.balls.0.position`) and what. */
export interface PayloadProblem {
  path: string;
  message: string;
}

/** How one canonical stream is delivered. */
export interface StreamDescriptor {
  delivery: DeliveryClass;
  /**
   * Send priority, an integer from 0 (most urgent) to {@link MAX_STREAM_PRIORITY}. Under
   * backpressure a session's queue is flushed most urgent first and latest-value messages are
   * evicted least urgent first.
   */
  priority: number;
  /** Checks a payload against the stream's schema; null when it is acceptable. Absent: any object. */
  check?: (data: unknown) => PayloadProblem | null;
}

/** Least urgent priority a stream may have (a session's queue has one bucket per priority). */
export const MAX_STREAM_PRIORITY = 6;

/** The streams of one application. */
export interface StreamCatalog {
  /** Every name a client may use, canonical names first, then aliases (the welcome's `available_streams`). */
  readonly wireNames: readonly string[];
  /** The canonical stream a wire name (or alias) means, or null when the name is unknown. */
  resolve(name: string): string | null;
  /**
   * The descriptor of a canonical stream.
   * @throws Error for a name that is not a canonical stream of this catalog (a programming error:
   *   callers resolve wire names first)
   */
  describe(stream: string): StreamDescriptor;
}

/** What {@link createStreamCatalog} takes. */
export interface StreamCatalogDefinition {
  /** Canonical streams by name, in the order clients are told about them. */
  streams: Readonly<Record<string, StreamDescriptor>>;
  /** Extra wire names, each for a canonical stream (`{metrics: 'performance'}`). */
  aliases?: Readonly<Record<string, string>>;
  /** The order of {@link StreamCatalog.wireNames}, when not canonical names then aliases: every wire name once. */
  wireOrder?: readonly string[];
}

/**
 * Builds a catalog.
 * @throws Error when a priority is not an integer in 0..{@link MAX_STREAM_PRIORITY}, an alias names
 *   an unknown stream, an alias shadows a canonical name, or `wireOrder` is not every wire name once
 */
export function createStreamCatalog(def: StreamCatalogDefinition): StreamCatalog {
  const streams = new Map<string, StreamDescriptor>();
  for (const [name, d] of Object.entries(def.streams)) {
    if (!Number.isInteger(d.priority) || d.priority < 0 || d.priority > MAX_STREAM_PRIORITY) {
      throw new Error(`stream catalog: ${name}: priority ${d.priority} is not an integer in 0..${MAX_STREAM_PRIORITY}`);
    }
    streams.set(name, { ...d });
  }
  const resolved = new Map<string, string>([...streams.keys()].map((n) => [n, n]));
  for (const [alias, target] of Object.entries(def.aliases ?? {})) {
    if (!streams.has(target)) throw new Error(`stream catalog: alias ${alias} names unknown stream ${target}`);
    if (streams.has(alias)) throw new Error(`stream catalog: alias ${alias} is also a stream`);
    resolved.set(alias, target);
  }
  const wireNames = Object.freeze([...(def.wireOrder ?? resolved.keys())]);
  if (wireNames.length !== resolved.size || wireNames.some((n) => !resolved.has(n))) {
    throw new Error(`stream catalog: wireOrder must list every stream and alias once`);
  }
  return {
    wireNames,
    resolve: (name) => (typeof name === 'string' ? (resolved.get(name) ?? null) : null),
    describe(stream) {
      const d = streams.get(stream);
      if (!d) throw new Error(`stream catalog: "${stream}" is not a stream`);
      return d;
    },
  };
}
