/**
 * Vision benchmark: detection time per frame on the real reference photos (GPL-3.0, from
 * jchadwick/billiards-trainer), 1280x720 (table_w_balls.jpg) and 3840x2160 (grid.jpg).
 * Decode (sharp, JPEG -> RGB) is measured separately and excluded from detection time; the
 * one-off calibration likewise. "frame" = balls + cue + tracker (VisionPipeline.process after
 * calibration). Prints median / p90 / p99 in milliseconds, wall clock and, for the frame, process
 * CPU time (which a busy machine inflates far less than wall time).
 *
 *   node --import tsx bench/vision.ts [--runs720 N] [--runs4k N]
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  type Frame, type RgbImage, VisionPipeline, calibrateTable, decodeImage, detectBalls, detectCue,
} from '@tablecast/vision';
import { numArg } from './lib/args.js';

const DATA = process.env.TABLECAST_BILLIARDS_DATA ?? fileURLToPath(new URL('../../shared/data/billiards/', import.meta.url));

function stats(xs: number[]): { median: number; p90: number; p99: number; mean: number } {
  const s = xs.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p90: q(0.9), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

const fmt = (r: ReturnType<typeof stats>) => `median ${r.median.toFixed(2)}  p90 ${r.p90.toFixed(2)}  p99 ${r.p99.toFixed(2)}  mean ${r.mean.toFixed(2)} ms`;

async function timeDecode(path: string, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await decodeImage(path);
    out.push(performance.now() - t0);
  }
  return out;
}

function bench(label: string, img: RgbImage, runs: number): void {
  const t0 = performance.now();
  const cal = calibrateTable(img);
  const calMs = performance.now() - t0;
  const balls: number[] = [], cue: number[] = [], frame: number[] = [], cpu: number[] = [];
  const pipeline = new VisionPipeline();
  const warm = Math.min(20, runs);
  let found = 0;
  for (let i = -warm; i < runs; i++) {
    const f: Frame = { ...img, timestampMicros: 1e12 + i * 33_333, frameNumber: i + warm };
    let a = performance.now();
    const b = detectBalls(img, cal);
    const tb = performance.now() - a;
    a = performance.now();
    detectCue(img, cal, b);
    const tc = performance.now() - a;
    a = performance.now();
    const c0 = process.cpuUsage();
    const r = pipeline.process(f);
    const tf = performance.now() - a;
    const cu = process.cpuUsage(c0);
    if (i >= 0 && r.elapsedMs === r.elapsedMs) {
      // The pipeline's first call includes its own calibration: skipped by the warm-up.
      balls.push(tb); cue.push(tc); frame.push(tf); cpu.push((cu.user + cu.system) / 1000);
      found = r.balls.length;
    }
  }
  console.log(`${label}: ${img.width}x${img.height}, ${found} balls, calibration (once) ${calMs.toFixed(1)} ms, ${runs} runs, load average ${load()}`);
  console.log(`  balls        ${fmt(stats(balls))}`);
  console.log(`  cue          ${fmt(stats(cue))}`);
  console.log(`  frame total  ${fmt(stats(frame))}  (balls + cue + tracker, wall clock)`);
  console.log(`  frame CPU    ${fmt(stats(cpu))}  (process CPU time of the same calls: robust to a loaded machine)`);
}

/** 1-minute load average (the machine is shared: wall figures are only comparable at similar load). */
const load = (): string => loadavg()[0]!.toFixed(2);

const runs720 = numArg('runs720', 300);
const runs4k = numArg('runs4k', 100);
console.log(`vision bench: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${load()} at start`);
const d720 = await timeDecode(`${DATA}/table_w_balls.jpg`, 50);
const d4k = await timeDecode(`${DATA}/grid.jpg`, 20);
console.log(`decode (sharp JPEG -> RGB, excluded below): 720p ${fmt(stats(d720))}`);
console.log(`                                            4K   ${fmt(stats(d4k))}`);
bench('720p table_w_balls.jpg', await decodeImage(`${DATA}/table_w_balls.jpg`), runs720);
bench('4K grid.jpg', await decodeImage(`${DATA}/grid.jpg`), runs4k);
