/**
 * Spawning worker threads from TypeScript modules (the source worker, the trajectory worker).
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * The URL of a worker module beside the caller, with the caller's own extension: `name.ts` while the
 * sources run through tsx, `name.js` in the built release (scripts/build.mjs).
 * @param name module name without extension (`./source-worker`)
 * @param base the caller's `import.meta.url`
 */
export function siblingModule(name: string, base: string): URL {
  return new URL(`${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/**
 * Creates a Worker for a module URL. Under tsx (a `.ts` URL) the worker first registers tsx's
 * loader (workers do not inherit `--import` hooks on Node 20), then imports the module.
 * @param url the module to run ({@link siblingModule})
 * @param options Worker options (`workerData`, `name`, ...); `eval` is set for `.ts` URLs
 */
export function spawnModuleWorker(url: URL, options: ConstructorParameters<typeof Worker>[1] = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(url.href)});`;
  return new Worker(code, { ...options, eval: true });
}

/**
 * Lowers the scheduling priority of the calling thread (Linux: per-thread nice value, found through
 * `/proc/thread-self`), so a background worker (trajectory predictions) yields the CPU to the main
 * thread that receives detections and writes to sockets when both want it. Best effort: returns
 * false where per-thread priorities are unavailable (other systems, no /proc, not permitted).
 * @param nice nice value 0-19 (higher = lower priority); default 10 (~10 % of a contended core)
 */
export function lowerThreadPriority(nice = 10): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return getPriority(tid) === nice;
  } catch {
    return false;
  }
}
