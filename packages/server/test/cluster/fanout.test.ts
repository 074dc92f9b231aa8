// Cluster mode with three gateway servers (in-process, each with its own Redis connections) on one
// private redis-server: clients spread over the nodes, publishes via POST /api/v1/publish to different
// nodes; every client gets every reliable message once in the same order, latest values everywhere,
// resume on another node, per-node Redis subscriptions, health and metrics show the cluster.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisProcess, redisServerPath } from '@tablecast/gateway/testing';
import { startServer, statePayload, type Started } from '../helpers/server.js';
import { connect, type Msg, type TestClient } from '../helpers/ws-client.js';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
const KEY = 'cluster-fanout-key';
let redis: RedisProcess;
let admin: Redis;
const nodes: Started[] = [];
const clients: TestClient[] = [];

before(async () => {
  if (skip) return;
  redis = await RedisProcess.start();
  admin = new Redis(redis.url);
  admin.on('error', () => undefined);
  for (const id of ['n1', 'n2', 'n3']) {
    nodes.push(await startServer({
      server: { node_id: id },
      broker: { url: redis.url, key_prefix: 'fan:' },
      publish: { api_keys: [KEY] },
      cluster: { heartbeat_interval_ms: 100, node_ttl_ms: 1000 },
    }));
  }
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const n of nodes) await n.close();
  admin?.disconnect();
  await redis?.stop();
});

async function publish(node: Started, stream: string, data: Record<string, unknown>): Promise<number> {
  const r = await fetch(`${node.url}/api/v1/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify({ stream, data }),
  });
  const body = (await r.json()) as { sequence?: number };
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.sequence ?? (body as { results?: { sequence: number }[] }).results?.[0]?.sequence ?? -1;
}

async function client(node: Started, id: string): Promise<TestClient> {
  const c = await connect(node.ws, { client_id: id });
  clients.push(c);
  return c;
}

const events = (c: TestClient) => c.of('event');

test('every client on every node gets every reliable message once, in the same order; latest values reach all', { skip }, async () => {
  const cs: TestClient[] = [];
  for (const [k, node] of nodes.entries()) for (let j = 0; j < 3; j++) cs.push(await client(node, `fan-${k}-${j}`));
  await Promise.all(cs.map((c) => c.subscribe(['event', 'state'])));
  const perNode = 30;
  // 90 events published concurrently through the three nodes' REST APIs.
  await Promise.all(nodes.flatMap((node, k) => Array.from({ length: perNode }, (_, i) => publish(node, 'event', { event: 'shot_started', node: k, i }))));
  let lastState = 0;
  for (let f = 1; f <= 10; f++) lastState = await publish(nodes[f % 3]!, 'state', statePayload([{ id: 1, x: 0.1 * f, y: 0.5 }], { frame_number: f }));
  const total = 3 * perNode;
  await Promise.all(cs.map((c) => c.until(() => events(c).length >= total && c.of('state').some((m) => m.sequence === lastState), 5000, 'all events and the last state')));
  const order = (c: TestClient) => events(c).map((m: Msg) => `${m.data.node}/${m.data.i}`);
  for (const c of cs) {
    assert.deepEqual(events(c).map((m) => m.sequence), Array.from({ length: total }, (_, i) => i + 1), 'gapless, once, in order');
    assert.deepEqual(order(c), order(cs[0]!), 'the same order on every node');
    const st = c.of('state').map((m) => m.sequence);
    assert.ok(st.every((s, i) => i === 0 || s > st[i - 1]!), 'state sequences increase');
    assert.equal(c.of('state').at(-1)!.data.frame_number, 10, 'the newest state arrived');
  }
  for (let k = 0; k < 3; k++) {
    const mine = events(cs[0]!).filter((m) => m.data.node === k).map((m) => m.data.i);
    assert.deepEqual(mine, Array.from({ length: perNode }, (_, i) => i), `node ${k}'s publishes keep their order`);
  }
  await Promise.all(cs.map((c) => c.close()));
});

