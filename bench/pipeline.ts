/**
 * Pipeline benchmark. Run: `node --import tsx bench/pipeline.ts [--seconds 120] [--clients 100] [--live-seconds 10]
 * [--trajectory-worker 1|0] [--frames 1|0] [--pin 0|1] [--viewer 0|1]`
 *
 * 1. Main-loop time per frame for core + trajectory with 16 balls: a deterministic simulator session
 *    (seed 1, 30 fps, 1.5 mm noise) is fed frame by frame through PipelineCore (validation, game
 *    state, events, trajectory planning with the planner's real throttle on the virtual clock) plus
 *    the state payload and the state gate, as the integration loop does per tick.
 * 2. Simulator worker cost per frame: session step + observation, and render + JPEG encode (960x540).
 * 3. Capture-to-client latency: a real server (simulator source, 30 fps) with N WebSocket clients in
 *    a child process subscribed to `state`; latency = receive time - capture_timestamp, and - publish
 *    timestamp (same machine, same clock).
 */
import { createTable } from '@tablecast/physics';
import { TimestampParser, nowMicros } from './lib/wire-time.js';
import WebSocket from 'ws';
import { execFileSync, spawn } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { PipelineCore, SimulatorSession, StateGate, TableRenderer, createRng, observeSimFrame as observe } from '@tablecast/pipeline';
import { createServer } from '@tablecast/server';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const SECONDS = Number(args.get('seconds') ?? 120);
const CLIENTS = Number(args.get('clients') ?? 100);
const LIVE_SECONDS = Number(args.get('live-seconds') ?? 10);
/** `integration.trajectory_worker` of the latency run (1: predictions in the worker thread, the default). */
const TRAJECTORY_WORKER = (args.get('trajectory-worker') ?? '1') !== '0';
/** `source.frames` of the latency run (1: the simulator renders JPEG frames, the default). */
const FRAMES = (args.get('frames') ?? '1') !== '0';
/**
 * `--pin 1`: run the server on CPU 0 and the client process on CPU 1 (Linux `taskset`), as if the
 * clients were on another machine; by default the scheduler places both.
 */
const PIN = args.get('pin') === '1';
/** `--viewer 1`: one MJPEG viewer stays connected during the latency run, so the simulator renders frames. */
const VIEWER = args.get('viewer') === '1';
const FPS = 30;

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
}
const f3 = (v: number) => v.toFixed(3);

function coreBench(): void {
  const table = createTable('9ft');
  const session = new SimulatorSession(table, createRng(1));
  const noise = createRng(2);
  let clockMs = 0;
  const core = new PipelineCore({ preset: '9ft', planner: { angleThresholdDeg: 0.5, positionThresholdM: 0.005, maxFps: FPS, now: () => clockMs } });
  const gate = new StateGate({ thresholdM: 0.002, heartbeatS: 1 });
  const frames = SECONDS * FPS;
  const dets = [];
  for (let i = 1; i <= frames; i++) dets.push(observe(session.step(1 / FPS), i, 1_800_000_000_000_000 + Math.round((i * 1e6) / FPS), noise, 0.0015, 0.01));
  // Warm-up (JIT) on a copy of the first 300 frames with a separate core.
  const warm = new PipelineCore({ preset: '9ft', planner: { angleThresholdDeg: 0.5, positionThresholdM: 0.005, maxFps: FPS, now: () => clockMs } });
  for (const d of dets.slice(0, 300)) {
    warm.ingest(d);
    warm.plan();
    warm.state.toPayload();
  }
  const all: number[] = [];
  const withTraj: number[] = [];
  const without: number[] = [];
  let balls = 0;
  let events = 0;
  for (let i = 0; i < dets.length; i++) {
    clockMs = (i * 1000) / FPS;
    const before = core.planner.stats.computed;
    const t0 = performance.now();
    const r = core.ingest(dets[i]!);
    core.plan();
    const st = core.state.toPayload();
    if (gate.check(st, clockMs, true)) gate.published(st, clockMs);
    const dt = performance.now() - t0;
    all.push(dt);
    (core.planner.stats.computed > before ? withTraj : without).push(dt);
    balls += st.balls.length;
    events += r.events.length;
  }
  console.log(`## core + trajectory per frame (${frames} frames = ${SECONDS} s of play at ${FPS} fps, avg ${(balls / frames).toFixed(1)} balls, ${events} events)`);
  console.log(`all frames:            median ${f3(pct(all, 50))} ms  p90 ${f3(pct(all, 90))}  p99 ${f3(pct(all, 99))}  max ${f3(Math.max(...all))}`);
  console.log(`without a trajectory:  median ${f3(pct(without, 50))} ms  p99 ${f3(pct(without, 99))}  (${without.length} frames)`);
  console.log(`with a trajectory:     median ${f3(pct(withTraj, 50))} ms  p99 ${f3(pct(withTraj, 99))}  (${withTraj.length} frames, ${core.planner.stats.throttled} throttled, ${core.planner.stats.unchanged} unchanged)`);
}

