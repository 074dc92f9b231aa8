// Cluster failover with real processes: three `tablecast serve --source simulator --broker redis://...`
// children on one private redis-server. Clients spread over them receive the simulator's state and
// events plus events POSTed to different nodes; the leader (the only node running the pipeline) is
// killed with SIGKILL mid-stream. Its clients reconnect to the other nodes and resume with since +
// epoch (no reliable message lost, none twice, same order everywhere) and another node takes the
// lock within the TTL and feeds `state` again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayProcess } from '../../src/cluster/gateway-process.js';
import { RedisProcess, redisServerPath } from '@tablecast/gateway/testing';
import { connect, type Msg, type TestClient } from '../helpers/ws-client.js';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
const KEY = 'cluster-failover-key';
const TTL_MS = 1500;
let redis: RedisProcess;
let procs: GatewayProcess[] = [];

before(async () => {
  if (skip) return;
  redis = await RedisProcess.start();
  const env = {
    TABLECAST_PUBLISH_API_KEY: KEY,
    TABLECAST__CLUSTER__LEADER_TTL_MS: String(TTL_MS),
    TABLECAST__CLUSTER__HEARTBEAT_INTERVAL_MS: '200',
    TABLECAST__CLUSTER__NODE_TTL_MS: '1500',
    TABLECAST__SOURCE__FRAMES: 'false',
  };
  const started = await Promise.allSettled(['n1', 'n2', 'n3'].map((id) => GatewayProcess.spawn({ nodeId: id, broker: redis.url, source: 'simulator', env, readyTimeoutMs: 60_000 })));
  procs = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await redis?.stop();
});

interface ClusterHealth {
  components: { cluster: { leader: string | null; is_leader: boolean; node_count: number } };
}

/** A client that follows `event` and `state` across reconnects, resuming `event` with since + epoch. */
class ResumingClient {
  readonly events: Msg[] = [];
  readonly states: Msg[] = [];
  readonly recovered: boolean[] = [];
  readonly servedBy: string[] = [];
  epoch = '';
  conn: TestClient | null = null;

  constructor(readonly id: string) {}

  async attach(p: GatewayProcess): Promise<void> {
    const c = await connect(p.ws, { client_id: `${this.id}-${this.servedBy.length}` });
    const last = this.events.at(-1)?.sequence ?? 0;
    const extra = this.epoch ? { since: { event: last }, epoch: { event: this.epoch } } : { since: { event: 0 } };
    const sub = await c.subscribe(['event', 'state'], undefined, extra);
    if (sub.data.recovered) this.recovered.push(sub.data.recovered.event);
    this.epoch = sub.data.epochs.event;
    this.servedBy.push(p.nodeId);
    this.conn = c;
    const seen = new Set<Msg>();
    c.ws.on('message', () => {
      for (const m of c.messages) {
        if (seen.has(m)) continue;
        seen.add(m);
        if (m.type === 'event') this.events.push(m);
        else if (m.type === 'state') this.states.push(m);
      }
    });
  }
}

