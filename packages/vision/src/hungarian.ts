/**
 * Minimum-cost assignment (Hungarian algorithm, Kuhn 1955 / Munkres 1957), O(n^2 m) potentials
 * formulation as in the e-maxx algorithm notes, for rectangular cost matrices.
 */

/**
 * Solves the assignment problem for a rows x cols cost matrix.
 * @param cost cost[i][j] >= 0 or Infinity for a forbidden pair (treated as a very large cost)
 * @returns for each row the assigned column, or -1 when rows > cols and the row got none
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const n0 = cost.length;
  const m0 = n0 === 0 ? 0 : cost[0]!.length;
  if (n0 === 0 || m0 === 0) return new Array<number>(n0).fill(-1);
  // The algorithm needs rows <= cols: transpose when necessary.
  const transpose = n0 > m0;
  const n = transpose ? m0 : n0;
  const m = transpose ? n0 : m0;
  const BIG = 1e9;
  const a = (i: number, j: number): number => {
    const v = transpose ? cost[j]![i]! : cost[i]![j]!;
    return Number.isFinite(v) ? v : BIG;
  };
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1), way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1), used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) { minv[j] = cur; way[j] = j0; }
        if (minv[j]! < delta) { delta = minv[j]!; j1 = j; }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) { u[p[j]!]! += delta; v[j]! -= delta; } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowOf = new Int32Array(m + 1).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) rowOf[j] = p[j]! - 1;
  const result = new Array<number>(n0).fill(-1);
  if (!transpose) {
    for (let j = 1; j <= m; j++) if (rowOf[j]! >= 0) result[rowOf[j]!] = j - 1;
  } else {
    // Rows of the transposed problem are our columns.
    for (let j = 1; j <= m; j++) if (rowOf[j]! >= 0) result[j - 1] = rowOf[j]!;
  }
  return result;
}