async function workerCostBench(): Promise<void> {
  const table = createTable('9ft');
  const session = new SimulatorSession(table, createRng(1));
  const noise = createRng(2);
  const renderer = new TableRenderer({ width: table.width, height: table.height, pockets: table.pockets }, { width: 960, height: 540, quality: 70 });
  const step: number[] = [];
  const render: number[] = [];
  const sizes: number[] = [];
  for (let i = 1; i <= 30 * FPS; i++) {
    const t0 = performance.now();
    const truth = session.step(1 / FPS);
    observe(truth, i, 0, noise, 0.0015, 0.01);
    step.push(performance.now() - t0);
    if (i % 3 === 0) {
      const t1 = performance.now();
      const jpeg = await renderer.render(truth.balls, truth.cue, 0.028575);
      render.push(performance.now() - t1);
      sizes.push(jpeg.length);
    }
  }
  console.log(`## simulator worker per frame (30 s of play)`);
  console.log(`session step + observe: median ${f3(pct(step, 50))} ms  p99 ${f3(pct(step, 99))}  max ${f3(Math.max(...step))} (the max is the shot simulation at the strike)`);
  console.log(`render + JPEG 960x540 q70: median ${f3(pct(render, 50))} ms  p99 ${f3(pct(render, 99))}  size median ${(pct(sizes, 50) / 1024).toFixed(1)} KiB`);
}

/**
 * Client role (a child process, so client work never runs on the server's event loop): N sockets
 * subscribed to `state`; reads the publish `timestamp` and `capture_timestamp` straight from the raw
 * frame bytes (no JSON.parse or string of the 5 KB payload, bench/lib/wire-time.ts) and reports
 * latencies on stdout as one JSON line.
 */
async function clientRole(port: number, n: number, warmS: number, seconds: number): Promise<void> {
  const capture: number[] = [];
  const publish: number[] = [];
  let measuring = false;
  const sockets: WebSocket[] = [];
  const parser = new TimestampParser();
  const head = { seq: 0, ts: 0 };
  const CAPTURE_KEY = Buffer.from('"capture_timestamp":"');
  const SUBSCRIBED = Buffer.from('{"type":"subscribed"');
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, { skipUTF8Validation: true });
        sockets.push(ws);
        ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', data: { streams: ['state'] } })));
        ws.on('message', (raw: Buffer) => {
          const now = nowMicros();
          if (raw.subarray(0, SUBSCRIBED.length).equals(SUBSCRIBED)) resolve();
          if (!measuring || !parser.fromBytes(raw, head)) return;
          publish.push((now - head.ts) / 1000);
          const cap = parser.lastFieldFromBytes(raw, CAPTURE_KEY);
          if (Number.isFinite(cap)) capture.push((now - cap) / 1000);
        });
        ws.on('error', reject);
      }),
    ),
  );
  await new Promise((r) => setTimeout(r, warmS * 1000));
  measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  for (const ws of sockets) ws.close();
  process.stdout.write(JSON.stringify({ capture, publish }) + '\n');
}

