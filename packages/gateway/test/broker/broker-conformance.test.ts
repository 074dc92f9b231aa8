// The Broker conformance suite run against both implementations: the embedded MemoryBroker and the
// cluster RedisBroker (against a private redis-server child process).
import { after, before } from 'node:test';
import { MemoryBroker } from '@tablecast/gateway';
import { RedisBroker } from '@tablecast/gateway/redis';
import { brokerSuite, RedisProcess, redisServerPath } from '@tablecast/gateway/testing';

brokerSuite('memory', () => async (limits, now) => new MemoryBroker(limits, now));

const redisSkip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
let redis: RedisProcess | null = null;
let prefixCounter = 0;
before(async () => {
  if (!redisSkip) redis = await RedisProcess.start();
});
after(async () => {
  await redis?.stop();
});
brokerSuite(
  'redis',
  () => async (limits, now) => {
    const b = new RedisBroker({
      url: redis!.url,
      prefix: `suite${++prefixCounter}:`,
      nodeId: `suite-${prefixCounter}`,
      limits,
      commandTimeoutMs: 2000,
      reconnectMaxDelayMs: 100,
      breaker: { failureThreshold: 3, timeoutS: 1 },
      now,
    });
    await b.connect();
    return b;
  },
  { skip: redisSkip },
);

