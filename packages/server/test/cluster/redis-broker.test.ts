// RedisBroker beyond the shared suite: several nodes on one Redis (same order everywhere), pub/sub only
// for subscribed streams, gap fill after a subscriber reconnect, epoch loss on a Redis restart, and
// local fallback during an outage with reconciliation when Redis is back. Real redis-server child.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { DELIVERY_CLASS, type CanonicalStream } from '@tablecast/protocol';
import type { BrokerMessage } from '@tablecast/gateway';
import { RedisBroker, type RedisBrokerEvent, type RedisBrokerOptions } from '@tablecast/gateway/redis';
import { RedisProcess, redisServerPath } from '@tablecast/gateway/testing';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
let redis: RedisProcess;
let admin: Redis;
let n = 0;
const open: RedisBroker[] = [];

before(async () => {
  if (skip) return;
  redis = await RedisProcess.start();
  admin = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  await admin.connect();
});
after(async () => {
  for (const b of open) await b.close();
  admin?.disconnect();
  await redis?.stop();
});

async function node(prefix: string, id = `n${++n}`, extra: Partial<RedisBrokerOptions> = {}): Promise<RedisBroker> {
  const b = new RedisBroker({
    url: redis.url, prefix, nodeId: id, limits: { maxMessages: 1000, maxAgeS: 300 },
    commandTimeoutMs: 1000, reconnectMaxDelayMs: 50, breaker: { failureThreshold: 3, timeoutS: 30 },
    ...extra,
  });
  await b.connect();
  open.push(b);
  return b;
}

async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function collect(b: RedisBroker, stream: CanonicalStream): Promise<BrokerMessage[]> {
  const got: BrokerMessage[] = [];
  return b.subscribe(stream, (m) => got.push(m), DELIVERY_CLASS[stream] === 'reliable').then(() => got);
}

const seqs = (ms: BrokerMessage[]) => ms.map((m) => m.sequence);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

test('three nodes publishing concurrently: every node delivers every message once, in the same order', { skip }, async () => {
  const nodes = await Promise.all([node('order:'), node('order:'), node('order:')]);
  const got = await Promise.all(nodes.map((b) => collect(b, 'event')));
  const per = 100;
  await Promise.all(nodes.flatMap((b, k) => range(1, per).map((i) => b.publish('event', { event: 'e', from: k, i }, Date.now() * 1000, true))));
  await until(() => got.every((g) => g.length >= 3 * per), 'all deliveries');
  for (const g of got) assert.deepEqual(seqs(g), range(1, 3 * per), 'gapless, in order, once');
  const order = (g: BrokerMessage[]) => g.map((m) => `${m.data.from}/${m.data.i}`).join(',');
  assert.equal(order(got[1]!), order(got[0]!));
  assert.equal(order(got[2]!), order(got[0]!));
  // Per publisher, its own messages keep their publish order.
  for (let k = 0; k < 3; k++) assert.deepEqual(got[0]!.filter((m) => m.data.from === k).map((m) => m.data.i), range(1, per));
});

test('a node subscribes in Redis only to streams it has subscribers for', { skip }, async () => {
  const b = await node('subs:');
  const ch = b.keys.stream('state').channel;
  const numsub = async () => Number(((await admin.pubsub('NUMSUB', ch)) as [string, number])[1]);
  assert.equal(await numsub(), 0);
  await b.publish('state', { balls: [] }, Date.now() * 1000, false);
  assert.equal(await numsub(), 0, 'publishing does not subscribe');
  await b.subscribe('state', () => undefined, false);
  assert.equal(await numsub(), 1);
  await b.unsubscribe('state');
  await until(() => true, '');
  assert.equal(await numsub(), 0);
});