async function publishEvent(p: GatewayProcess, i: number): Promise<void> {
  const r = await fetch(`${p.url}/api/v1/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify({ stream: 'event', data: { event: 'test_tick', i } }),
    signal: AbortSignal.timeout(3000),
  });
  assert.equal(r.status, 200, await r.text());
}

async function until(pred: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await pred())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

test('kill -9 of the leader mid-stream: clients resume elsewhere with nothing lost, the lock moves within the TTL', { skip, timeout: 60_000 }, async (t) => {
  const t0 = Date.now();
  const mark = (what: string) => t.diagnostic(`${what} at +${Date.now() - t0} ms`);
  let leaderId: string | null = null;
  await until(async () => {
    leaderId = (await procs[0]!.get<ClusterHealth>('/api/v1/health')).components.cluster.leader;
    return leaderId !== null;
  }, 'a leader', 10_000);
  const victim = procs.find((p) => p.nodeId === leaderId)!;
  const survivors = procs.filter((p) => p !== victim);

  const clients: ResumingClient[] = [];
  for (const p of procs) for (let j = 0; j < 2; j++) {
    const c = new ResumingClient(`${p.nodeId}-c${j}`);
    await c.attach(p);
    clients.push(c);
  }
  // The leader's simulator feeds state to clients on every node.
  await until(() => clients.every((c) => c.states.length > 0), 'state on every client', 10_000);
  mark('6 clients receive state');

  let i = 0;
  let targets = procs;
  let publishing = true;
  const publisher = (async () => {
    while (publishing) {
      const t = targets;
      await publishEvent(t[i % t.length]!, ++i);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await until(() => i >= 40, '40 ticks published', 10_000);

  // Stop sending to the victim (no publish in flight to it), then SIGKILL it mid-stream.
  targets = survivors;
  await new Promise((r) => setTimeout(r, 50));
  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  const orphans = clients.filter((c) => c.servedBy.at(-1) === victim.nodeId);
  await Promise.all(orphans.map((c) => c.conn!.closed));
  await Promise.all(orphans.map((c, k) => c.attach(survivors[k % survivors.length]!)));

  let newLeader: string | null = null;
  await until(async () => {
    const hs = await Promise.all(survivors.map((p) => p.get<ClusterHealth>('/api/v1/health')));
    newLeader = hs[0]!.components.cluster.leader;
    return newLeader !== null && newLeader !== victim.nodeId && hs.some((h) => h.components.cluster.is_leader);
  }, 'a new leader', 10_000);
  const takeoverMs = Date.now() - killedAt;
  t.diagnostic(`leader ${victim.nodeId} killed; ${newLeader} took over after ${takeoverMs} ms (ttl ${TTL_MS} ms)`);
  // Lock expiry (ttl) + one acquire round (ttl/3) + health polling and a loaded machine.
  assert.ok(takeoverMs <= TTL_MS + TTL_MS / 3 + 2000, `leader moved after ${takeoverMs} ms (bound ${TTL_MS + TTL_MS / 3 + 2000} ms)`);
  assert.notEqual(newLeader, victim.nodeId);

  // The new leader runs the pipeline: fresh state reaches clients on both surviving nodes.
  const electedAt = Date.now() * 1000;
  await until(() => clients.every((c) => c.states.some((m) => Date.parse(m.timestamp) * 1000 >= electedAt)), 'state from the new leader', 10_000);

  const before = i;
  await until(() => i >= before + 40, '40 more ticks', 10_000);
  publishing = false;
  await publisher;
  const ticks = i;
  mark(`${ticks} ticks published`);
  await until(() => clients.every((c) => c.events.filter((m) => m.data.event === 'test_tick').length >= ticks), `all ${ticks} ticks on every client`, 10_000);
  mark('all ticks delivered');
  await new Promise((r) => setTimeout(r, 100));

  assert.ok(orphans.length === 2 && orphans.every((c) => c.recovered.at(-1) === true), 'orphans resumed with recovered: true');
  const reference = clients[0]!.events.map((m) => `${m.sequence}:${JSON.stringify(m.data)}`);
  for (const c of clients) {
    const seqs = c.events.map((m) => m.sequence);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, k) => k + 1), `${c.id}: event sequences 1..n, no gap, no duplicate (served by ${c.servedBy.join(' -> ')})`);
    const got = c.events.filter((m) => m.data.event === 'test_tick').map((m) => m.data.i as number).sort((a, b) => a - b);
    assert.deepEqual(got, Array.from({ length: ticks }, (_, k) => k + 1), `${c.id}: every tick exactly once`);
    const mine = c.events.map((m) => `${m.sequence}:${JSON.stringify(m.data)}`);
    const n = Math.min(mine.length, reference.length);
    assert.deepEqual(mine.slice(0, n), reference.slice(0, n), `${c.id}: same messages in the same order as ${clients[0]!.id}`);
  }
  for (const c of clients) await c.conn?.close();
  mark('closed');
});
