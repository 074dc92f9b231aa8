/**
 * Cluster benchmark (issue 8): the cost of cluster mode. Same workload as bench/gateway.ts (N ws
 * clients subscribed to `state`, a ~900-byte 16-ball `state` published at 30 Hz), served by
 *   - 1 process with the embedded memory broker (the baseline), and
 *   - 1, 2 and 3 gateway processes with the Redis broker (clients split evenly, Redis beside them).
 *
 *   node --import tsx bench/cluster.ts [--clients 1000] [--latency-clients 30] [--seconds 10] [--warmup 3]
 *        [--runs 3] [--configs memory-1,redis-1,redis-2,redis-3] [--json FILE] [--cpu-prof DIR]
 *   node --import tsx bench/cluster.ts --merge a.json,b.json    # one report over the runs of several --json files
 *
 * Every gateway is its own child process (`--role gateway`: createServer with the given broker;
 * node n1 also publishes from a drift-corrected 30 Hz timer through `server.publish`), all clients
 * live in one more child (`--role loadgen`), Redis is a private redis-server (no persistence). This
 * process samples the CPU time (user + system, /proc/<pid>/stat) of every gateway and of
 * redis-server at the first and after the last measured publish, and reports per run:
 *   - total server CPU per delivered message (gateways + Redis), and the ratio to the baseline;
 *   - publish-to-receive latency p50/p99 (receive clock minus the envelope's microsecond timestamp,
 *     one machine, one clock) and the p50 added by Redis;
 *   - delivered ratio.
 * Two scenarios per config and run: `cost` with --clients (CPU per delivered message; at this load
 * the latency is dominated by queueing in the shared load generator) and `latency` with
 * --latency-clients (few clients: the publish-to-receive path itself, where Redis' added hop shows).
 * Medians across runs with (min-max). Configs alternate their order run by run.
 */
