/**
 * Binary-mask utilities: connected-component labelling (two-pass union-find, Rosenfeld &
 * Pfaltz 1966, 8-connectivity) with per-component statistics, and a two-pass chamfer distance
 * transform (Borgefors 1986, 3-4 weights) used to split touching balls.
 */

/** Statistics of one connected component; coordinates in mask pixels. */
export interface Component {
  label: number;
  area: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Centroid. */
  cx: number;
  cy: number;
}

/** Result of labelling: per-pixel labels (0 = background) and component stats indexed by label-1. */
export interface Labelling {
  labels: Int32Array;
  components: Component[];
}

/**
 * Labels the 8-connected components of a mask (non-zero = foreground).
 * @param mask width*height bytes
 * @param minArea components smaller than this (pixels) are still labelled but omitted from stats
 */
export function labelComponents(mask: Uint8Array, width: number, height: number, minArea = 1): Labelling {
  const labels = new Int32Array(width * height);
  const parent: number[] = [0];
  const find = (a: number): number => {
    while (parent[a]! !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a), rb = find(b);
    if (ra === rb) return ra;
    if (ra < rb) { parent[rb] = ra; return ra; }
    parent[ra] = rb;
    return rb;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      let l = 0;
      // Already-labelled 8-neighbours: left, up-left, up, up-right.
      if (x > 0 && labels[i - 1]! !== 0) l = labels[i - 1]!;
      if (y > 0) {
        const up = i - width;
        if (x > 0 && labels[up - 1]! !== 0) l = l === 0 ? labels[up - 1]! : union(l, labels[up - 1]!);
        if (labels[up]! !== 0) l = l === 0 ? labels[up]! : union(l, labels[up]!);
        if (x < width - 1 && labels[up + 1]! !== 0) l = l === 0 ? labels[up + 1]! : union(l, labels[up + 1]!);
      }
      if (l === 0) {
        l = parent.length;
        parent.push(l);
      }
      labels[i] = l;
    }
  }
  // Second pass: resolve and compact labels, accumulate stats.
  const remap = new Int32Array(parent.length);
  const stats: { area: number; minX: number; minY: number; maxX: number; maxY: number; sx: number; sy: number }[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const l0 = labels[i]!;
      if (l0 === 0) continue;
      const r = find(l0);
      let c = remap[r]!;
      if (c === 0) {
        stats.push({ area: 0, minX: x, minY: y, maxX: x, maxY: y, sx: 0, sy: 0 });
        c = stats.length;
        remap[r] = c;
      }
      labels[i] = c;
      const s = stats[c - 1]!;
      s.area++;
      s.sx += x;
      s.sy += y;
      if (x < s.minX) s.minX = x;
      if (x > s.maxX) s.maxX = x;
      if (y > s.maxY) s.maxY = y;
    }
  }
  const components: Component[] = [];
  stats.forEach((s, k) => {
    if (s.area >= minArea) components.push({ label: k + 1, area: s.area, minX: s.minX, minY: s.minY, maxX: s.maxX, maxY: s.maxY, cx: s.sx / s.area, cy: s.sy / s.area });
  });
  return { labels, components };
}

/**
 * Chamfer (3-4) distance transform of the foreground: distance in pixels from each foreground
 * pixel to the nearest background pixel (approximately Euclidean, within about 8 %).
 * @returns Float32Array width*height, 0 on background
 */
export function distanceTransform(mask: Uint8Array, width: number, height: number): Float32Array {
  const INF = 1e9;
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? INF : 0;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : d[y * width + x]!);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (d[i] === 0) continue;
      d[i] = Math.min(d[i]!, at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (d[i] === 0) continue;
      d[i] = Math.min(d[i]!, at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
    }
  }
  for (let i = 0; i < d.length; i++) d[i] = d[i]! / 3;
  return d;
}
