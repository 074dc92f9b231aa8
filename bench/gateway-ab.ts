/**
 * Interleaved A/B of the fan-out cost: tablecast's publish path vs a bare `ws` loop over the SAME
 * sockets in the SAME server process, alternating message by message, so machine load, cache state
 * and kernel paths are shared and the ratio is robust on a busy machine.
 *
 *   node --import tsx bench/gateway-ab.ts [--clients 1000] [--seconds 10] [--runs 3] [--payload compact|full]
 *
 * Even ticks: `server.publish('state', data)` (validation, broker, hub fan-out, sessions, metrics).
 * Odd ticks: the bare loop: JSON.stringify the same envelope once, `Sender.frame` once, write the
 * Buffer to every session's raw TCP socket. Both at 15 Hz each (30 Hz in total); the CPU time
 * (process.cpuUsage) inside each synchronous publish call is summed per path and divided by the
 * messages written. This measures only the synchronous publish/fan-out work, not the whole process
 * (the main benchmark, bench/gateway.ts, measures that, with separate processes).
 *
 * Caveat (docs/BENCHMARKS.md, gateway, session 3): a write's cost includes the TCP acknowledgements
 * the kernel processes inside it on loopback, and which of the two interleaved paths gets more of
 * them depends on timing; perf showed the same write loop over the same sockets doing 8 % more ACK
 * work in tablecast's turns. Treat a few percent either way as noise of this harness.
 */
import { fileURLToPath } from 'node:url';
import { nowMicros } from '@tablecast/protocol';
import { ChildRole, emitEvent, serveIpc } from './lib/child.js';
import { StateGenerator, type PayloadKind } from './lib/state-payload.js';
import { fmt, medSpread, median } from './lib/stats.js';
import { arg } from './lib/args.js';

const SCRIPT = fileURLToPath(import.meta.url);


async function serverRole(payload: PayloadKind): Promise<void> {
  const { startTablecastServer, bareFanOut } = await import('./lib/tablecast-target.js');
  const server = await startTablecastServer();
  const gen = new StateGenerator(payload);
  // The bare loop's own sequence numbers, far from tablecast's (both paths write to the same clients).
  const bare = bareFanOut(server, 1_000_000);
  serveIpc(
    {
      subscribers: () => server.hub.subscriberCount('state'),
      ab: (m) =>
        new Promise((resolve) => {
          const total = Number(m.publishes);
          const warmup = Number(m.warmup);
          const period = 1000 / 30;
          const acc = { tablecast: { cpu: 0, msgs: 0 }, ws: { cpu: 0, msgs: 0 } };
          let k = 0;
          const startAt = performance.now();
          const tick = (): void => {
            const data = gen.next(nowMicros());
            const which = k % 2 === 0 ? 'tablecast' : 'ws';
            const subs = server.hub.subscriberCount('state');
            const c = process.cpuUsage();
            let n: number;
            if (which === 'tablecast') {
              void server.publish('state', data);
              n = subs;
            } else n = bare(data);
            const d = process.cpuUsage(c);
            if (k >= warmup) {
              acc[which].cpu += d.user + d.system;
              acc[which].msgs += n;
            }
            k++;
            if (k < total) setTimeout(tick, Math.max(0, startAt + k * period - performance.now()));
            else resolve(acc);
          };
          setTimeout(tick, 0);
        }),
    },
    () => server.close(),
  );
  emitEvent('ready', { port: server.port });
}

async function main(): Promise<void> {
  const role = arg('role', 'orchestrator');
  const payload = arg('payload', 'compact') as PayloadKind;
  if (role === 'server') return serverRole(payload);
  if (role === 'loadgen') return (await import('./lib/loadgen.js')).loadgenRole();
  const clients = Number(arg('clients', '1000'));
  const seconds = Number(arg('seconds', '10'));
  const runs = Number(arg('runs', '3'));
  const ratios: number[] = [];
  const tc: number[] = [];
  const bw: number[] = [];
  for (let run = 0; run < runs; run++) {
    const server = ChildRole.spawn('server(ab)', SCRIPT, ['--role', 'server', '--payload', payload]);
    const loadgen = ChildRole.spawn('loadgen', SCRIPT, ['--role', 'loadgen']);
    try {
      const [ready] = await Promise.all([server.waitEvent('ready'), loadgen.waitEvent('ready')]);
      await loadgen.request('connect', { impl: 'tablecast', port: ready.port, clients, from: 1, to: 0 }, 180_000);
      const r = await server.request<Record<'tablecast' | 'ws', { cpu: number; msgs: number }>>('ab', { publishes: Math.round(seconds * 30) + 60, warmup: 60 }, seconds * 1000 + 120_000);
      const t = r.tablecast.cpu / r.tablecast.msgs;
      const w = r.ws.cpu / r.ws.msgs;
      tc.push(t);
      bw.push(w);
      ratios.push(t / w);
      console.log(`run ${run + 1}: tablecast ${fmt(t)} µs/msg, bare ws loop ${fmt(w)} µs/msg, ratio ${fmt(t / w, 3)} (${r.tablecast.msgs} + ${r.ws.msgs} messages)`);
    } finally {
      await Promise.all([server.stop(), loadgen.stop()]);
    }
  }
  console.log(`\n${clients} clients, payload ${payload}: tablecast ${medSpread(tc)} µs/msg, bare ws ${medSpread(bw)} µs/msg, ratio ${medSpread(ratios, 3)} (median ${fmt(median(ratios), 3)})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
