/**
 * Redis keys of the cluster's own coordination, under `broker.key_prefix` beside the broker's
 * stream keys (@tablecast/gateway/redis RedisKeys):
 *
 * | name | type | what |
 * |---|---|---|
 * | `{p}cluster:leader` | string (SET NX PX) | node id holding the pipeline lock |
 * | `{p}cluster:nodes` | sorted set | node id -> last heartbeat (ms) |
 * | `{p}cluster:node:{id}` | hash (PEXPIRE) | one node's heartbeat |
 * | `{p}cluster:breaker:{name}` | hash | shared circuit breaker state |
 * | `{p}cluster:events` | channel | leader released, breaker changes (JSON) |
 * | `{p}ratelimit:{name}:{address}` | string (rate-limiter-flexible) | attempts of one client address |
 */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

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

  /** Prefix of one rate limit's counters (`ws`, `http`). */
  rateLimit(name: string): string {
    return `${this.prefix}ratelimit:${name}`;
  }

  get events(): string {
    return `${this.prefix}cluster:events`;
  }
}
