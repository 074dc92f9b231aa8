/**
 * Stream names, their delivery class and their priority under backpressure (PROTOCOL sections 3 and 6).
 * Isomorphic: no Node-only code.
 */

/** Every stream a client may subscribe to. `metrics` is an alias of `performance`. */
export const STREAM_NAMES = [
  'state',
  'trajectory',
  'frame',
  'alert',
  'config',
  'performance',
  'metrics',
  'event',
  'detection',
  'system_health',
  'status',
] as const;

/** A stream name as accepted on the wire (aliases included). */
export type StreamName = (typeof STREAM_NAMES)[number];

/** A canonical stream name (aliases resolved). */
export type CanonicalStream = Exclude<StreamName, 'metrics'>;

/** Stream aliases: the key is accepted on the wire and delivered as the value's messages. */
export const STREAM_ALIASES: Readonly<Record<string, CanonicalStream>> = { metrics: 'performance' };

/**
 * Delivery class of a stream.
 * - `latest`: conflated per client; a slow client is sent the newest message, never a backlog.
 * - `reliable`: kept in the stream's bounded history; resumable with `since`; at-least-once.
 */
export type DeliveryClass = 'latest' | 'reliable';

/** Delivery class for every canonical stream (PROTOCOL section 6). */
export const DELIVERY_CLASS: Readonly<Record<CanonicalStream, DeliveryClass>> = {
  state: 'latest',
  trajectory: 'latest',
  frame: 'latest',
  performance: 'latest',
  alert: 'reliable',
  config: 'reliable',
  event: 'reliable',
  detection: 'reliable',
  system_health: 'latest',
  status: 'reliable',
};

/**
 * Priority when a client's send queue is under pressure; lower number is sent first.
 * alert > config > event > trajectory > state > performance > frame (PROTOCOL section 6).
 * Streams the contract does not rank are placed beside their closest peer.
 */
export const STREAM_PRIORITY: Readonly<Record<CanonicalStream, number>> = {
  alert: 0,
  config: 1,
  status: 1,
  event: 2,
  detection: 2,
  trajectory: 3,
  state: 4,
  system_health: 5,
  performance: 5,
  frame: 6,
};

/** Canonical streams in priority order (highest first). */
export const STREAMS_BY_PRIORITY: readonly CanonicalStream[] = (Object.keys(STREAM_PRIORITY) as CanonicalStream[]).sort(
  (a, b) => STREAM_PRIORITY[a] - STREAM_PRIORITY[b],
);

/** True when `name` is a stream name accepted on the wire. */
export function isStreamName(name: unknown): name is StreamName {
  return typeof name === 'string' && (STREAM_NAMES as readonly string[]).includes(name);
}

/** Resolves an alias (`metrics`) to its canonical stream; returns canonical names unchanged. */
export function canonicalStream(name: StreamName): CanonicalStream {
  return STREAM_ALIASES[name] ?? (name as CanonicalStream);
}