import { cpus, loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { nowMicros } from '@tablecast/protocol';
import { createServer } from '@tablecast/server';
import { RedisProcess, processCpuSeconds } from '@tablecast/gateway/testing';
import { ChildRole, emitEvent, serveIpc } from './lib/child.js';
import { StateGenerator } from './lib/state-payload.js';
import { fmt, median, medSpread, percentileSorted, range } from './lib/stats.js';
import { HIGH_LIMITS } from './lib/target.js';
import { TimestampParser, nowMicros as receiveMicros } from './lib/wire-time.js';
import { arg } from './lib/args.js';

type Json = Record<string, unknown>;
const SCRIPT = fileURLToPath(import.meta.url);
const HZ = 30;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ gateway role

async function gatewayRole(): Promise<void> {
  const broker = arg('broker', 'memory://');
  const nodeId = arg('node-id', 'n1');
  const server = await createServer({
    env: {},
    logger: false,
    startPipeline: false,
    overrides: {
      server: { port: 0, host: '127.0.0.1', serve_web: false, node_id: nodeId },
      source: { spec: 'none' },
      websocket: { ...HIGH_LIMITS },
      broker: { url: broker, key_prefix: 'bench:' },
    },
  });
  const { port } = await server.listen();
  const gen = new StateGenerator('compact');
  const sample = JSON.stringify(gen.next(nowMicros()));
  let failures = 0;
  serveIpc(
    {
      subscribers: () => server.hub.subscriberCount('state'),
      publish: (m) =>
        new Promise((resolve) => {
          const warmup = Number(m.warmup);
          const measure = Number(m.measure);
          const total = warmup + measure + Number(m.tail);
          const period = 1000 / Number(m.hz);
          let k = 0;
          const startAt = performance.now();
          const tick = (): void => {
            k++;
            if (k === warmup + 1) emitEvent('window_start');
            else if (k === warmup + measure + 1) emitEvent('window_end');
            server.publish('state', gen.next(nowMicros())).catch(() => failures++);
            if (k < total) {
              setTimeout(tick, Math.max(0, startAt + k * period - performance.now()));
              return;
            }
            resolve({ published: k, failures });
          };
          setTimeout(tick, 0);
        }),
      info: () => ({ drops: Object.fromEntries(server.metrics.drops), sessions: server.hub.sessions.size, broker: server.hub.broker.health() }),
    },
    () => server.close(),
  );
  emitEvent('ready', { port, pid: process.pid, payload_bytes: Buffer.byteLength(sample) });
}

// ------------------------------------------------------------------ loadgen role

async function loadgenRole(): Promise<void> {
  const sockets: WebSocket[] = [];
  let from = 1;
  let to = 0;
  let lat = new Float64Array(0);
  let n = 0;
  let received = 0;
  let perSeq = new Uint32Array(0);
  serveIpc(
    {
      connect: async (m) => {
        const urls = m.urls as string[];
        const clients = Number(m.clients);
        from = Number(m.from);
        to = Number(m.to);
        perSeq = new Uint32Array(to - from + 1);
        lat = new Float64Array(clients * (to - from + 1));
        let connected = 0;
        const one = (i: number) =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(`${urls[i % urls.length]}?client_id=bench-${i}`, { perMessageDeflate: false });
            const parser = new TimestampParser();
            const out = { seq: 0, ts: 0 };
            ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', data: { streams: ['state'] } })));
            ws.on('message', (data: Buffer) => {
              if (!parser.fromBytes(data, out)) {
                if (data.includes('"subscribed"')) {
                  connected++;
                  resolve();
                }
                return;
              }
              received++;
              if (out.seq < from || out.seq > to) return;
              perSeq[out.seq - from]!++;
              if (n < lat.length) lat[n++] = receiveMicros() - out.ts;
            });
            ws.on('error', () => resolve());
            ws.on('close', () => resolve());
            sockets.push(ws);
          });
        for (let i = 0; i < clients; i += 50) await Promise.all(Array.from({ length: Math.min(50, clients - i) }, (_, j) => one(i + j)));
        return { connected };
      },
      report: () => {
        const sorted = lat.subarray(0, n).sort();
        let minPerSeq = Infinity;
        for (const c of perSeq) minPerSeq = Math.min(minPerSeq, c);
        return {
          received: n,
          expected: sockets.length * (to - from + 1),
          total_received: received,
          min_clients_per_message: minPerSeq,
          p50_ms: percentileSorted(sorted, 50) / 1000,
          p99_ms: percentileSorted(sorted, 99) / 1000,
          max_ms: sorted.length ? sorted[sorted.length - 1]! / 1000 : NaN,
        };
      },
    },
    () => {
      for (const s of sockets) s.terminate();
    },
  );
  emitEvent('ready', { pid: process.pid });
}

// ------------------------------------------------------------------ orchestrator

interface Config {
  name: string;
  broker: 'memory' | 'redis';
  processes: number;
}

interface RunResult {
  scenario: 'cost' | 'latency';
  config: string;
  run: number;
  connected: number;
  delivered: number;
  gatewayCpuS: number;
  redisCpuS: number;
  cpuPerMsgUs: number;
  perProcessCpuS: number[];
  p50: number;
  p99: number;
  max: number;
  raw: Json;
}

function parseConfig(name: string): Config {
  const m = /^(memory|redis)-(\d)$/.exec(name);
  if (!m) throw new Error(`bad config ${name} (memory-1, redis-1, redis-2, redis-3)`);
  return { name, broker: m[1] as 'memory' | 'redis', processes: Number(m[2]) };
}

