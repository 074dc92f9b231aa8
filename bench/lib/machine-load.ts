/**
 * How busy the machine was during a measurement, and how much of it was other processes: the
 * benchmarks share 2 cores with whatever else runs, so every run records the CPU (in cores) used
 * by processes other than its own server and load generator. Linux /proc only; NaN elsewhere.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

interface Snapshot {
  atMs: number;
  busy: number;
  total: number;
  pids: number;
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

function pidTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return NaN;
  }
}

/** Starts measuring; `finish()` returns the busy cores of the machine and of other processes. */
export function startLoadProbe(pids: number[]): { finish(): { busyCores: number; otherCores: number } } {
  const snap = (): Snapshot => {
    const m = machineTicks();
    return { atMs: Date.now(), busy: m.busy, total: m.total, pids: pids.reduce((a, p) => a + pidTicks(p), 0) };
  };
  let a: Snapshot;
  try {
    a = snap();
  } catch {
    return { finish: () => ({ busyCores: NaN, otherCores: NaN }) };
  }
  return {
    finish() {
      const b = snap();
      const seconds = (b.atMs - a.atMs) / 1000;
      const busyCores = (b.busy - a.busy) / TICKS_PER_S / seconds;
      const ours = (b.pids - a.pids) / TICKS_PER_S / seconds;
      return { busyCores, otherCores: busyCores - ours };
    },
  };
}
