/**
 * Spawning worker threads from TypeScript modules (the source worker, the trajectory worker).
 */
import { Worker } from 'node:worker_threads';

/**
 * Creates a Worker for a module URL. Under tsx (a `.ts` URL) the worker first registers tsx's
 * loader (workers do not inherit `--import` hooks on Node 20), then imports the module.
 * @param url the module to run (`new URL('./x.ts', import.meta.url)`)
 * @param options Worker options (`workerData`, `name`, ...); `eval` is set for `.ts` URLs
 */
export function spawnModuleWorker(url: URL, options: ConstructorParameters<typeof Worker>[1] = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(url.href)});`;
  return new Worker(code, { ...options, eval: true });
}