test('a client resumes on another node with since + epoch and gets what it missed, in order', { skip }, async () => {
  const a = await client(nodes[0]!, 'resume-a');
  const sub = await a.subscribe(['alert']);
  const epoch = sub.data.epochs.alert as string;
  const base = sub.data.offsets.alert as number;
  for (let i = 0; i < 5; i++) await publish(nodes[1]!, 'alert', { level: 'info', message: `m${i}`, code: 'T', details: {} });
  await a.until(() => a.of('alert').length === 5, 3000, '5 alerts');
  const held = a.of('alert').at(-1)!.sequence;
  await a.close();
  for (let i = 5; i < 12; i++) await publish(nodes[2]!, 'alert', { level: 'info', message: `m${i}`, code: 'T', details: {} });
  const b = await client(nodes[2]!, 'resume-b');
  const r = await b.subscribe(['alert'], undefined, { since: { alert: held }, epoch: { alert: epoch } });
  assert.deepEqual(r.data.recovered, { alert: true });
  await b.until(() => b.of('alert').length === 7, 3000, '7 missed alerts');
  assert.deepEqual(b.of('alert').map((m) => m.data.message), ['m5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11']);
  assert.deepEqual(b.of('alert').map((m) => m.sequence), Array.from({ length: 7 }, (_, i) => base + 6 + i));
  const stale = await client(nodes[1]!, 'resume-c');
  const r2 = await stale.subscribe(['alert'], undefined, { since: { alert: held }, epoch: { alert: 'f00df00df00df00d' } });
  assert.deepEqual(r2.data.recovered, { alert: false }, 'another epoch is never resumed');
  await Promise.all([b.close(), stale.close()]);
});

test('a node subscribes in Redis only while it has local subscribers; a new subscriber gets the current value', { skip }, async () => {
  const ch = 'fan:stream:trajectory';
  const numsub = async () => Number(((await admin.pubsub('NUMSUB', ch)) as [string, number])[1]);
  assert.equal(await numsub(), 0);
  const c1 = await client(nodes[0]!, 'traj-1');
  await c1.subscribe(['trajectory']);
  assert.equal(await numsub(), 1, 'one node subscribed');
  const traj = { ball_id: 0, lines: [], collisions: [], pocketed: [], calculation_time_ms: 1, line_count: 0, collision_count: 0 };
  const seq = await publish(nodes[1]!, 'trajectory', traj);
  await c1.until(() => c1.of('trajectory').length === 1, 3000, 'trajectory on node 1');
  // Node 3 had no subscriber: its first subscriber still gets the current value at once.
  const c3 = await client(nodes[2]!, 'traj-3');
  await c3.subscribe(['trajectory']);
  await c3.until(() => c3.of('trajectory').length === 1, 3000, 'current trajectory on node 3');
  assert.equal(c3.of('trajectory')[0]!.sequence, seq);
  assert.equal(await numsub(), 2);
  await c1.close();
  await c3.close();
  const start = Date.now();
  while ((await numsub()) !== 0 && Date.now() - start < 2000) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await numsub(), 0, 'unsubscribed when the last local subscriber left');
});

test('health and metrics show the cluster: nodes, leader field, connections', { skip }, async () => {
  const c = await client(nodes[1]!, 'health-1');
  await c.subscribe(['state']);
  const start = Date.now();
  let h: { components: { cluster: { node_count: number; nodes: { id: string; connections: number }[]; status: string } } };
  do {
    h = (await (await fetch(`${nodes[0]!.url}/api/v1/websocket/health`)).json()) as typeof h;
    if (h.components.cluster.nodes.find((n) => n.id === 'n2')?.connections === 1) break;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() - start < 3000);
  const cl = h.components.cluster;
  assert.equal(cl.status, 'healthy');
  assert.equal(cl.node_count, 3);
  assert.deepEqual(cl.nodes.map((n) => n.id), ['n1', 'n2', 'n3']);
  assert.equal(cl.nodes.find((n) => n.id === 'n2')!.connections, 1, 'n2 reports its client (heartbeat)');
  // Each node refreshes its registry view every heartbeat (100 ms): wait for n3's view too.
  let text: string;
  const t0 = Date.now();
  do {
    text = await (await fetch(`${nodes[2]!.url}/metrics`)).text();
    if (/^tablecast_cluster_node_connections\{node="n2"\} 1$/m.test(text)) break;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() - t0 < 3000);
  assert.match(text, /^tablecast_cluster_nodes 3$/m);
  assert.match(text, /^tablecast_cluster_node_connections\{node="n2"\} 1$/m);
  assert.match(text, /^tablecast_cluster_redis_up 1$/m);
  assert.match(text, /^tablecast_cluster_broker_breaker_state 0$/m);
});
