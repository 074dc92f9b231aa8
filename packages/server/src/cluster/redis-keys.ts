/**
 * Redis key and channel names of one tablecast deployment, all under `broker.key_prefix`
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
 * | `{p}cluster:leader` | string (SET NX PX) | node id holding the pipeline lock |
 * | `{p}cluster:nodes` | sorted set | node id -> last heartbeat (ms) |
 * | `{p}cluster:node:{id}` | hash (PEXPIRE) | one node's heartbeat |
 * | `{p}cluster:breaker:{name}` | hash | shared circuit breaker state |
 * | `{p}cluster:events` | channel | leader released, breaker changes (JSON) |
 */
import type { CanonicalStream } from '@tablecast/protocol';

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
  private readonly streams = new Map<CanonicalStream, StreamKeys>();

  constructor(readonly prefix: string) {}

  /** Keys of `stream` (cached). */
  stream(stream: CanonicalStream): StreamKeys {
    let k = this.streams.get(stream);
    if (!k) {
      const base = `${this.prefix}stream:${stream}`;
      k = { seq: `${base}:seq`, epoch: `${base}:epoch`, hist: `${base}:hist`, last: `${base}:last`, channel: base };
      this.streams.set(stream, k);
    }
    return k;
  }

  get leader(): string {
    return `${this.prefix}cluster:leader`;
  }

  get nodes(): string {
    return `${this.prefix}cluster:nodes`;
  }

  node(id: string): string {
    return `${this.prefix}cluster:node:${id}`;
  }

  breaker(name: string): string {
    return `${this.prefix}cluster:breaker:${name}`;
  }

  get events(): string {
    return `${this.prefix}cluster:events`;
  }
}
