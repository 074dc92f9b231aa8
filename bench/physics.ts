// Physics benchmark: typical aimed-shot prediction and a full 8-ball break simulated to rest.
// Run: node --import tsx bench/physics.ts   (results recorded in docs/BENCHMARKS.md, "## Physics")
import { cpus, loadavg } from 'node:os';
import { createTable, predictShot, rackEightBall, simulateShot, type BallInput, type CueStrike } from '@tablecast/physics';

interface Stats { median: number; p90: number; p99: number; max: number; mean: number }

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

function bench(name: string, warmup: number, runs: number, fn: (i: number) => void): Stats {
  for (let i = 0; i < warmup; i++) fn(i);
  const t: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    fn(i);
    t.push(performance.now() - a);
  }
  const cpu = process.cpuUsage(cpu0);
  const r = stats(t);
  const f = (x: number): string => x.toFixed(3);
  // CPU time per run (user + system, includes GC) is less sensitive to other processes on a busy host.
  const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
  console.log(`${name.padEnd(44)} runs=${runs} wall: median=${f(r.median)} ms p90=${f(r.p90)} ms p99=${f(r.p99)} ms max=${f(r.max)} ms mean=${f(r.mean)} ms; cpu mean=${f(cpuMs)} ms`);
  return r;
}

const table = createTable('9ft');
const R = table.ballRadius;

// Typical aimed shots: cue ball and one object ball, cut angles 0..60 deg, 2-5 m/s, assorted tip
// offsets; the cue ball typically reaches 1-3 cushions after the contact.
const shots: { balls: BallInput[]; strike: CueStrike }[] = [];
for (let k = 0; k < 32; k++) {
  const cut = ((k % 7) * 10 * Math.PI) / 180;
  const cue = { id: 'cue', x: 0.5 + 0.02 * (k % 5), y: 0.4 + 0.015 * (k % 9) };
  const obj = { id: '1', x: 1.6 + 0.01 * (k % 4), y: 0.7 - 0.01 * (k % 3) };
  // Aim at the ghost ball for the wanted cut (object ball towards the far side).
  const dx = obj.x - cue.x;
  const dy = obj.y - cue.y;
  const base = Math.atan2(dy, dx);
  const aim = base + Math.asin(Math.min(0.99, (2 * R * Math.sin(cut)) / Math.hypot(dx, dy)));
  shots.push({
    balls: [cue, obj],
    strike: { angleDeg: (aim * 180) / Math.PI, speed: 2 + (k % 4), tipSide: ((k % 5) - 2) * 0.1, tipVertical: ((k % 3) - 1) * 0.3 },
  });
}
let cushions = 0;
for (const s of shots) {
  const p = predictShot(table, s.balls, 'cue', s.strike);
  cushions += p.events.filter((e) => e.type === 'ball_cushion' && e.ballIds[0] === 'cue').length;
}
console.log(`node ${process.version}, ${cpus().length} cpus, ${cpus()[0]?.model ?? 'unknown'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`typical shots: ${shots.length} variants, mean cue-ball cushion contacts ${(cushions / shots.length).toFixed(2)}`);
const typical = bench('typical shot prediction (predictShot)', 2000, 20000, (i) => {
  const s = shots[i % shots.length]!;
  predictShot(table, s.balls, 'cue', s.strike);
});

const rack = rackEightBall(table);
const breaks: CueStrike[] = Array.from({ length: 16 }, (_, k) => ({ angleDeg: (k - 8) * 0.15, speed: 8, tipSide: ((k % 3) - 1) * 0.1 }));
let events = 0;
let pocketed = 0;
for (const b of breaks) {
  const r = simulateShot(table, rack, 'cue', b);
  if (r.truncated) throw new Error('break did not come to rest');
  events += r.events.length;
  pocketed += r.pocketed.length;
}
console.log(`full break: ${breaks.length} variants, mean ${(events / breaks.length).toFixed(0)} events, mean ${(pocketed / breaks.length).toFixed(2)} balls pocketed`);
const brk = bench('full break 8 m/s to rest (simulateShot)', 200, 2000, (i) => {
  simulateShot(table, rack, 'cue', breaks[i % breaks.length]!);
});
const ok = typical.median <= 0.5 && brk.median <= 5;
console.log(`targets: typical median <= 0.5 ms ${typical.median <= 0.5 ? 'met' : 'MISSED'}, break median <= 5 ms ${brk.median <= 5 ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
