// The cluster's own Redis connections (cluster-redis.ts): a node that starts while Redis is down
// listens to the cluster events channel as soon as Redis answers, and again after Redis restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisProcess, freeTcpPort, redisServerPath } from '@tablecast/gateway/testing';
import { ClusterRedis } from '../../src/cluster/cluster-redis.js';
import { waitFor } from '../helpers/server.js';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';

/** Publishes `message` on the events channel until the node heard it (it subscribes once its connection is ready). */
function hears(pub: Redis, got: string[], message: string, what: string): Promise<void> {
  return waitFor(() => {
    void pub.publish('t:cluster:events', message).catch(() => undefined);
    return got.includes(message);
  }, what, 8000);
}

test('cluster events reach a node that started before Redis, and again after a Redis restart', { skip }, async () => {
  const port = await freeTcpPort();
  const got: string[] = [];
  const cluster = new ClusterRedis({ url: `redis://127.0.0.1:${port}`, nodeId: 'late', commandTimeoutMs: 500, reconnectMaxDelayMs: 100, onError: () => undefined });
  await cluster.connect(); // Redis is not there yet: resolves, keeps retrying
  await cluster.subscribe('t:cluster:events', (m) => got.push(m));
  const redis = await RedisProcess.start(port);
  const pub = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await pub.connect();
    await hears(pub, got, 'first', 'the first event after Redis came up');
    await redis.stop();
    pub.disconnect();
    const again = await RedisProcess.start(port);
    const pub2 = new Redis(again.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await pub2.connect();
      await hears(pub2, got, 'second', 'an event after the Redis restart');
    } finally {
      pub2.disconnect();
      await again.stop();
    }
  } finally {
    pub.disconnect();
    await cluster.close();
    await redis.stop().catch(() => undefined);
  }
  assert.ok(got.includes('first') && got.includes('second'));
});
