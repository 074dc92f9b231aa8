/**
 * Coarse "not cloth" scan shared by ball and cue detection: one sample per k x k block (the
 * block's centre pixel), inside the bounding box of the table quad, classified through the
 * 6-bit-per-channel lookup table of {@link notClothLut}. A sample is foreground when it is not
 * cloth, lies inside the table quad, is not a cushion shadow (outside the lit quad and
 * {@link isShadowLike}), differs from the empty-table background (when one is given) and lies
 * outside every excluded disc (when given).
 *
 * The output is run-length encoded ({@link RunList}) for {@link labelRuns}: the masks are sparse
 * (a few thousand foreground samples out of some 10^5), so no grid-sized mask or label image is
 * built. The table decisions of four neighbouring samples are combined, so that a group of cloth
 * samples (most of the bed) costs one branch; the remaining tests run only where the table said
 * "not cloth". Samples inside a rectangle that lies well inside both quads ({@link innerRect})
 * skip the quad and shadow tests, whose answer there is certain. The decisions are exactly those
 * of the per-sample tests applied one by one (test/coarse-scan.test.ts checks it).
 */
import { notClothLut } from './cloth-lut.js';
import { type ClothModel, isShadowLike } from './color.js';
import { innerRect, insideQuadXY, packQuad } from './geometry.js';
import type { Point } from './homography.js';
import type { RgbImage } from './image.js';
import { RunList } from './run-components.js';

/** Parameters of {@link scanNotCloth}. Grid coordinates: sample (x, y) is pixel (x k + k/2, y k + k/2). */
export interface CoarseScanParams {
  /** Grid step, pixels (>= 1). */
  k: number;
  /** Table quad (cushion noses), grid coordinates. */
  quad: readonly Point[];
  /** Quad of the lit bed (inside the cushion shadows), grid coordinates. */
  lit: readonly Point[];
  /** Chromaticity threshold of the "not cloth" table ({@link notClothLut}). */
  threshold: number;
  /** Empty-table image data of the same size: samples within an L1 RGB distance of 60 of it are dropped. */
  background?: Uint8Array;
  /** Discs to exclude, grid coordinates: centre and squared radius (grid cells squared). */
  discs?: readonly { x: number; y: number; r2: number }[];
}

/** Result of {@link scanNotCloth}: the foreground runs and the grid size (cells). */
export interface CoarseScan {
  runs: RunList;
  width: number;
  height: number;
}

/**
 * Samples the frame on the coarse grid and returns the foreground runs.
 * @param img frame
 * @param cloth cloth model of the calibration
 */
