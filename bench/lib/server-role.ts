/**
 * The server role of the gateway benchmark (a child process): starts one implementation, then on
 * request publishes `state` at a fixed rate from a drift-corrected timer and measures the process'
 * CPU time (user + system, all threads) over the measured window, or reports memory after GC.
 *
 * Window: messages 1..warmup are warm-up, warmup+1..warmup+measure are measured, then `tail` more
 * messages follow so the last measured ones drain. CPU is sampled just before publishing message
 * warmup+1 and just before publishing message warmup+measure+1, i.e. over exactly `measure`
 * publish periods.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { nowMicros } from '@tablecast/protocol';
import { emitEvent, serveIpc } from './child.js';
import { StateGenerator, type PayloadKind } from './state-payload.js';
import { percentileSorted } from './stats.js';
import { ackPattern } from './tcp-acks.js';
import { sampleThreadCpu, threadCpuDelta, type ThreadCpu } from './thread-cpu.js';
import type { BenchTarget, ImplName } from './target.js';

async function start(impl: ImplName): Promise<BenchTarget> {
  if (impl === 'tablecast') return (await import('./tablecast-target.js')).startTablecast();
  if (impl === 'ws-in-tablecast') return (await import('./tablecast-target.js')).startTablecastBareLoop();
  if (impl === 'socketio') return (await import('../peers/socketio.js')).startSocketIo();
  return (await import('../peers/bare-ws.js')).startBareWs();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Memory after a full GC (needs --expose-gc), bytes. */
async function memoryAfterGc(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the server role with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(100);
  }
  return process.memoryUsage();
}

/** Runs the server role; `impl` and `payload` come from the command line. */
export async function serverRole(impl: ImplName, payload: PayloadKind): Promise<void> {
  const target = await start(impl);
  const gen = new StateGenerator(payload);
  const sample = JSON.stringify(gen.next(nowMicros()));
  serveIpc(
    {
      subscribers: () => target.subscribers(),
      mem: () => memoryAfterGc(),
      info: () => target.info(),
      publish: (m) =>
        new Promise((resolve) => {
          const hz = Number(m.hz);
          const warmup = Number(m.warmup);
          const measure = Number(m.measure);
          const tail = Number(m.tail);
          const total = warmup + measure + tail;
          const period = 1000 / hz;
          // 20 ms sampling: a finer monitor wakes an idle loop hundreds of times a second, CPU that would
          // be counted in every implementation's per-message cost.
          const loop = monitorEventLoopDelay({ resolution: 20 });
          let k = 0;
          let cpu0 = process.cpuUsage();
          let cpu: NodeJS.CpuUsage = { user: 0, system: 0 };
          let threads0: ThreadCpu = new Map();
          let threads: Record<string, number> = {};
          let t0 = 0;
          let wallMs = 0;
          let elu0 = performance.eventLoopUtilization();
          let elu = 0;
          let lateMax = 0;
          let publishCpu = 0; // CPU inside the synchronous publish calls (serialize + fan-out writes)
          const lateness: number[] = []; // how late each publish timer fired vs the 30 Hz schedule, ms
          const fanoutMs: number[] = []; // wall time of each synchronous publish call: publish -> last socket write issued
          const startAt = performance.now();
          const tick = (): void => {
            const late = performance.now() - (startAt + k * period);
            k++;
            if (k === warmup + 1) {
              threads0 = sampleThreadCpu();
              cpu0 = process.cpuUsage();
              elu0 = performance.eventLoopUtilization();
              t0 = performance.now();
              loop.enable();
            } else if (k === warmup + measure + 1) {
              cpu = process.cpuUsage(cpu0);
              threads = threadCpuDelta(threads0, sampleThreadCpu());
              elu = performance.eventLoopUtilization(elu0).utilization;
              wallMs = performance.now() - t0;
              loop.disable();
            }
            const inWindow = k > warmup && k <= warmup + measure;
            if (inWindow) {
              if (late > lateMax) lateMax = late;
              lateness.push(late);
            }
            const data = gen.next(nowMicros());
            if (inWindow) {
              const c = process.cpuUsage();
              const t = performance.now();
              target.publish(data);
              fanoutMs.push(performance.now() - t);
              const d = process.cpuUsage(c);
              publishCpu += d.user + d.system;
            } else target.publish(data);
            if (k < total) {
              setTimeout(tick, Math.max(0, startAt + k * period - performance.now()));
              return;
            }
            resolve({
              cpu_us: cpu.user + cpu.system,
              cpu_user_us: cpu.user,
              cpu_system_us: cpu.system,
              publish_cpu_us: publishCpu,
              thread_cpu_us: threads,
              ack_pattern: ackPattern(target.port),
              schedule_start_us: Math.round((performance.timeOrigin + startAt) * 1000),
              period_us: 1e6 / hz,
              fanout_p50_ms: percentileSorted(fanoutMs.sort((a, b) => a - b), 50),
              fanout_p99_ms: percentileSorted(fanoutMs, 99),
              wall_ms: wallMs,
              event_loop_utilization: elu,
              event_loop_delay_p99_ms: loop.percentile(99) / 1e6,
              timer_late_max_ms: lateMax,
              timer_late_p99_ms: percentileSorted(lateness.sort((a, b) => a - b), 99),
              published: k,
              subscribers: target.subscribers(),
            });
          };
          setTimeout(tick, 0);
        }),
    },
    () => target.close(),
  );
  emitEvent('ready', { port: target.port, pid: process.pid, payload_bytes: Buffer.byteLength(sample) });
}