async function latencyBench(): Promise<void> {
  const server = await createServer({
    env: {},
    logger: false,
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      source: { spec: 'simulator', frames: FRAMES },
      integration: { target_fps: FPS, trajectory_worker: TRAJECTORY_WORKER },
      websocket: { connections_per_ip_per_min: 1_000_000, rate_limit_per_min: 1_000_000 },
    },
  });
  const { port } = await server.listen();
  const cpu0 = process.cpuUsage();
  const clientArgs = ['--import', 'tsx', fileURLToPath(import.meta.url), '--role', 'clients', '--port', String(port), '--clients', String(CLIENTS), '--live-seconds', String(LIVE_SECONDS)];
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  const child = PIN
    ? spawn('taskset', ['-c', '1', process.execPath, ...clientArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, clientArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let viewerBytes = 0;
  const viewer = VIEWER
    ? http.get(`http://127.0.0.1:${port}/api/v1/stream/video`, (res) => res.on('data', (b: Buffer) => (viewerBytes += b.length)))
    : null;
  viewer?.on('error', () => {});
  const gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise((r) => child.on('exit', r));
  const cpu = process.cpuUsage(cpu0);
  gcObserver.disconnect();
  viewer?.destroy();
  const h = server.pipeline?.health();
  const wsMetrics = (await (await fetch(`http://127.0.0.1:${port}/api/v1/websocket/metrics`)).json()) as Record<string, number>;
  await server.close();
  const { capture, publish } = JSON.parse(out.trim().split('\n').pop()!) as { capture: number[]; publish: number[] };
  console.log(`## capture-to-client latency, ${CLIENTS} WebSocket clients (separate process) on state, simulator at ${FPS} fps, ${!FRAMES ? 'no JPEG frames' : VIEWER ? `JPEG frames rendered for one MJPEG viewer (${(viewerBytes / 1048576).toFixed(1)} MiB received)` : 'JPEG frames on demand (no viewer: none rendered)'}, trajectories ${TRAJECTORY_WORKER ? 'in the worker thread' : 'on the main thread'}, ${LIVE_SECONDS} s`);
  console.log(`messages: ${capture.length} (${(capture.length / CLIENTS / LIVE_SECONDS).toFixed(1)} state/s per client); loop fps ${h?.loop.fps}, loop p50 ${h?.loop.frame_time_ms_p50} ms, hand-off drops ${h?.source.dropped_handoff}; trajectories ${h?.trajectory.computed} (${h?.trajectory.mode}, ${h?.trajectory.stale} stale)`);
  console.log(`capture -> client: median ${f3(pct(capture, 50))} ms  p90 ${f3(pct(capture, 90))}  p99 ${f3(pct(capture, 99))}  max ${f3(Math.max(...capture))}`);
  console.log(`publish -> client: median ${f3(pct(publish, 50))} ms  p90 ${f3(pct(publish, 90))}  p99 ${f3(pct(publish, 99))}  max ${f3(Math.max(...publish))}`);
  console.log(`server-side publish -> last socket write of a fan-out (all streams): p50 ${wsMetrics.p50_latency_ms} ms  p90 ${wsMetrics.p90_latency_ms}  p99 ${wsMetrics.p99_latency_ms}`);
  console.log(`server GC pauses: ${gcPauses.length}, median ${f3(pct(gcPauses, 50))} ms, max ${f3(Math.max(0, ...gcPauses))} ms`);
  console.log(`server process CPU (pipeline + gateway, incl. the simulator worker): ${(((cpu.user + cpu.system) / 1e6 / (LIVE_SECONDS + 1)) * 100).toFixed(0)} %${PIN ? ' (server pinned to CPU 0, clients to CPU 1)' : ''}`);
}

if (args.get('role') === 'clients') {
  await clientRole(Number(args.get('port')), CLIENTS, 1, LIVE_SECONDS);
} else {
  // Latency first, in a process whose heap holds nothing else (the other parts leave garbage whose
  // collection would land in the latency run).
  if (CLIENTS > 0) await latencyBench();
  coreBench();
  await workerCostBench();
}