export function scanNotCloth(img: RgbImage, cloth: ClothModel, p: CoarseScanParams): CoarseScan {
  const k = p.k;
  const w = Math.floor(img.width / k), h = Math.floor(img.height / k);
  const off = k >> 1;
  const runs = new RunList(2048);
  let bx0 = w, bx1 = 0, by0 = h, by1 = 0;
  for (const q of p.quad) {
    bx0 = Math.min(bx0, q.x); bx1 = Math.max(bx1, q.x); by0 = Math.min(by0, q.y); by1 = Math.max(by1, q.y);
  }
  const xa = Math.max(0, Math.floor(bx0)), xb = Math.min(w, Math.ceil(bx1));
  const ya = Math.max(0, Math.floor(by0)), yb = Math.min(h, Math.ceil(by1));
  const n = xb - xa;
  if (n <= 0 || yb <= ya) return { runs, width: w, height: h };
  const lut = notClothLut(cloth, p.threshold);
  const tests = new SampleTests(img.data, cloth, p);
  const data = img.data, iw = img.width;
  const step = k * 3;
  const n4 = n & ~3;
  for (let y = ya; y < yb; y++) {
    let si = ((y * k + off) * iw + xa * k + off) * 3;
    let start = -1;
    let o = 0;
    // Four samples per iteration: their table decisions are combined, and a group that is all
    // cloth (most of the bed) costs one branch.
    for (; o < n4; o += 4, si += 4 * step) {
      const s1 = si + step, s2 = s1 + step, s3 = s2 + step;
      const a0 = lut[((data[si]! >> 2) << 12) | ((data[si + 1]! >> 2) << 6) | (data[si + 2]! >> 2)]!;
      const a1 = lut[((data[s1]! >> 2) << 12) | ((data[s1 + 1]! >> 2) << 6) | (data[s1 + 2]! >> 2)]!;
      const a2 = lut[((data[s2]! >> 2) << 12) | ((data[s2 + 1]! >> 2) << 6) | (data[s2 + 2]! >> 2)]!;
      const a3 = lut[((data[s3]! >> 2) << 12) | ((data[s3 + 1]! >> 2) << 6) | (data[s3 + 2]! >> 2)]!;
      if ((a0 | a1 | a2 | a3) === 0) {
        if (start >= 0) { runs.push(y, start, xa + o); start = -1; }
        continue;
      }
      for (let j = 0; j < 4; j++) {
        const a = j === 0 ? a0 : j === 1 ? a1 : j === 2 ? a2 : a3;
        const x = xa + o + j;
        if (a !== 0 && tests.keep(x, y, si + j * step)) {
          if (start < 0) start = x;
        } else if (start >= 0) {
          runs.push(y, start, x);
          start = -1;
        }
      }
    }
    for (; o < n; o++, si += step) {
      const x = xa + o;
      if (lut[((data[si]! >> 2) << 12) | ((data[si + 1]! >> 2) << 6) | (data[si + 2]! >> 2)]! !== 0 && tests.keep(x, y, si)) {
        if (start < 0) start = x;
      } else if (start >= 0) {
        runs.push(y, start, x);
        start = -1;
      }
    }
    if (start >= 0) runs.push(y, start, xa + n);
  }
  return { runs, width: w, height: h };
}

/** The tests after the table lookup (see the module comment), for one sample. */
class SampleTests {
  private readonly quad: Float64Array;
  private readonly lit: Float64Array;
  private readonly bg: Uint8Array | undefined;
  private readonly dx: Float64Array;
  private readonly dy: Float64Array;
  private readonly dr2: Float64Array;
  /** Samples in here are inside both quads for certain (no quad or shadow test needed). */
  private readonly rx0: number;
  private readonly rx1: number;
  private readonly ry0: number;
  private readonly ry1: number;

  constructor(private readonly data: Uint8Array, private readonly cloth: ClothModel, p: CoarseScanParams) {
    this.quad = packQuad(p.quad);
    this.lit = packQuad(p.lit);
    const inner = innerRect([this.quad, this.lit], 1);
    this.rx0 = inner?.x0 ?? Infinity;
    this.rx1 = inner?.x1 ?? -Infinity;
    this.ry0 = inner?.y0 ?? Infinity;
    this.ry1 = inner?.y1 ?? -Infinity;
    this.bg = p.background;
    const discs = p.discs ?? [];
    this.dx = new Float64Array(discs.length);
    this.dy = new Float64Array(discs.length);
    this.dr2 = new Float64Array(discs.length);
    discs.forEach((d, i) => { this.dx[i] = d.x; this.dy[i] = d.y; this.dr2[i] = d.r2; });
  }

  /**
   * Whether a "not cloth" sample is foreground.
   * @param x grid column
   * @param y grid row
   * @param si byte offset of the sampled pixel in the frame data
   */
  keep(x: number, y: number, si: number): boolean {
    const data = this.data, bg = this.bg;
    const r = data[si]!, g = data[si + 1]!, b = data[si + 2]!;
    if (bg && Math.abs(r - bg[si]!) + Math.abs(g - bg[si + 1]!) + Math.abs(b - bg[si + 2]!) < 60) return false;
    if (!(x >= this.rx0 && x <= this.rx1 && y >= this.ry0 && y <= this.ry1)) {
      if (!insideQuadXY(this.quad, x, y)) return false;
      if (!insideQuadXY(this.lit, x, y) && isShadowLike(this.cloth, r, g, b)) return false;
    }
    const dx = this.dx, dy = this.dy, dr2 = this.dr2;
    for (let i = 0; i < dx.length; i++) {
      if ((dx[i]! - x) ** 2 + (dy[i]! - y) ** 2 < dr2[i]!) return false;
    }
    return true;
  }
}
