/**
 * The load-generator role of the gateway benchmark (a child process holding every client socket).
 *
 * Clients: plain `ws` for tablecast (`/api/v1/ws`, subscribe {streams: ['state']}) and for the bare
 * ws peer; socket.io-client (`transports: ['websocket']`) for the Socket.IO peer, or with
 * `sioClient: 'raw'` a minimal Engine.IO v4 / Socket.IO v5 protocol client over plain `ws` (same
 * receive cost as the other clients; a fairness check, since client and server share the cores).
 *
 * Each received `state` message of the measured window [from, to] (by sequence) is counted and its
 * latency (receive clock minus the envelope's microsecond `timestamp`) is stored.
 *
 * Client heartbeat (`pongEvery`, default 30 messages = 1 s): every client sends an unsolicited
 * WebSocket pong (RFC 6455 section 5.5.3, "a unidirectional heartbeat"; every server under test
 * ignores it) on every `pongEvery`-th state message, clients spread over the messages. Why: on
 * loopback, whose CPU pays for a TCP acknowledgement depends on the client's delayed-ACK mode. A
 * client that has just sent data after receiving some is in Linux's "pingpong" mode and, at 30 Hz
 * (33 ms < the 40 ms ACK delay), acknowledges every second segment as the next one arrives, inside
 * the server's write() call (charged to the server); one that never talks back, or whose ACK timer
 * fired after a gap, acknowledges each segment when it reads it (charged to the client). tablecast
 * pings every new client within a second (its pong flips that client), the bare ws loop never pings,
 * Socket.IO pings after 25 s, and jitter above 40 ms flips clients back: without a client heartbeat
 * the implementations were measured in different, drifting TCP states (docs/BENCHMARKS.md, session
 * 3). Real clients talk back; a 1 s heartbeat keeps every implementation's clients in the same state.
 */
import WebSocket from 'ws';
import type { Socket as SioSocket, io as sioConnect } from 'socket.io-client';

/**
 * socket.io-client, loaded on first use: the Socket.IO peer's packages are the benchmark's own
 * (bench/package.json, `npm ci --prefix bench`), not installed with tablecast.
 */
let io: typeof sioConnect | null = null;
async function loadSocketIoClient(): Promise<typeof sioConnect> {
  io ??= (await import('socket.io-client')).io;
  return io;
}
import { serveIpc, emitEvent } from './child.js';
import { TimestampParser, nowMicros } from './wire-time.js';
import { percentileSorted } from './stats.js';
import type { ImplName } from './target.js';

type Json = Record<string, unknown>;

/** Which Socket.IO client to use. */
export type SioClient = 'lib' | 'raw';

interface Recorder {
  record(seq: number, tsMicros: number): void;
}

interface Client {
  close(): void;
}

class WindowRecorder implements Recorder {
  readonly latencies: Float64Array;
  /** Sequence of each stored latency sample. */
  readonly seqs: Uint32Array;
  /** Envelope timestamp of each message of the window (the same for every client), µs. */
  readonly tsOfSeq: Float64Array;
  n = 0;
  total = 0;
  readonly perSeq: Uint32Array;
  cpuStart: NodeJS.CpuUsage | null = null;
  cpuEnd: NodeJS.CpuUsage | null = null;
  maxSeq = 0;

  constructor(readonly from: number, readonly to: number, clients: number) {
    this.perSeq = new Uint32Array(to - from + 1);
    this.latencies = new Float64Array(clients * (to - from + 1));
    this.seqs = new Uint32Array(clients * (to - from + 1));
    this.tsOfSeq = new Float64Array(to - from + 1);
  }

  record(seq: number, tsMicros: number): void {
    const lat = nowMicros() - tsMicros;
    this.total++;
    if (seq > this.maxSeq) this.maxSeq = seq;
    if (seq < this.from) return;
    if (seq > this.to) {
      if (!this.cpuEnd && this.cpuStart) this.cpuEnd = process.cpuUsage(this.cpuStart);
      return;
    }
    if (!this.cpuStart) this.cpuStart = process.cpuUsage();
    this.perSeq[seq - this.from]!++;
    this.tsOfSeq[seq - this.from] = tsMicros;
    if (this.n < this.latencies.length) {
      this.seqs[this.n] = seq;
      this.latencies[this.n++] = lat;
    }
  }

