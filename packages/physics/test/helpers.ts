// Shared helpers for the physics tests (not a test file itself).
import { createTable, type SimulationResult, type Table } from '../src/index.js';
import { kinematicsAt } from '../src/ball-motion.js';

/** A big table (5 m x 3 m) so closed-form tests are not disturbed by cushions. */
export function bigTable(): Table {
  return createTable('9ft', { width: 5, height: 3 });
}

/** Kinematic state of ball `id` just before time t (the segment that ends at t). */
export function stateBefore(sim: SimulationResult, id: string, t: number) {
  const h = sim.histories.find((x) => x.id === id)!;
  let seg = h.segments[0]!;
  for (const s of h.segments) if (s.t0 < t) seg = s;
  return kinematicsAt(seg, t, sim.params);
}

/** Kinematic state of ball `id` right after time t (the segment that starts at or before t). */
export function stateAfter(sim: SimulationResult, id: string, t: number) {
  const h = sim.histories.find((x) => x.id === id)!;
  let seg = h.segments[0]!;
  for (const s of h.segments) if (s.t0 <= t) seg = s;
  return kinematicsAt(seg, t, sim.params);
}

/** Angle of a vector in degrees. */
export function deg(x: number, y: number): number {
  return (Math.atan2(y, x) * 180) / Math.PI;
}
