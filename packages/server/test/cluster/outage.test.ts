// Redis outage in cluster mode (issue 16, point 6): three gateway servers on one private
// redis-server, clients on each, events POSTed every 20 ms to two of them. Redis is killed for 30 s
// (its data is lost: no persistence) and started again. Nothing crashes; each node's breaker opens,
// its clients get a node-local BROKER_UNAVAILABLE notice, and its reliable publications wait in its
// outbox (REST answers 200 `queued`). When Redis is back the outboxes are written: every client on
// every node gets every event exactly once, in one gapless sequence of the unchanged epoch, and
// resumes from offsets taken before or during the outage recover (`recovered: true`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisProcess, redisServerPath } from '@tablecast/gateway/testing';
import { startServer, type Started } from '../helpers/server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
const KEY = 'cluster-outage-key';
const OUTAGE_MS = 30_000;
let redis: RedisProcess;
const nodes: Started[] = [];
const clients: TestClient[] = [];
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

before(async () => {
  if (skip) return;
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  redis = await RedisProcess.start();
  for (const id of ['o1', 'o2', 'o3']) {
    nodes.push(await startServer({
      server: { node_id: id },
      broker: { url: redis.url, key_prefix: 'out:' },
      publish: { api_keys: [KEY] },
      // History holds the whole outage (about 1,300 events), so a resume across it can recover.
      history: { max_messages: 5000 },
      cluster: { heartbeat_interval_ms: 200, reconnect_max_delay_ms: 200, command_timeout_ms: 500 },
    }));
  }
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const n of nodes) await n.close();
  await redis?.stop();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

async function publish(node: Started, i: number): Promise<{ sequence: number; queued?: true }> {
  const r = await fetch(`${node.url}/api/v1/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify({ stream: 'event', data: { event: 'tick', i, node: node.server.nodeId } }),
  });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  return JSON.parse(body) as { sequence: number; queued?: true };
}

interface BrokerDetails {
  components: { broker: { status: string; details: { breaker: string; local_fallback: boolean; outbox: number; outboxFlushed: number } }; cluster: { status: string } };
}
const health = async (n: Started) => (await (await fetch(`${n.url}/api/v1/health`)).json()) as BrokerDetails;
const ticks = (c: TestClient) => c.of('event').filter((m) => m.data.event === 'tick');

async function until(pred: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await pred())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('Redis killed 30 s and back: publications wait in the outboxes, then every client gets every event once, gapless, and resumes recover', { skip, timeout: 120_000 }, async (t) => {
  for (const [k, n] of nodes.entries()) {
    const c = await connect(n.ws, { client_id: `out-${k}` });
    clients.push(c);
    await c.subscribe(['event', 'alert']);
  }
  const [c1, c2, c3] = clients as [TestClient, TestClient, TestClient];
  // A client that leaves during the outage and comes back after it, on another node.
  const leaver = await connect(nodes[0]!.ws, { client_id: 'out-leaver' });
  await leaver.subscribe(['event']);
  clients.push(leaver);
  let i = 0;
  let queued = 0;
  let running = true;
  const publisher = (async () => {
    while (running) {
      const r = await publish(nodes[i % 2]!, ++i); // o1 and o2 publish; o3 only receives
      if (r.queued) queued++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await until(() => ticks(c3).length >= 10, 'cross-node delivery before the outage', 5000);
  const { epoch: oldEpoch } = await nodes[0]!.server.hub.broker.position('event');

  await redis.stop('SIGKILL');
  const downAt = Date.now();
  await until(async () => (await Promise.all(nodes.map(health))).every((h) => h.components.broker.details.breaker === 'open'), 'every breaker open', 3000);
  const h = await health(nodes[0]!);
  assert.equal(h.components.broker.status, 'degraded');
  assert.equal(h.components.cluster.status, 'degraded');
  // Clients learn of the outage at once, from a node-local notice outside the stream's sequence.
  for (const c of [c1, c2, c3]) await c.until(() => c.of('alert').some((m) => m.data.code === 'BROKER_UNAVAILABLE' && m.sequence === 0), 3000, 'BROKER_UNAVAILABLE notice');
  await until(() => queued >= 20, 'publications queued during the outage', 5000);
  const leaverLast = ticks(leaver).at(-1)!.sequence;
  await leaver.close();
  const watching = [c1, c2, c3];
  const seen = watching.map((c) => ticks(c).length);
  await until(async () => (await health(nodes[0]!)).components.broker.details.outbox > 0, 'an outbox filling', 3000);
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
  assert.deepEqual(watching.map((c) => ticks(c).length), seen, 'nothing is delivered with provisional sequences while Redis is down');

  await redis.restart();
  const backAt = Date.now();
  await until(async () => (await Promise.all(nodes.map(health))).every((x) => x.components.broker.details.breaker === 'closed' && x.components.broker.status === 'healthy'), 'every breaker closed, outboxes empty', 10_000);
  t.diagnostic(`Redis down ${((backAt - downAt) / 1000).toFixed(1)} s; ${queued} publications were queued; healed ${Date.now() - backAt} ms after Redis answered`);

  const more = i + 20;
  await until(() => i >= more, '20 more publishes', 5000);
  running = false;
  await publisher;
  const all = Array.from({ length: i }, (_, k) => k + 1);
  for (const c of [c1, c2, c3]) {
    await c.until(() => ticks(c).some((m) => m.data.i === i), 5000, 'the last tick');
    const got = ticks(c).map((m) => m.data.i as number).sort((a, b) => a - b);
    assert.deepEqual(got, all, 'every event published on any node reached every client, exactly once');
    const seqs = c.of('event').map((m) => m.sequence);
    assert.ok(seqs.every((q, k) => k === 0 || q === seqs[k - 1]! + 1), `one gapless sequence on every node: ${seqs.join(',')}`);
  }
  const { epoch: newEpoch } = await nodes[2]!.server.hub.broker.position('event');
  assert.equal(newEpoch, oldEpoch, 'the epoch survived the loss of Redis\' data');
  await c1.until(() => c1.of('alert').some((m) => m.data.code === 'BROKER_RECOVERED'), 5000, 'BROKER_RECOVERED alert');
  assert.equal(c1.of('alert').filter((m) => m.data.code === 'BROKER_RECOVERED').length, 1, 'one recovery alert for the cluster');

  // The client that left during the outage resumes on another node: everything since its offset,
  // including what every node's outbox wrote.
  const back = await connect(nodes[2]!.ws, { client_id: 'out-leaver-back' });
  clients.push(back);
  const r = await back.subscribe(['event'], undefined, { since: { event: leaverLast }, epoch: { event: oldEpoch } });
  assert.deepEqual(r.data.recovered, { event: true }, 'resume across the outage recovered');
  const lastSeq = c3.of('event').at(-1)!.sequence;
  await back.until(() => back.of('event').some((m) => m.sequence === lastSeq), 5000, 'the replayed history');
  const replayed = back.of('event').map((m) => m.sequence);
  assert.deepEqual(replayed, Array.from({ length: lastSeq - leaverLast }, (_, k) => leaverLast + 1 + k), 'gapless replay');
  // Redis' own history from before the outage is gone with its data: an older offset is refused, never wrong.
  const old = await connect(nodes[2]!.ws, { client_id: 'out-old' });
  clients.push(old);
  const o = await old.subscribe(['event'], undefined, { since: { event: 1 }, epoch: { event: oldEpoch } });
  assert.deepEqual(o.data.recovered, { event: false });
  assert.deepEqual(crashes, [], 'no uncaught exception or unhandled rejection');
  for (const n of nodes) assert.equal((await fetch(`${n.url}/api/v1/health/live`)).status, 200);
});