  /**
   * Latency from each message's slot in the publisher's fixed-rate schedule (message k due at
   * start + (k - 1) * period) to receive: includes how late a saturated server published.
   */
  scheduleLatencies(startMicros: number, periodMicros: number): Float64Array {
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const seq = this.seqs[i]!;
      out[i] = this.latencies[i]! + (this.tsOfSeq[seq - this.from]! - (startMicros + (seq - 1) * periodMicros));
    }
    return out.sort();
  }

  report(clients: number, schedule?: { startMicros: number; periodMicros: number }): Json {
    const sched = schedule ? this.scheduleLatencies(schedule.startMicros, schedule.periodMicros) : new Float64Array(0);
    const lat = this.latencies.slice(0, this.n).sort();
    const expected = clients * (this.to - this.from + 1);
    let minPerSeq = Infinity;
    for (const c of this.perSeq) if (c < minPerSeq) minPerSeq = c;
    const cpu = this.cpuEnd ?? (this.cpuStart ? process.cpuUsage(this.cpuStart) : { user: 0, system: 0 });
    return {
      received: this.n,
      expected,
      delivered_ratio: expected > 0 ? this.n / expected : NaN,
      min_clients_per_message: minPerSeq,
      total_received: this.total,
      max_sequence: this.maxSeq,
      p50_ms: percentileSorted(lat, 50) / 1000,
      p90_ms: percentileSorted(lat, 90) / 1000,
      p99_ms: percentileSorted(lat, 99) / 1000,
      p999_ms: percentileSorted(lat, 99.9) / 1000,
      max_ms: lat.length ? lat[lat.length - 1]! / 1000 : NaN,
      min_ms: lat.length ? lat[0]! / 1000 : NaN,
      loadgen_cpu_us: cpu.user + cpu.system,
      sched_p50_ms: percentileSorted(sched, 50) / 1000,
      sched_p99_ms: percentileSorted(sched, 99) / 1000,
      sched_max_ms: sched.length ? sched[sched.length - 1]! / 1000 : NaN,
    };
  }
}

const NULL_RECORDER: Recorder = { record: () => undefined };

/** Connects one client; resolves once it is subscribed to `state`. */
/** Client heartbeat schedule: a pong on state messages whose sequence % `every` is `phase` (0 = never). */
interface PongSchedule {
  every: number;
  phase: number;
}

