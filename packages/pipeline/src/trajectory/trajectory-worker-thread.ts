/**
 * Entry of the trajectory worker thread: computes each posted {@link PlanRequest} with physics and
 * posts the payload back. Messages in: `{type: 'plan', req}`. Out: `{type: 'result', id, payload,
 * ms}` or `{type: 'error', id, message}` (physics threw for that request; the thread keeps serving).
 * The thread runs at a lower priority (nice 10), so when both want the CPU the main thread wins.
 */
import { parentPort } from 'node:worker_threads';
import type { TrajectoryPayload } from '@tablecast/protocol';
import { computeTrajectory, type PhysicsTable, type PlanRequest } from './trajectory-planner.js';
import { lowerThreadPriority } from '../util/module-worker.js';

/** Messages to the worker. */
export type ToTrajectoryWorker = { type: 'plan'; req: PlanRequest };

/** Messages from the worker. */
export type FromTrajectoryWorker =
  | { type: 'result'; id: number; payload: TrajectoryPayload; ms: number }
  | { type: 'error'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('trajectory-worker-thread.ts must run in a worker thread');
lowerThreadPriority(10);
const tables = new Map<string, PhysicsTable>();
port.on('message', (m: ToTrajectoryWorker) => {
  if (m.type !== 'plan') return;
  const t0 = performance.now();
  let out: FromTrajectoryWorker;
  try {
    const payload = computeTrajectory(m.req, tables);
    out = { type: 'result', id: m.req.id, payload, ms: performance.now() - t0 };
  } catch (err) {
    out = { type: 'error', id: m.req.id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(out);
});
