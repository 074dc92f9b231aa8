// Redis outage in cluster mode: three gateway servers on one private redis-server, clients on each,
// events POSTed every 20 ms to two of them. Redis is stopped for 10 s (its data is lost: no
// persistence) and started again. Nothing crashes; each node's broker breaker opens, its own
// publications keep reaching its own clients (local sequence, strictly increasing), an alert goes out;
// when Redis is back the cluster heals by itself: breakers close and cross-node delivery resumes
// within 1 s; offsets of the lost epoch are answered recovered: false.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisProcess, redisServerPath } from '../src/cluster/redis-process.js';
import { startServer, type Started } from './helpers/server.js';
import { connect, type Msg, type TestClient } from './helpers/ws-client.js';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
const KEY = 'cluster-outage-key';
const OUTAGE_MS = 10_000;
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

async function publish(node: Started, i: number): Promise<number> {
  const r = await fetch(`${node.url}/api/v1/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify({ stream: 'event', data: { event: 'tick', i, node: node.server.nodeId } }),
  });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  return (JSON.parse(body) as { sequence: number }).sequence;
}

interface BrokerDetails {
  components: { broker: { status: string; details: { breaker: string; local_fallback: boolean } }; cluster: { status: string } };
}
const health = async (n: Started) => (await (await fetch(`${n.url}/api/v1/health`)).json()) as BrokerDetails;
const ticks = (c: TestClient) => c.of('event').filter((m) => m.data.event === 'tick');
const increasing = (ms: Msg[]) => ms.every((m, k) => k === 0 || m.sequence > ms[k - 1]!.sequence);

async function until(pred: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await pred())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('Redis down 10 s and back: no crash, breakers open and close, local delivery meanwhile, delivery resumes within 1 s', { skip, timeout: 60_000 }, async (t) => {
  for (const [k, n] of nodes.entries()) {
    const c = await connect(n.ws, { client_id: `out-${k}` });
    clients.push(c);
    await c.subscribe(['event', 'alert']);
  }
  const [c1, c2, c3] = clients as [TestClient, TestClient, TestClient];
  let i = 0;
  let running = true;
  const publisher = (async () => {
    while (running) {
      await publish(nodes[i % 2]!, ++i); // o1 and o2 publish; o3 only receives
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await until(() => ticks(c3).length >= 10, 'cross-node delivery before the outage', 5000);
  const { epoch: oldEpoch } = await nodes[0]!.server.hub.broker.position('event');
  const heldBefore = ticks(c3).at(-1)!.sequence;

  await redis.stop();
  const downAt = Date.now();
  await until(async () => (await Promise.all(nodes.map(health))).every((h) => h.components.broker.details.breaker === 'open'), 'every breaker open', 3000);
  const h = await health(nodes[0]!);
  assert.equal(h.components.broker.status, 'degraded');
  assert.equal(h.components.cluster.status, 'degraded');
  // Each node's own publications still reach its own clients (REST answers 200 throughout).
  const n1 = ticks(c1).length;
  const n2 = ticks(c2).length;
  await until(() => ticks(c1).length > n1 + 20 && ticks(c2).length > n2 + 20, 'local delivery during the outage', 5000);
  for (const c of clients) await c.until(() => c.of('alert').some((m) => m.data.code === 'BROKER_UNAVAILABLE'), 3000, 'BROKER_UNAVAILABLE alert');
  const c3During = ticks(c3).length;
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
  assert.equal(ticks(c3).length, c3During, 'o3 publishes nothing itself, so it receives nothing while Redis is down');

  await redis.restart();
  const backAt = Date.now();
  const backMicros = backAt * 1000;
  // Delivery resumed: a publication made after Redis came back reaches a client on another node.
  await until(() => ticks(c3).some((m) => Date.parse(m.timestamp) * 1000 >= backMicros), 'cross-node delivery after the outage', 5000);
  const firstAfter = ticks(c3).find((m) => Date.parse(m.timestamp) * 1000 >= backMicros)!;
  const resumeMs = performance.timeOrigin + firstAfter.at - backAt;
  t.diagnostic(`Redis down ${((backAt - downAt) / 1000).toFixed(1)} s; cross-node delivery resumed ${resumeMs.toFixed(0)} ms after Redis answered again`);
  assert.ok(resumeMs < 1000, `delivery resumed after ${resumeMs.toFixed(0)} ms (bound 1000 ms)`);
  await until(async () => (await Promise.all(nodes.map(health))).every((x) => x.components.broker.details.breaker === 'closed' && x.components.broker.status === 'healthy'), 'every breaker closed', 3000);

  const more = i + 20;
  await until(() => i >= more, '20 more publishes', 5000);
  running = false;
  await publisher;
  for (const c of [c1, c2, c3]) {
    await c.until(() => ticks(c).some((m) => m.data.i === i), 3000, 'the last tick');
    assert.ok(increasing(c.of('event')), `${c.of('event').map((m) => m.sequence).join(',')}: sequences only increase on every node`);
  }
  await c1.until(() => c1.of('alert').some((m) => m.data.code === 'BROKER_RECOVERED'), 3000, 'BROKER_RECOVERED alert');
  assert.equal(c1.of('alert').filter((m) => m.data.code === 'BROKER_RECOVERED').length, 1, 'one recovery alert for the cluster');

  // The epoch before the outage is gone with Redis' data: resuming from it is refused, never wrong.
  const late = await connect(nodes[2]!.ws, { client_id: 'out-late' });
  clients.push(late);
  const r = await late.subscribe(['event'], undefined, { since: { event: heldBefore }, epoch: { event: oldEpoch } });
  assert.deepEqual(r.data.recovered, { event: false });
  assert.notEqual(r.data.epochs.event, oldEpoch);
  assert.deepEqual(crashes, [], 'no uncaught exception or unhandled rejection');
  for (const n of nodes) assert.equal((await fetch(`${n.url}/api/v1/health/live`)).status, 200);
});