function connectOne(impl: ImplName, port: number, sioClient: SioClient, pong: PongSchedule, rec: () => Recorder, closes: Map<string, number>, timeoutMs: number): Promise<Client> {
  return new Promise<Client>((resolve, reject) => {
    const parser = new TimestampParser();
    const out = { seq: 0, ts: 0 };
    /** Sends the client heartbeat (an unsolicited pong, see the module comment) when `seq` is due. */
    let sendPong: () => void = () => undefined;
    const heartbeat = (seq: number): void => {
      if (pong.every > 0 && seq % pong.every === pong.phase) sendPong();
    };
    let done = false;
    const timer = setTimeout(() => fail(new Error('connect/subscribe timeout')), timeoutMs);
    const ok = (c: Client) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(c);
    };
    const onClose = (code: string) => {
      closes.set(code, (closes.get(code) ?? 0) + 1);
      fail(new Error(`closed ${code} before subscribed`));
    };
    let cleanup: () => void = () => undefined;
    function fail(e: Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      reject(e);
    }

    if (impl === 'socketio' && sioClient === 'lib') {
      const s: SioSocket = io!(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: timeoutMs });
      cleanup = () => s.disconnect();
      sendPong = () => {
        // engine.io-client's websocket transport runs over the ws package in Node
        const raw = (s.io.engine as unknown as { transport?: { ws?: { pong?: () => void } } }).transport?.ws;
        raw?.pong?.();
      };
      s.on('state', (m: { sequence: number; timestamp: string }) => {
        heartbeat(m.sequence);
        rec().record(m.sequence, parser.parse(m.timestamp));
      });
      s.on('disconnect', (reason) => {
        closes.set(`sio:${reason}`, (closes.get(`sio:${reason}`) ?? 0) + 1);
        fail(new Error(`disconnected (${reason}) before subscribed`));
      });
      s.on('connect_error', (e) => fail(e));
      s.on('connect', () => s.emit('subscribe', 'state', () => ok({ close: () => s.disconnect() })));
      return;
    }

    const url =
      impl === 'tablecast' || impl === 'ws-in-tablecast' ? `ws://127.0.0.1:${port}/api/v1/ws`
      : impl === 'socketio' ? `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`
      : `ws://127.0.0.1:${port}/`;
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    cleanup = () => ws.terminate();
    const client: Client = { close: () => ws.terminate() };
    sendPong = () => ws.pong();
    ws.on('error', (e) => fail(e));
    ws.on('close', (code) => onClose(String(code)));
    if (impl === 'socketio') {
      // Engine.IO v4 + Socket.IO v5 over one WebSocket: open "0{...}", connect "40", ack "43<id>[...]",
      // ping "2" -> pong "3", events "42[...]".
      ws.on('message', (data: Buffer) => {
        const c0 = data[0];
        if (c0 === 52 /* 4 */ && data[1] === 50 /* 2 */) {
          if (parser.fromBytes(data, out)) {
            heartbeat(out.seq);
            rec().record(out.seq, out.ts);
          }
        } else if (c0 === 50 /* 2 */) ws.send('3');
        else if (c0 === 48 /* 0 */) ws.send('40');
        else if (c0 === 52 && data[1] === 48 /* 40 */) ws.send('420["subscribe","state"]');
        else if (c0 === 52 && data[1] === 51 /* 43 */) ok(client);
      });
      return;
    }
    ws.on('message', (data: Buffer) => {
      if (parser.fromBytes(data, out)) {
        heartbeat(out.seq);
        rec().record(out.seq, out.ts);
        return;
      }
      const head = data.toString('latin1', 0, Math.min(data.length, 40));
      if (head.includes('"type":"connection"')) ws.send('{"type":"subscribe","data":{"streams":["state"]}}');
      else if (head.includes('"type":"subscribed"')) ok(client);
    });
    if (impl === 'ws') ws.on('open', () => ws.send('{"type":"subscribe","data":{"streams":["state"]}}'));
  });
}

/** Runs the load-generator role. */
export async function loadgenRole(): Promise<void> {
  const clients: Client[] = [];
  const closes = new Map<string, number>();
  let recorder: WindowRecorder | null = null;
  let subscribedCount = 0;
  const current = (): Recorder => recorder ?? NULL_RECORDER;

  serveIpc(
    {
      /** {impl, port, clients, from, to, sioClient, pongEvery, concurrency} -> {connected, failed, ms} */
      connect: async (m) => {
        const impl = m.impl as ImplName;
        if (impl === 'socketio') await loadSocketIoClient();
        const n = Number(m.clients);
        const port = Number(m.port);
        const sioClient = (m.sioClient as SioClient) ?? 'lib';
        const pongEvery = Math.max(0, Math.round(Number(m.pongEvery ?? 30)));
        recorder = Number(m.to) >= Number(m.from) ? new WindowRecorder(Number(m.from), Number(m.to), n) : null;
        const started = performance.now();
        let next = 0;
        let failed = 0;
        const errors = new Map<string, number>();
        const worker = async (): Promise<void> => {
          while (next < n) {
            const phase = pongEvery > 0 ? next % pongEvery : 0;
            next++;
            try {
              clients.push(await connectOne(impl, port, sioClient, { every: pongEvery, phase }, current, closes, 30_000));
              subscribedCount++;
            } catch (e) {
              failed++;
              const k = String((e as Error).message).slice(0, 80);
              errors.set(k, (errors.get(k) ?? 0) + 1);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(n, Number(m.concurrency ?? 64)) }, worker));
        return { connected: subscribedCount, failed, errors: Object.fromEntries(errors), ms: performance.now() - started };
      },
      /** {scheduleStartMicros?, periodMicros?} -> window statistics */
      report: (m) => ({
        ...(recorder?.report(
          subscribedCount,
          typeof m.scheduleStartMicros === 'number' ? { startMicros: m.scheduleStartMicros, periodMicros: Number(m.periodMicros) } : undefined,
        ) ?? {}), clients: subscribedCount, closes: Object.fromEntries(closes), rss: process.memoryUsage.rss() }),
    },
    () => {
      for (const c of clients) c.close();
    },
  );
  emitEvent('ready', { pid: process.pid });
}
