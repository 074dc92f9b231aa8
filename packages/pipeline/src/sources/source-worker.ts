/**
 * Entry of the source worker thread. Creates the source from `workerData.spec` via the factory,
 * forwards its detections to the main thread with credit-based flow control, and reports failures.
 *
 * Messages to the main thread: `ready`, `detection {detection, droppedInWorker}` (JPEG bytes
 * transferred, not copied), `ended` (the source finished by itself), `failed {message, stack}`
 * (then the worker exits with code 1). From the main thread: `credit {n}` (n more detections may
 * be sent), `frame-demand {wanted}` (forwarded to `Source.setFrameDemand`), `stop`.
 *
 * Flow control: the worker may have at most `window` unacknowledged detections in flight. Without
 * credit it keeps only the newest detection and drops (and counts) the older one, so neither the
 * port nor the worker can queue without bound when the main thread is busy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Detection } from '../core/detection.js';
import type { Source, SourceOptions, SourceSpec } from './source.js';
import { createSource } from './source-factory.js';

/** Data the host passes to the worker. */
export interface SourceWorkerData {
  spec: SourceSpec;
  options: SourceOptions;
  /** Detections that may be in flight unacknowledged. */
  window: number;
  /** Whether JPEG frames are wanted at start (see `Source.setFrameDemand`). */
  frameDemand: boolean;
}

/** Messages the worker posts. */
export type WorkerToHost =
  | { type: 'ready' }
  | { type: 'detection'; detection: Detection; droppedInWorker: number }
  | { type: 'ended' }
  | { type: 'failed'; message: string; stack?: string };

/** Messages the host posts. */
export type HostToWorker = { type: 'credit'; n: number } | { type: 'frame-demand'; wanted: boolean } | { type: 'stop' };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('source-worker.ts must run in a worker thread');
  const data = workerData as SourceWorkerData;
  let credits = data.window;
  let pending: Detection | null = null;
  let dropped = 0;
  let source: Source | null = null;
  let stopping = false;
  /** The source ended while a detection waited for credit: `ended` follows that detection. */
  let endAfterPending = false;
  let frameDemand = data.frameDemand;
  const postEnded = (): void => {
    if (!stopping) port.postMessage({ type: 'ended' } satisfies WorkerToHost);
  };

  const post = (d: Detection): void => {
    credits--;
    const transfer: ArrayBuffer[] = [];
    if (d.frame) {
      // Copy into a fresh, exactly-sized buffer we own, then transfer it (no second copy).
      const own = new Uint8Array(d.frame.jpeg.byteLength);
      own.set(d.frame.jpeg);
      d = { ...d, frame: { ...d.frame, jpeg: own } };
      transfer.push(own.buffer);
    }
    port.postMessage({ type: 'detection', detection: d, droppedInWorker: dropped } satisfies WorkerToHost, transfer);
  };
  const emit = (d: Detection): void => {
    if (stopping) return;
    if (credits > 0) post(d);
    else {
      if (pending) dropped++;
      pending = d;
    }
  };
  const fail = (err: unknown): void => {
    if (stopping) return;
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'failed', message: e.message, ...(e.stack ? { stack: e.stack } : {}) } satisfies WorkerToHost);
    process.exit(1);
  };

  port.on('message', (m: HostToWorker) => {
    if (m.type === 'credit') {
      credits += m.n;
      if (pending && credits > 0) {
        const d = pending;
        pending = null;
        post(d);
        if (endAfterPending) postEnded();
      }
    } else if (m.type === 'frame-demand') {
      frameDemand = m.wanted;
      source?.setFrameDemand?.(m.wanted);
    } else if (m.type === 'stop') {
      stopping = true;
      void (source?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
    }
  });

  try {
    source = await createSource(data.spec, data.options);
    source.setFrameDemand?.(frameDemand);
    source.done.then(
      () => {
        // Same port, so order holds: the newest detection (parked for credit) goes out before `ended`.
        if (pending) endAfterPending = true;
        else postEnded();
      },
      fail,
    );
    await source.start(emit);
    port.postMessage({ type: 'ready' } satisfies WorkerToHost);
  } catch (err) {
    fail(err);
  }
}

void main();
