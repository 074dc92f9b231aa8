/**
 * Small statistics helpers of the benchmarks: percentiles of a sample, median and spread across
 * runs, number formatting.
 */

/** Nearest-rank percentile of an ascending-sorted sample; NaN when empty. `p` in 0..100. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1]!;
}

/** Median of a list (mean of the two middle values for even lengths); NaN when empty. */
export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Smallest and largest finite value. */
export function range(values: number[]): { min: number; max: number } {
  const v = values.filter((x) => Number.isFinite(x));
  return { min: v.length ? Math.min(...v) : NaN, max: v.length ? Math.max(...v) : NaN };
}

/** Formats `v` with `digits` decimals ("n/a" for NaN). */
export function fmt(v: number, digits = 2): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

/** "median (min-max)" of a list, e.g. `4.12 (3.98-4.40)`. */
export function medSpread(values: number[], digits = 2): string {
  const { min, max } = range(values);
  return `${fmt(median(values), digits)} (${fmt(min, digits)}-${fmt(max, digits)})`;
}
