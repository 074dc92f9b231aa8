/**
 * Creates the Broker named by `broker.url`: `memory://` (embedded) or `redis://...` (cluster mode).
 */
import type { Config } from '../config/index.js';
import type { Broker } from './broker.js';
import { MemoryBroker } from './broker-memory.js';

/**
 * @throws Error for an unsupported URL scheme, naming the config key
 */
export async function createBroker(config: Config, nodeId: string): Promise<Broker> {
  const url = config.broker.url;
  const limits = { maxMessages: config.history.max_messages, maxAgeS: config.history.max_age_s };
  if (url === 'memory' || url.startsWith('memory:')) return new MemoryBroker(limits);
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const mod = (await import(new URL('../cluster/broker-redis.js', import.meta.url).href)) as {
      createRedisBroker(config: Config, nodeId: string): Promise<Broker>;
    };
    return mod.createRedisBroker(config, nodeId);
  }
  throw new Error(`config: broker.url "${url}" is not supported (expected memory:// or redis://host:port)`);
}
