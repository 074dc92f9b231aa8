/**
 * MJPEG reader benchmark: the SDK's `MjpegParser` (parts delimited by `Content-Length`; the
 * dashboard's video underlay) against @remix-run/multipart-parser (a maintained streaming
 * `multipart/*` parser, parts delimited by the next boundary) on the same bytes.
 *
 * Workload: a real server (simulator source) streams `GET /api/v1/stream/video` over loopback for
 * `--seconds` (default 4); every chunk `fetch` delivers is recorded with its arrival time. Each run
 * then feeds all recorded chunks, in their original sizes, to a fresh parser of each kind, in
 * alternating order. Reported:
 * - CPU cost: microseconds per part (wall time of the whole pass / parts), median and min-max over
 *   `--runs` runs (default 31), and the per-chunk push time p50 / p99 over all runs;
 * - delivery delay: for each part, the arrival time of the chunk that let each parser return it,
 *   minus the arrival of the part's last byte (p50 / p90, milliseconds). A boundary-delimited parser
 *   can only close a part when the next part's boundary arrives, one frame period later.
 * Both parsers must return the same JPEG bytes, checked on every run.
 *
 * `--split N` re-cuts every recorded chunk into pieces of at most N bytes (all at the chunk's arrival
 * time), as a network path with small segments delivers them (loopback hands over whole parts).
 *
 *   node --import tsx bench/mjpeg.ts [--seconds N] [--runs N] [--quality low|medium|high] [--split N]
 */
import { cpus, loadavg } from 'node:os';
import { MultipartParser } from '@remix-run/multipart-parser';
import { MjpegParser } from '@tablecast/client';
import { createServer } from '@tablecast/server';
import { fmt, medSpread, percentileSorted } from './lib/stats.js';
import { arg, numArg } from './lib/args.js';

const seconds = numArg('seconds', 4);
const runs = numArg('runs', 31);
const quality = arg('quality', 'medium');
const split = numArg('split', 0);

/** One chunk as fetch delivered it, with its arrival time (ms, performance.now()). */
interface Chunk {
  bytes: Uint8Array;
  at: number;
}

async function record(): Promise<Chunk[]> {
  const server = await createServer({
    env: {},
    logger: false,
    overrides: { server: { port: 0, host: '127.0.0.1', serve_web: false }, source: { spec: 'simulator', seed: 7 } },
  });
  const { url } = await server.listen();
  try {
    const stop = new AbortController();
    const res = await fetch(`${url}/api/v1/stream/video?quality=${quality}`, { signal: stop.signal });
    const reader = res.body!.getReader();
    const chunks: Chunk[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push({ bytes: value, at: performance.now() });
    }
    stop.abort();
    return chunks;
  } finally {
    await server.close();
  }
}

/** What one pass of a parser over the chunks gave. */
interface Pass {
  /** JPEG bytes of each part, in order. */
  parts: Uint8Array[];
  /** Index of the chunk that completed each part (when the parser returned it). */
  returnedAt: number[];
  /** Wall time of the whole pass, ms. */
  totalMs: number;
  /** Time of each push / write call, µs. */
  pushUs: number[];
}

type Feed = (chunk: Uint8Array) => Uint8Array[];

function pass(chunks: Chunk[], feed: Feed): Pass {
  const parts: Uint8Array[] = [];
  const returnedAt: number[] = [];
  const pushUs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < chunks.length; i++) {
    const a = performance.now();
    const got = feed(chunks[i]!.bytes);
    pushUs.push((performance.now() - a) * 1000);
    for (const p of got) {
      parts.push(p);
      returnedAt.push(i);
    }
  }
  return { parts, returnedAt, totalMs: performance.now() - t0, pushUs };
}

function tablecastFeed(): Feed {
  const parser = new MjpegParser();
  return (chunk) => parser.push(chunk).map((p) => p.jpeg);
}

