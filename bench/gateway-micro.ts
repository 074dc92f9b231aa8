/**
 * Micro-benchmark of the fan-out's per-socket JavaScript: tablecast's hub path (Hub.publish ->
 * subscriptions -> sessions -> batched writes) against the bare loop (frame once, write to every
 * socket), interleaved message by message in one process, over N discard-only Writable streams in
 * place of TCP sockets: no kernel, no clients, so it isolates the code path.
 *
 *   node --import tsx bench/gateway-micro.ts [--clients 1000] [--publishes 3000] [--pollute-kb 0]
 *
 * `--pollute-kb K`: every write also touches 1024 cache lines (64 KB) of a K KB ring buffer,
 * standing in for the kernel's socket work evicting the CPU caches between two writes (what the real
 * fan-out sees); with it the difference shows how much of the per-socket cost is memory stalls on
 * session state.
 * Prints the median ns per socket of each path and the median of the paired differences.
 */
import { Writable } from 'node:stream';
import client from 'prom-client';
import { nowMicros } from '@tablecast/protocol';
import { billiardsCatalog } from '@tablecast/server';
// Not part of the package's public API: the benchmark builds sessions without a WebSocket server.
import { ClientSession, GatewayMetrics, Hub, MemoryBroker } from '@tablecast/gateway';
import { StateGenerator } from './lib/state-payload.js';
import { stateFrame } from './peers/bare-ws.js';
import { median } from './lib/stats.js';
import { numArg } from './lib/args.js';


const N = numArg('clients', 1000);
const publishes = numArg('publishes', 3000);
const warmup = Math.floor(publishes / 10);
const junk = new Float64Array((numArg('pollute-kb', 0) * 1024) / 8);
let at = 0;
let sink = 0;
/** Reads and writes one double in each of the next 1024 cache lines (64 bytes apart) of the ring. */
function pollute(): void {
  for (let i = 0; i < 1024; i++) {
    at = (at + 8) % junk.length;
    sink += junk[at]!;
    junk[at] = sink;
  }
}

const metrics = new GatewayMetrics(new client.Registry(), () => N);
const hub = new Hub({ broker: new MemoryBroker({ maxMessages: 100, maxAgeS: 60 }), metrics, historyLimit: 100, catalog: billiardsCatalog() });
const sockets: Writable[] = [];
for (let i = 0; i < N; i++) {
  const socket = new Writable({
    write(_chunk, _enc, cb) {
      if (junk.length > 0) pollute();
      cb();
    },
  });
  sockets.push(socket);
  // The session only needs the ws object's raw socket for pre-framed writes.
  const ws = { _socket: socket };
  const session = new ClientSession(`c${i}`, ws as never, '127.0.0.1', 'json', false, { maxQueueBytes: 1 << 20, highWaterBytes: 256 << 10, compressThreshold: 1024 }, {
    onSent: (_s, m, bytes) => metrics.sent(m.stream ?? m.type, 1, bytes),
    onDrop: () => undefined,
  });
  hub.add(session);
  (await hub.subscribe(session, ['state'], {})).deliver();
}

const gen = new StateGenerator('compact');
const tc: number[] = [];
const bare: number[] = [];
let sequence = 0;
for (let k = 0; k < 2 * publishes; k++) {
  const data = gen.next(nowMicros());
  const t = process.hrtime.bigint();
  if (k % 2 === 0) void hub.publish('state', data);
  else {
    const bytes = stateFrame(++sequence, data);
    for (const s of sockets) s.write(bytes);
  }
  const ns = Number(process.hrtime.bigint() - t) / N;
  if (k >= 2 * warmup) (k % 2 === 0 ? tc : bare).push(ns);
}
const diffs = tc.map((x, i) => x - bare[i]!);
console.log(
  `gateway micro-benchmark: ${N} discard-only sockets, ${publishes - warmup} publishes per path, cache pollution ${junk.length * 8 / 1024} KB ring`,
);
console.log(`ns per socket (median): tablecast ${median(tc).toFixed(0)}, bare loop ${median(bare).toFixed(0)}, paired difference ${median(diffs).toFixed(0)}`);
if (sink === 42) console.log(''); // keeps the pollution loop from being optimized away
