/**
 * CPU time of this process' threads, from Linux's /proc/self/task/<tid>/schedstat (first field:
 * nanoseconds on a CPU) and /proc/self/task/<tid>/comm (thread name). Splits a process' CPU into the
 * main thread (JavaScript, the event loop, syscalls it makes) and the helpers V8 and libuv run
 * beside it (`V8 DefaultWorke`: concurrent GC marking/sweeping and compilation; `libuv-worker`:
 * the thread pool). Empty on systems without /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU nanoseconds per thread, keyed `tid:name`. */
export type ThreadCpu = Map<string, number>;

/** Samples every thread's CPU time now. */
export function sampleThreadCpu(): ThreadCpu {
  const out: ThreadCpu = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      out.set(`${tid}:${name}`, ns);
    } catch {
      // thread exited between readdir and read
    }
  }
  return out;
}

/**
 * CPU used between two samples, in microseconds, grouped as `main` (the thread whose id is the
 * process id) and by thread name for the others (e.g. `V8 DefaultWorke`, `libuv-worker`).
 */
export function threadCpuDelta(before: ThreadCpu, after: ThreadCpu): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, ns] of after) {
    const [tid, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    const group = Number(tid) === process.pid ? 'main' : name;
    out[group] = (out[group] ?? 0) + (ns - (before.get(key) ?? 0)) / 1000;
  }
  return out;
}
