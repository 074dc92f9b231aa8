// The cluster's own Redis connections (cluster-redis.ts): a node that starts while Redis is down
// listens to the cluster events channel as soon as Redis answers, and again after Redis restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisProcess, freeTcpPort, redisServerPath } from '@tablecast/gateway/testing';
import { ClusterRedis } from '../../src/cluster/cluster-redis.js';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';

async function until(pred: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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
    // Publish until the late node hears one (it subscribes once its connection is ready).
    await until(() => {
      void pub.publish('t:cluster:events', 'first').catch(() => undefined);
      return got.includes('first');
    }, 'the first event after Redis came up');
    await redis.stop();
    pub.disconnect();
    const again = await RedisProcess.start(port);
    const pub2 = new Redis(again.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await pub2.connect();
      await until(() => {
        void pub2.publish('t:cluster:events', 'second').catch(() => undefined);
        return got.includes('second');
      }, 'an event after the Redis restart');
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
