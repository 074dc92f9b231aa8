/**
 * Redis key and channel names of the broker's streams, all under `broker.key_prefix`
 * (default `tablecast:`). Pub/sub channels ignore the Redis database number, so two deployments on
 * one Redis must use different prefixes, not just different `/db` numbers.
 *
 * | name | type | what |
 * |---|---|---|
 * | `{p}stream:{s}:seq` | string (INCR) | latest sequence of stream s |
 * | `{p}stream:{s}:epoch` | string (SET NX) | history epoch of stream s |
 * | `{p}stream:{s}:hist` | Redis Stream | history of reliable stream s (field `m` = wire message) |
 * | `{p}stream:{s}:last` | string | newest message of latest-value stream s |
 * | `{p}stream:{s}` | channel | every publication of stream s |
 *
 * The application's own keys (the server's cluster: leader lock, node registry, shared breaker)
 * live under `{p}cluster:` beside these (its cluster-keys.ts).
 */

/** Keys of one stream. */
export interface StreamKeys {
  seq: string;
  epoch: string;
  hist: string;
  last: string;
  channel: string;
}

/** Key and channel names under one prefix. */
export class RedisKeys {
  private readonly streams = new Map<string, StreamKeys>();

  constructor(readonly prefix: string) {}

  /** Keys of `stream` (cached). */
  stream(stream: string): StreamKeys {
    let k = this.streams.get(stream);
    if (!k) {
      const base = `${this.prefix}stream:${stream}`;
      k = { seq: `${base}:seq`, epoch: `${base}:epoch`, hist: `${base}:hist`, last: `${base}:last`, channel: base };
      this.streams.set(stream, k);
    }
    return k;
  }
}