async function runOnce(cfg: Config, run: number, scenario: RunResult['scenario'], o: { clients: number; seconds: number; warmup: number; cpuProf: string }): Promise<RunResult> {
  const redis = cfg.broker === 'redis' ? await RedisProcess.start() : null;
  const nodeArgs = o.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProf] : [];
  const gateways = Array.from({ length: cfg.processes }, (_, k) =>
    ChildRole.spawn(`gateway n${k + 1}`, SCRIPT, ['--role', 'gateway', '--node-id', `n${k + 1}`, '--broker', redis ? redis.url : 'memory://'], nodeArgs));
  const loadgen = ChildRole.spawn('loadgen', SCRIPT, ['--role', 'loadgen']);
  try {
    const ready = await Promise.all(gateways.map((g) => g.waitEvent('ready', 120_000)));
    await loadgen.waitEvent('ready', 120_000);
    const warmup = Math.round(o.warmup * HZ);
    const measure = Math.round(o.seconds * HZ);
    const urls = ready.map((r) => `ws://127.0.0.1:${Number(r.port)}/api/v1/ws`);
    const conn = await loadgen.request('connect', { urls, clients: o.clients, from: warmup + 1, to: warmup + measure }, 180_000);
    await sleep(1500); // heartbeats, subscriptions settle
    const pids = ready.map((r) => Number(r.pid));
    const sample = () => ({ gw: pids.map(processCpuSeconds), redis: redis?.cpuSeconds() ?? 0 });
    let start = sample();
    let end = start;
    const publisher = gateways[0]!;
    void publisher.waitEvent('window_start', 120_000).then(() => (start = sample()));
    const ended = publisher.waitEvent('window_end', 120_000).then(() => (end = sample()));
    const pub = await publisher.request('publish', { hz: HZ, warmup, measure, tail: HZ / 2 }, ((warmup + measure + HZ) / HZ) * 1000 + 60_000);
    await ended;
    await sleep(500);
    const rep = await loadgen.request('report');
    const info = await Promise.all(gateways.map((g) => g.request('info')));
    const perProcess = end.gw.map((v, k) => v - start.gw[k]!);
    const gatewayCpuS = perProcess.reduce((a, b) => a + b, 0);
    const redisCpuS = end.redis - start.redis;
    const received = Number(rep.received);
    return {
      scenario, config: cfg.name, run,
      connected: Number(conn.connected),
      delivered: received / Number(rep.expected),
      gatewayCpuS, redisCpuS,
      cpuPerMsgUs: ((gatewayCpuS + redisCpuS) * 1e6) / received,
      perProcessCpuS: perProcess,
      p50: Number(rep.p50_ms), p99: Number(rep.p99_ms), max: Number(rep.max_ms),
      raw: { ready, conn, pub, rep, info },
    };
  } finally {
    await Promise.all([...gateways.map((g) => g.stop()), loadgen.stop()]);
    await redis?.stop();
  }
}

