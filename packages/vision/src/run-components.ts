/**
 * Connected components of a sparse binary grid held as horizontal runs (run-length encoding):
 * the coarse candidate masks of ball and cue detection have a few thousand foreground samples in
 * a grid of a few hundred thousand, so labelling the runs (union-find over runs that touch in
 * 8-connectivity, as in the run-based variant of Rosenfeld & Pfaltz 1966) costs time in the number
 * of runs, not of grid cells, and needs no per-cell label image.
 *
 * Results are identical to {@link labelComponents} on the rasterised mask: same compact labels
 * (numbered by first foreground cell in raster order), same statistics, same order.
 */
import type { Component } from './components.js';

/**
 * Growable list of horizontal runs of foreground cells, in raster order (rows ascending, runs
 * within a row left to right, not touching each other). Run i covers columns x0[i] .. x1[i] - 1
 * of row y[i] (grid cells).
 */
export class RunList {
  /** Number of runs. */
  count = 0;
  y: Int32Array;
  x0: Int32Array;
  /** Exclusive end column. */
  x1: Int32Array;

  /** @param capacity initial number of runs (grows by doubling) */
  constructor(capacity = 1024) {
    this.y = new Int32Array(capacity);
    this.x0 = new Int32Array(capacity);
    this.x1 = new Int32Array(capacity);
  }

  /** Appends a run; callers must keep raster order. */
  push(y: number, x0: number, x1: number): void {
    if (this.count === this.y.length) this.grow();
    const i = this.count++;
    this.y[i] = y;
    this.x0[i] = x0;
    this.x1[i] = x1;
  }

  /** Forgets all runs, keeping the storage. */
  clear(): void {
    this.count = 0;
  }

  private grow(): void {
    const n = this.y.length * 2;
    const y = new Int32Array(n), x0 = new Int32Array(n), x1 = new Int32Array(n);
    y.set(this.y); x0.set(this.x0); x1.set(this.x1);
    this.y = y; this.x0 = x0; this.x1 = x1;
  }
}

/** Components of a {@link RunList}: statistics plus the compact label of every run. */
export interface RunLabelling {
  /** Components with at least `minArea` cells, in label order. */
  components: Component[];
  /** Compact label (1-based) of each run; covers all components, small ones too. */
  runLabel: Int32Array;
}

/** Root of a union-find forest with path halving. */
function find(parent: Int32Array, a: number): number {
  while (parent[a]! !== a) {
    const g = parent[parent[a]!]!;
    parent[a] = g;
    a = g;
  }
  return a;
}

/**
 * Labels the 8-connected components of the runs.
 * @param runs foreground runs in raster order
 * @param minArea components with fewer cells are labelled but omitted from `components`
 */
export function labelRuns(runs: RunList, minArea = 1): RunLabelling {
  const n = runs.count;
  const ry = runs.y, rx0 = runs.x0, rx1 = runs.x1;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  let prevStart = 0, prevEnd = 0;
  for (let i = 0; i < n;) {
    const y = ry[i]!;
    let rowEnd = i + 1;
    while (rowEnd < n && ry[rowEnd]! === y) rowEnd++;
    if (prevEnd > prevStart && ry[prevStart]! === y - 1) {
      // Runs of the row above touch (8-connectivity) when their column ranges overlap after
      // widening by one cell; both lists are sorted, so a pointer skips the ones left behind.
      let p = prevStart;
      for (let r = i; r < rowEnd; r++) {
        const a0 = rx0[r]!, a1 = rx1[r]!;
        while (p < prevEnd && rx1[p]! < a0) p++;
        for (let q = p; q < prevEnd && rx0[q]! <= a1; q++) {
          const ra = find(parent, r), rb = find(parent, q);
          if (ra < rb) parent[rb] = ra;
          else if (rb < ra) parent[ra] = rb;
        }
      }
    }
    prevStart = i;
    prevEnd = rowEnd;
    i = rowEnd;
  }
  // Compact labels in order of each component's first run (= first cell in raster order).
  const runLabel = new Int32Array(n);
  const remap = new Int32Array(n);
  const area: number[] = [], minX: number[] = [], minY: number[] = [], maxX: number[] = [], maxY: number[] = [];
  const sx: number[] = [], sy: number[] = [];
  for (let i = 0; i < n; i++) {
    const root = find(parent, i);
    let c = remap[root]!;
    const y = ry[i]!, x0 = rx0[i]!, x1 = rx1[i]!, len = x1 - x0;
    if (c === 0) {
      c = area.length + 1;
      remap[root] = c;
      area.push(0); sx.push(0); sy.push(0);
      minX.push(x0); maxX.push(x1 - 1); minY.push(y); maxY.push(y);
    }
    runLabel[i] = c;
    const k = c - 1;
    area[k]! += len;
    // Sum of the columns x0 .. x1 - 1 (an exact integer: one factor is always even).
    sx[k]! += (len * (x0 + x1 - 1)) / 2;
    sy[k]! += len * y;
    if (x0 < minX[k]!) minX[k] = x0;
    if (x1 - 1 > maxX[k]!) maxX[k] = x1 - 1;
    maxY[k] = y;
  }
  const components: Component[] = [];
  for (let k = 0; k < area.length; k++) {
    const a = area[k]!;
    if (a >= minArea) {
      components.push({ label: k + 1, area: a, minX: minX[k]!, minY: minY[k]!, maxX: maxX[k]!, maxY: maxY[k]!, cx: sx[k]! / a, cy: sy[k]! / a });
    }
  }
  return { components, runLabel };
}

/**
 * Rasterises one component into a mask of its bounding box (1 = cell of the component).
 * @returns Uint8Array (maxX - minX + 1) x (maxY - minY + 1), row-major
 */
export function componentMask(runs: RunList, runLabel: Int32Array, c: Component): Uint8Array {
  const cw = c.maxX - c.minX + 1, ch = c.maxY - c.minY + 1;
  const sub = new Uint8Array(cw * ch);
  for (let i = 0; i < runs.count; i++) {
    if (runLabel[i] !== c.label) continue;
    const o = (runs.y[i]! - c.minY) * cw - c.minX;
    sub.fill(1, o + runs.x0[i]!, o + runs.x1[i]!);
  }
  return sub;
}