test('a subscriber reconnect loses nothing: the gap is filled from the stream history, in order', { skip }, async () => {
  const [a, b] = await Promise.all([node('gap:'), node('gap:', 'gap-b')]);
  const got = await collect(b, 'event');
  let i = 0;
  let stop = false;
  const pub = (async () => {
    while (!stop) {
      await a.publish('event', { event: 'e', i: ++i }, Date.now() * 1000, true);
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await until(() => got.length > 50, 'first deliveries');
  await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  await until(() => b.stats.gapFills > 0 || b.stats.duplicates > 0, 'a gap fill after the reconnect');
  const target = got.length + 100;
  await until(() => got.length >= target, 'delivery resumes');
  stop = true;
  await pub;
  await until(() => got.length === i, `all ${i} messages`);
  assert.deepEqual(seqs(got), range(1, i));
  assert.equal(b.stats.gapsUnrecovered, 0);

});

test('a Redis restart that lost the data: the epoch and sequence are restored, older offsets are not resumed', { skip }, async () => {
  const events: RedisBrokerEvent[] = [];
  const a = await node('epoch:');
  a.onEvent((e) => events.push(e));
  const got = await collect(a, 'event');
  for (let i = 1; i <= 5; i++) await a.publish('event', { event: 'e', i }, Date.now() * 1000, true);
  const before = await a.position('event');
  await until(() => got.length === 5, '5 deliveries');
  await redis.restart();
  await until(() => events.some((e) => e.type === 'recovered'), 'recovered event', 5000);
  const pos = await a.position('event');
  assert.deepEqual(pos, before, 'epoch and sequence restored from what the node knew');
  const r = await a.history('event', 3, before.epoch, 100);
  assert.equal(r.recovered, false, 'the history before the restart is gone: offset 3 is not resumed');
  assert.equal((await a.history('event', 5, before.epoch, 100)).recovered, true, 'a client at the head stays valid');
  const m = await a.publish('event', { event: 'after' }, Date.now() * 1000, true);
  assert.equal(m.sequence, 6, 'the sequence continues');
  assert.equal(m.epoch, before.epoch);
  await until(() => got.length === 6, 'delivery after the restart');
  assert.equal(got[5]!.sequence, 6);
  assert.equal((await a.history('event', 5, before.epoch, 100)).messages.length, 1);
});

test('outage: reliable publishes wait in the outbox, latest-value ones are delivered locally; Redis back: the outbox reaches every node in the same epoch', { skip }, async () => {
  const events: RedisBrokerEvent[] = [];
  const a = await node('outage:');
  const other = await node('outage:');
  a.onEvent((e) => events.push(e));
  const got = await collect(a, 'event');
  const otherGot = await collect(other, 'event');
  const states = await collect(a, 'state');
  for (let i = 1; i <= 3; i++) await a.publish('event', { event: 'e', i }, Date.now() * 1000, true);
  const redisEpoch = (await a.position('event')).epoch;
  await until(() => got.length === 3 && otherGot.length === 3, 'deliveries');

  await redis.stop('SIGKILL');
  await until(() => events.some((e) => e.type === 'breaker' && e.to === 'open'), 'breaker open');
  const queued = [];
  for (let i = 4; i <= 6; i++) queued.push(await a.publish('event', { event: 'outbox', i }, Date.now() * 1000, true));
  assert.deepEqual(queued.map((m) => [m.queued, m.sequence]), [[true, 0], [true, 0], [true, 0]], 'queued, not sequenced');
  assert.equal(a.outboxLength, 3);
  assert.equal(got.length, 3, 'nothing delivered with a provisional sequence');
  assert.deepEqual(await a.position('event'), { epoch: redisEpoch, latest: 3 });
  assert.equal((await a.history('event', 3, redisEpoch, 100)).recovered, true, 'a client at the head is still in step');
  // Latest-value streams keep the local table live.
  const st = await a.publish('state', { balls: [] }, Date.now() * 1000, false);
  assert.notEqual(st.queued, true);
  await until(() => states.length === 1, 'local state delivery');
  assert.equal(a.health().status, 'degraded');
  assert.equal((a.health().details as { outbox: number }).outbox, 3);

  const t0 = Date.now();
  await redis.restart();
  await until(() => events.some((e) => e.type === 'breaker' && e.to === 'closed'), 'breaker closed', 5000);
  const healMs = Date.now() - t0;
  assert.ok(healMs < 2500, `healed ${healMs} ms after Redis came back (bound 2500 ms, including the settle delay)`);
  await until(() => got.length === 6 && otherGot.length === 6, 'the outbox delivered on both nodes');
  for (const g of [got, otherGot]) {
    assert.deepEqual(seqs(g), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(g.slice(3).map((m) => [m.epoch, m.data.i]), [[redisEpoch, 4], [redisEpoch, 5], [redisEpoch, 6]]);
  }
  const m = await a.publish('event', { event: 'back' }, Date.now() * 1000, true);
  assert.deepEqual([m.sequence, m.epoch], [7, redisEpoch]);
  const resumed = await other.history('event', 3, redisEpoch, 100);
  assert.deepEqual({ rec: resumed.recovered, s: seqs(resumed.messages) }, { rec: true, s: [4, 5, 6, 7] }, 'the outage is resumable from the other node');
  assert.equal(a.outboxLength, 0);
  assert.equal(a.stats.outboxFlushed, 3);
  assert.equal(a.health().status, 'healthy');
});

test('a full outbox refuses the publish with UNAVAILABLE (never drops silently)', { skip }, async () => {
  const a = await node('outbox-full:', undefined, { outboxMaxMessages: 2 });
  await a.publish('alert', { level: 'info', message: 'x' }, Date.now() * 1000, true);
  a.breaker.transition('open');
  await a.publish('alert', { level: 'info', message: '1' }, Date.now() * 1000, true);
  await a.publish('alert', { level: 'info', message: '2' }, Date.now() * 1000, true);
  await assert.rejects(a.publish('alert', { level: 'info', message: '3' }, Date.now() * 1000, true), /outbox is full/);
  assert.equal(a.stats.outboxRejected, 1);
});
