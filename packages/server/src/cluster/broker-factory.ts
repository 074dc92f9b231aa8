/**
 * Creates the Broker named by `broker.url`: `memory://` (embedded, one process) or `redis://...` /
 * `rediss://...` (cluster mode), with the `history.*`, `broker.key_prefix` and `cluster.*` settings.
 */
import { MemoryBroker, type Broker } from '@tablecast/gateway';
import type { RedisBroker } from '@tablecast/gateway/redis';
import type { Config } from '../config/index.js';

/**
 * @throws Error for an unsupported URL scheme, naming the config key
 */
export async function createBroker(config: Config, nodeId: string): Promise<Broker> {
  const url = config.broker.url;
  const limits = { maxMessages: config.history.max_messages, maxAgeS: config.history.max_age_s };
  if (url === 'memory' || url.startsWith('memory:')) return new MemoryBroker(limits);
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return createRedisBroker(config, nodeId);
  throw new Error(`config: broker.url "${url}" is not supported (expected memory:// or redis://host:port)`);
}

/**
 * Creates and connects the Redis broker. Starting while Redis is down is allowed: the broker runs
 * in local fallback until Redis answers. ioredis is loaded only in cluster mode.
 * @param now clock, milliseconds (tests)
 */
export async function createRedisBroker(config: Config, nodeId: string, now?: () => number): Promise<RedisBroker> {
  const { RedisBroker } = await import('@tablecast/gateway/redis');
  const c = config.cluster;
  const broker = new RedisBroker({
    url: config.broker.url,
    prefix: config.broker.key_prefix,
    nodeId,
    limits: { maxMessages: config.history.max_messages, maxAgeS: config.history.max_age_s },
    commandTimeoutMs: c.command_timeout_ms,
    reconnectMaxDelayMs: c.reconnect_max_delay_ms,
    breaker: { failureThreshold: c.breaker.failure_threshold, timeoutS: c.breaker.timeout_s },
    outboxMaxMessages: c.outbox_max_messages,
    now,
  });
  await broker.connect().catch(() => undefined);
  return broker;
}
