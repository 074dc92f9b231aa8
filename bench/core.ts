/**
 * Core benchmark: the pipeline core alone (tracking, game state, game events with the contact,
 * cushion and pocket readings, eight-ball rules), trajectories off, over minutes of simulated play
 * (the simulator's session with ~1.5 mm detection noise and 1 % missed detections, the same frames
 * for every run). bench/pipeline.ts measures the whole loop and 10 s of it; this one isolates the
 * per-frame cost of the core over many shots.
 *
 *   node --import tsx bench/core.ts [--seconds 120] [--runs 7] [--shots-per-rack 30]
 *
 * `--shots-per-rack` is the simulator's re-rack cap (its default is 30; 12 before 2026-12-04: pass
 * 12 to compare with a tree of then on the same play).
 *
 * Prints microseconds per frame: median and min-max over the runs.
 */
import { cpus } from 'node:os';
import { createTable } from '@tablecast/physics';
import { PipelineCore, SimulatorSession, observeSimFrame, createRng } from '@tablecast/pipeline';
import { medSpread } from './lib/stats.js';
import { numArg } from './lib/args.js';

const FPS = 30;
const seconds = numArg('seconds', 120);
const runs = numArg('runs', 7);
const shotsPerRack = numArg('shots-per-rack', 30);

const session = new SimulatorSession(createTable('9ft'), createRng(1), { maxShotsPerRack: shotsPerRack });
const noise = createRng(7);
const detections = Array.from({ length: seconds * FPS }, (_, k) =>
  observeSimFrame(session.step(1 / FPS), k + 1, 1_800_000_000_000_000 + Math.round(((k + 1) * 1e6) / FPS), noise, 0.0015, 0.01));

const perFrame: number[] = [];
let events = 0;
for (let r = 0; r < runs + 1; r++) {
  let clockMs = 0;
  // Trajectories off: a planner that never re-plans (bench/pipeline.ts measures them).
  const core = new PipelineCore({ preset: '9ft', planner: { angleThresholdDeg: 0.5, positionThresholdM: 1e9, maxFps: 1e-4, now: () => clockMs } });
  let n = 0;
  const t0 = performance.now();
  for (const d of detections) {
    clockMs += 1000 / FPS;
    n += core.ingest(d).events.length;
  }
  const us = ((performance.now() - t0) * 1000) / detections.length;
  if (r === 0) continue; // warm-up
  perFrame.push(us);
  events = n;
}
console.log(`## core per frame: ${seconds} s of simulated play (${detections.length} frames, ${events} events), trajectories off, ${runs} runs`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`);
console.log(`µs per frame, median (min-max): ${medSpread(perFrame, 2)}`);