function report(results: RunResult[], configs: Config[], title: string): string[] {
  const lines: string[] = [];
  const runs = Math.max(...results.map((r) => r.run)) + 1;
  lines.push(`\n### ${title}; median across ${runs} runs (min-max)\n`);
  lines.push('| config | delivered % | server CPU µs/delivered msg | of which Redis | ratio to memory-1 | p50 ms | p99 ms | p50 added vs memory-1 ms | CPU s per process |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  const base = results.filter((r) => r.config === 'memory-1');
  const baseCpu = median(base.map((r) => r.cpuPerMsgUs));
  const baseP50 = median(base.map((r) => r.p50));
  for (const c of configs) {
    const rs = results.filter((r) => r.config === c.name);
    if (rs.length === 0) continue;
    const redisPer = rs.map((r) => (r.redisCpuS * 1e6 * r.cpuPerMsgUs) / ((r.gatewayCpuS + r.redisCpuS) * 1e6 || 1));
    const ratios = rs.map((r) => {
      const b = base.find((x) => x.run === r.run);
      return b ? r.cpuPerMsgUs / b.cpuPerMsgUs : NaN;
    });
    const added = rs.map((r) => {
      const b = base.find((x) => x.run === r.run);
      return b ? r.p50 - b.p50 : NaN;
    });
    const perProc = Array.from({ length: c.processes }, (_, k) => fmt(median(rs.map((r) => r.perProcessCpuS[k] ?? NaN)), 2)).join(' / ');
    lines.push(`| ${c.name} | ${medSpread(rs.map((r) => r.delivered * 100), 3)} | ${medSpread(rs.map((r) => r.cpuPerMsgUs))} | ${medSpread(redisPer)} | ${c.name === 'memory-1' ? '1' : `${fmt(median(rs.map((r) => r.cpuPerMsgUs)) / baseCpu)} (per run ${fmt(range(ratios).min)}-${fmt(range(ratios).max)})`} | ${medSpread(rs.map((r) => r.p50))} | ${medSpread(rs.map((r) => r.p99))} | ${c.name === 'memory-1' ? '-' : `${fmt(median(rs.map((r) => r.p50)) - baseP50, 3)} (per run ${fmt(range(added).min, 3)}-${fmt(range(added).max, 3)})`} | ${perProc} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const role = arg('role', 'orchestrator');
  if (role === 'gateway') return gatewayRole();
  if (role === 'loadgen') return loadgenRole();
  const latencyClients = Number(arg('latency-clients', '30'));
  const o = {
    clients: Number(arg('clients', '1000')),
    seconds: Number(arg('seconds', '10')),
    warmup: Number(arg('warmup', '3')),
    runs: Number(arg('runs', '3')),
    cpuProf: arg('cpu-prof', ''),
  };
  const configs = arg('configs', 'memory-1,redis-1,redis-2,redis-3').split(',').map(parseConfig);
  const json = arg('json', '');
  const merge = arg('merge', '');
  if (merge) {
    const files = merge.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as { options: typeof o & { latencyClients?: number }; results: RunResult[] });
    let offset = 0;
    const all: RunResult[] = [];
    for (const f of files) {
      for (const r of f.results) all.push({ ...r, run: r.run + offset });
      offset += f.options.runs;
    }
    const f0 = files[0]!.options;
    const what = `30 Hz state (~900 B), ${f0.seconds} s measured after ${f0.warmup} s warm-up, ${files.length} invocations`;
    const lat = all.find((r) => r.scenario === 'latency')?.connected ?? 0;
    console.log([
      ...report(all.filter((r) => r.scenario === 'cost'), configs, `Cost: ${f0.clients} clients, ${what}`),
      ...report(all.filter((r) => r.scenario === 'latency'), configs, `Latency: ${lat} clients, ${what}`),
    ].join('\n'));
    return;
  }
  console.log(`cluster benchmark: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const results: RunResult[] = [];
  for (let run = 0; run < o.runs; run++) {
    const order = run % 2 === 0 ? configs : [...configs].reverse();
    for (const [scenario, clients] of [['cost', o.clients], ['latency', latencyClients]] as const) {
      if (clients <= 0) continue;
      for (const cfg of order) {
        const r = await runOnce(cfg, run, scenario, { ...o, clients });
        results.push(r);
        console.log(`run ${run + 1} ${scenario} ${cfg.name}: delivered ${(r.delivered * 100).toFixed(2)}% of ${r.connected} clients, ${fmt(r.cpuPerMsgUs)} µs CPU/msg (gateways ${fmt(r.gatewayCpuS)} s [${r.perProcessCpuS.map((v) => fmt(v)).join(', ')}], redis ${fmt(r.redisCpuS)} s), p50 ${fmt(r.p50, 3)} ms, p99 ${fmt(r.p99, 3)} ms`);
      }
    }
  }
  const what = `30 Hz state (~900 B), ${o.seconds} s measured after ${o.warmup} s warm-up`;
  const lines = [
    ...report(results.filter((r) => r.scenario === 'cost'), configs, `Cost: ${o.clients} clients, ${what}`),
    ...report(results.filter((r) => r.scenario === 'latency'), configs, `Latency: ${latencyClients} clients, ${what}`),
  ];
  console.log(lines.join('\n'));
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (json) writeFileSync(json, JSON.stringify({ options: o, results }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
