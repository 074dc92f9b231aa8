// The leader lock (cluster/leader-election.ts) and the shared circuit breaker (cluster/shared-breaker.ts)
// against a private redis-server: one leader among candidates, hand-over on release (notified) and on
// death (TTL), step-down when another node holds the lock, re-take after a Redis restart; breaker
// transitions mirrored to every node and applied to a breaker attached later.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { LeaderElection, LEADER_RELEASED } from '../../src/cluster/leader-election.js';
import { SharedBreakerState, type BreakerEvent } from '../../src/cluster/shared-breaker.js';
import { RedisProcess, redisServerPath } from '@tablecast/gateway/testing';
import { CircuitBreaker } from '@tablecast/common';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
let redis: RedisProcess;
const conns: Redis[] = [];
const elections: LeaderElection[] = [];
const TTL = 600;

before(async () => {
  if (!skip) redis = await RedisProcess.start();
});
after(async () => {
  for (const e of elections) await e.stop();
  for (const c of conns) c.disconnect();
  await redis?.stop();
});

function conn(): Redis {
  const c = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: (n) => Math.min(50 * n, 100), lazyConnect: false });
  c.on('error', () => undefined);
  conns.push(c);
  return c;
}

async function ready(c: Redis): Promise<Redis> {
  if (c.status !== 'ready') await new Promise((r) => c.once('ready', r));
  return c;
}

async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<number> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

async function candidates(key: string, n: number) {
  const events = `${key}:events`;
  const list: { e: LeaderElection; redis: Redis; changes: boolean[] }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await ready(conn());
    const changes: boolean[] = [];
    const e = new LeaderElection({ redis: r, key, eventsChannel: events, nodeId: `node-${i}`, ttlMs: TTL, onChange: (l) => changes.push(l) });
    elections.push(e);
    list.push({ e, redis: r, changes });
  }
  // Followers take over at once on a release notification (the Cluster wires this through the broker).
  const sub = await ready(conn());
  await sub.subscribe(events);
  sub.on('message', (_ch: string, raw: string) => {
    if ((JSON.parse(raw) as { type: string }).type === LEADER_RELEASED) for (const c of list) c.e.poke();
  });
  return list;
}

const leaders = <T extends { e: LeaderElection }>(list: T[]): T[] => list.filter((c) => c.e.isLeader);

test('exactly one of three candidates leads; the others know who', { skip }, async () => {
  const list = await candidates('lock1', 3);
  for (const c of list) c.e.start();
  await until(() => leaders(list).length === 1 && list.every((c) => c.e.leaderId !== null), 'one leader');
  await new Promise((r) => setTimeout(r, TTL * 2)); // several renewal rounds: still one, still the same
  assert.equal(leaders(list).length, 1);
  const id = leaders(list)[0]!.e.leaderId;
  for (const c of list) assert.equal(c.e.leaderId, id);
});

test('a graceful release hands over at once (notification), a dead leader within the TTL', { skip }, async () => {
  const list = await candidates('lock2', 3);
  for (const c of list) c.e.start();
  await until(() => leaders(list).length === 1, 'first leader');
  const first = leaders(list)[0]!;
  await first.e.stop();
  assert.deepEqual(first.changes, [true, false]);
  const handover = await until(() => leaders(list).length === 1, 'second leader', 2000);
  assert.ok(handover < 150, `handover after release took ${handover} ms (bound 150 ms, not the TTL)`);
  const second = leaders(list)[0]!;
  assert.notEqual(second, first);
  // Death: the connection goes away without a release; the lock expires.
  const t0 = Date.now();
  second.redis.disconnect();
  await until(() => list.some((c) => c !== first && c !== second && c.e.isLeader), 'third leader', 3000);
  const took = Date.now() - t0;
  assert.ok(took <= TTL + TTL / 3 + 250, `takeover after death took ${took} ms (bound ttl ${TTL} + ttl/3 + 250 ms)`);
  assert.ok(took >= TTL / 2, `not before the lock could expire (${took} ms)`);
});

test('the leader steps down when another node holds the lock, and re-takes a lock lost in a Redis restart', { skip }, async () => {
  const [a] = await candidates('lock3', 1);
  a!.e.start();
  await until(() => a!.e.isLeader, 'leader');
  await a!.redis.set('lock3', 'intruder', 'PX', 60_000);
  await a!.e.tick();
  assert.equal(a!.e.isLeader, false);
  assert.equal(a!.e.leaderId, 'intruder');
  await a!.redis.del('lock3');
  await until(() => a!.e.isLeader, 'leader again');
  await redis.restart();
  await ready(a!.redis);
  await a!.e.tick();
  assert.equal(a!.e.isLeader, true, 'still the leader');
  assert.equal(await a!.redis.get('lock3'), 'node-0', 'the lock exists again after the restart');
});

test('breaker state is shared: a transition on one node is applied on the others; a breaker attached later starts from it', { skip }, async () => {
  const events = 'brk:events';
  const states = ['n1', 'n2', 'n3'].map(async (id) => {
    const r = await ready(conn());
    return new SharedBreakerState(r, 'brk:pipeline', events, 'pipeline', id);
  });
  const [s1, s2, s3] = await Promise.all(states);
  const sub = await ready(conn());
  await sub.subscribe(events);
  sub.on('message', (_c: string, raw: string) => {
    for (const s of [s1!, s2!, s3!]) s.onEvent(JSON.parse(raw) as BreakerEvent);
  });
  const make = (s: SharedBreakerState) => new CircuitBreaker({ failureThreshold: 2, timeoutS: 60, onStateChange: (to) => s.onStateChange(to) });
  const b1 = make(s1!);
  const b2 = make(s2!);
  await s1!.attach(b1);
  await s2!.attach(b2);
  b1.recordFailure();
  b1.recordFailure();
  assert.equal(b1.state, 'open');
  await until(() => b2.state === 'open', 'n2 applies open');
  assert.deepEqual({ state: s3!.shared?.state, node: s3!.shared?.node }, { state: 'open', node: 'n1' }, 'a node without a breaker still knows');
  const b3 = make(s3!);
  await s3!.attach(b3);
  assert.equal(b3.state, 'open', 'attached later: starts open');
  b2.transition('closed');
  await until(() => b1.state === 'closed' && b3.state === 'closed', 'close mirrored to n1 and n3');
  assert.equal(s1!.shared?.node, 'n2');
});