function remixFeed(): Feed {
  // An MJPEG stream is endless: lift the form-upload limits (100 parts, 10 MB by default).
  const parser = new MultipartParser('frame', { maxParts: Infinity, maxTotalSize: Infinity, maxFileSize: Infinity });
  return (chunk) => {
    const out: Uint8Array[] = [];
    for (const part of parser.write(chunk)) out.push(part.bytes);
    return out;
  };
}

/** Index of the chunk holding the last byte of each part, from the tablecast pass (Content-Length). */
function lastByteChunks(chunks: Chunk[]): number[] {
  return pass(chunks, tablecastFeed()).returnedAt;
}

function sameBytes(a: Uint8Array[], b: Uint8Array[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (Buffer.compare(a[i]!, b[i]!) !== 0) return false;
  return n > 0;
}

const recorded = await record();
const chunks = split > 0
  ? recorded.flatMap((c) => Array.from({ length: Math.ceil(c.bytes.length / split) }, (_, k) => ({ bytes: c.bytes.subarray(k * split, (k + 1) * split), at: c.at })))
  : recorded;
const bytes = chunks.reduce((n, c) => n + c.bytes.length, 0);
const lastByte = lastByteChunks(chunks);
console.log(`mjpeg reader: ${chunks.length} chunks, ${lastByte.length} parts, ${(bytes / 1e6).toFixed(2)} MB over ${seconds} s (quality ${quality}${split > 0 ? `, re-cut to ${split} B` : ''}, mean part ${((bytes / Math.max(1, lastByte.length)) / 1024).toFixed(1)} KiB, mean chunk ${((bytes / chunks.length) / 1024).toFixed(1)} KiB)`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}; ${runs} runs, alternating order`);

const impls: [string, () => Feed][] = [['tablecast MjpegParser', tablecastFeed], ['@remix-run/multipart-parser', remixFeed]];
const perPart = new Map<string, number[]>(impls.map(([n]) => [n, []]));
const pushes = new Map<string, number[]>(impls.map(([n]) => [n, []]));
const lastPass = new Map<string, Pass>();
for (let r = 0; r < runs + 2; r++) {
  const order = r % 2 === 0 ? impls : [...impls].reverse();
  const results = order.map(([name, make]) => [name, pass(chunks, make())] as const);
  const [a, b] = results.map(([, p]) => p);
  if (!sameBytes(a!.parts, b!.parts)) throw new Error('the parsers returned different JPEG bytes');
  if (r < 2) continue; // warm-up
  for (const [name, p] of results) {
    perPart.get(name)!.push((p.totalMs * 1000) / Math.max(1, p.parts.length));
    pushes.get(name)!.push(...p.pushUs);
    lastPass.set(name, p);
  }
}

const rows: string[] = [];
const medians: number[] = [];
for (const [name] of impls) {
  const p = lastPass.get(name)!;
  const delays = p.returnedAt.map((ci, k) => chunks[ci]!.at - chunks[lastByte[k]!]!.at).sort((x, y) => x - y);
  const push = pushes.get(name)!.sort((x, y) => x - y);
  const per = perPart.get(name)!;
  medians.push(per.slice().sort((x, y) => x - y)[per.length >> 1]!);
  rows.push(`${name.padEnd(28)} ${medSpread(per, 1).padStart(20)} µs/part   push p50 ${fmt(percentileSorted(push, 50), 1)} p99 ${fmt(percentileSorted(push, 99), 1)} µs   parts ${p.parts.length}/${lastByte.length}   delay p50 ${fmt(percentileSorted(delays, 50), 1)} p90 ${fmt(percentileSorted(delays, 90), 1)} ms`);
}
console.log(`${'parser'.padEnd(28)} ${'median (min-max)'.padStart(20)}`);
for (const r of rows) console.log(r);
console.log(`ratio (remix / tablecast, µs per part, medians): ${fmt(medians[1]! / medians[0]!, 2)}`);
