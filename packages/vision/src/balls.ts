/**
 * Ball detection in one frame (classical CV, no learned model):
 * 1. Coarse search at a reduced resolution ({@link scanNotCloth}: one sample per k x k block so a
 *    ball is ~5 samples in radius; colour test through a lookup table): pixels
 *    inside the playing surface whose chromaticity differs from the cloth (shadows keep the cloth
 *    chromaticity and drop out) and, when an empty-table background is given, differ from it too
 *    (that removes spot markers, pocket liners and other fixed marks).
 * 2. 8-connected components of the run-length encoded mask ({@link labelRuns}); plausible sizes
 *    become candidates, big ones (touching balls) are split at the peaks of a chamfer distance
 *    transform.
 * 3. Refinement at full resolution: 48 rays walk from 1.5 R inward to the first ball pixel, the
 *    crossing is interpolated to sub-pixel precision, and a robust algebraic circle fit (Kasa)
 *    gives the centre and radius.
 * 4. Radius check against the calibration (a 57.15 mm ball) rejects spot markers (small) and pocket
 *    shadows / rail blobs (wrong size, poor fit); centres must lie on the bed.
 * 5. Identity from colour ({@link classifyBall}).
 */
import { type BallIdentity, ColourScratch, classifyBall } from './ball-identity.js';
import type { TableCalibration } from './calibration.js';
import { scanNotCloth } from './coarse-scan.js';
import { type ClothModel, ClothScorer } from './color.js';
import { distanceTransform } from './components.js';
import { type Circle, fitCircleXY, hypot2, roundPixel } from './geometry.js';
import { type Point, applyHomography, localScale } from './homography.js';
import type { RgbImage } from './image.js';
import { upperMedian } from './order-statistics.js';
import { componentMask, labelRuns } from './run-components.js';

/** One detected ball. */
export interface Ball extends BallIdentity {
  /** Centre in table metres. */
  x: number;
  y: number;
  /** Radius in metres (the calibrated ball radius; the measured one is in `pixel.radius`). */
  radius: number;
  /** Centre and fitted radius in image pixels (sub-pixel). */
  pixel: { x: number; y: number; radius: number };
  /** Detection confidence 0..1 (shape fit and size agreement). */
  confidence: number;
}

/** Options of {@link detectBalls}. */
export interface BallDetectionOptions {
  /** Empty-table image of the same view and size; fixed marks that match it are ignored. */
  background?: RgbImage;
  /** Chromaticity distance from the cloth above which a pixel is "not cloth" (default 0.06). */
  threshold?: number;
  /** Minimum confidence of reported balls (default 0.3). */
  minConfidence?: number;
  /** Skip colour classification (faster; number/type become unknown). */
  skipIdentity?: boolean;
}

/**
 * Finds the balls in an image.
 * @param img frame, same size as the calibration image
 * @param cal table calibration ({@link calibrateTable})
 * @returns balls sorted by x pixel, table metres and pixels
 */
export function detectBalls(img: RgbImage, cal: TableCalibration, opts: BallDetectionOptions = {}): Ball[] {
  const T = opts.threshold ?? 0.06;
  const R = cal.ballRadiusPx;
  const k = Math.max(1, Math.floor(R / 5));
  // Coarse grid: one sample per k x k block (block centre), only inside the table's bounding box.
  const off = k >> 1;
  const bg = opts.background && opts.background.width === img.width && opts.background.height === img.height
    ? opts.background.data : undefined;
  const { runs } = scanNotCloth(img, cal.cloth, {
    k,
    threshold: T,
    quad: cal.cornersPx.map((p) => ({ x: (p.x - off) / k, y: (p.y - off) / k })),
    lit: cal.litCornersPx.map((p) => ({ x: (p.x - off) / k, y: (p.y - off) / k })),
    background: bg,
  });
  const rLo = R / k;
  const expArea = Math.PI * rLo * rLo;
  const { runLabel, components } = labelRuns(runs, Math.max(2, Math.floor(expArea * 0.2)));
  const seeds: Point[] = [];
  for (const c of components) {
    if (c.area <= expArea * 2.2) { seeds.push({ x: c.cx * k + off, y: c.cy * k + off }); continue; }
    for (const p of splitCluster(componentMask(runs, runLabel, c), c, rLo)) seeds.push({ x: p.x * k + off, y: p.y * k + off });
  }
  const balls: Ball[] = [];
  const scratch = new RefineScratch(img, cal.cloth);
  for (const seed of seeds) {
    const ball = refine(img, cal, seed, T, opts, scratch);
    if (!ball || ball.confidence < (opts.minConfidence ?? 0.3)) continue;
    // Two seeds converging on one ball: keep the better.
    const dup = balls.findIndex((b) => Math.hypot(b.pixel.x - ball.pixel.x, b.pixel.y - ball.pixel.y) < R);
    if (dup >= 0) { if (balls[dup]!.confidence < ball.confidence) balls[dup] = ball; continue; }
    balls.push(ball);
  }
  return balls.sort((a, b) => a.pixel.x - b.pixel.x);
}

/**
 * Distance-transform peaks of one large component (touching balls), in mask pixels.
 * @param sub the component's cells over its bounding box ({@link componentMask})
 */
function splitCluster(sub: Uint8Array, c: { minX: number; minY: number; maxX: number; maxY: number }, rLo: number): Point[] {
  const cw = c.maxX - c.minX + 1, ch = c.maxY - c.minY + 1;
  const dt = distanceTransform(sub, cw, ch);
  const cand: { x: number; y: number; d: number }[] = [];
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const d = dt[y * cw + x]!;
      if (d >= 0.55 * rLo) cand.push({ x, y, d });
    }
  }
  cand.sort((a, b) => b.d - a.d);
  const peaks: Point[] = [];
  for (const p of cand) {
    if (peaks.some((q) => Math.hypot(q.x - (p.x + c.minX), q.y - (p.y + c.minY)) < 1.4 * rLo)) continue;
    peaks.push({ x: p.x + c.minX, y: p.y + c.minY });
  }
  return peaks;
}

const RAYS = 48;
const COS = Array.from({ length: RAYS }, (_, i) => Math.cos((2 * Math.PI * i) / RAYS));
const SIN = Array.from({ length: RAYS }, (_, i) => Math.sin((2 * Math.PI * i) / RAYS));

/**
 * Working state of {@link refine}, shared by the seeds of one frame: one edge point per ray, and
 * the last pixel scored (at small radii the rays step half a pixel, so consecutive samples often
 * round to the same pixel; re-using its score saves about 40 % of the colour evaluations).
 */
class RefineScratch {
  readonly ex = new Float64Array(RAYS);
  readonly ey = new Float64Array(RAYS);
  readonly kx = new Float64Array(RAYS);
  readonly ky = new Float64Array(RAYS);
  readonly res = new Float64Array(RAYS);
  readonly sorted = new Float64Array(RAYS);
  /** Working memory of the colour identity. */
  readonly colour = new ColourScratch();
  /** Colour profile along one ray (float32: the half-maximum edge interpolates these values). */
  private prof = new Float32Array(64);
  private readonly scorer: ClothScorer;
  private lastIndex = -1;
  private lastScore = 0;

  constructor(readonly img: RgbImage, cloth: ClothModel) {
    this.scorer = new ClothScorer(cloth);
  }

  /** Profile buffer of at least n entries (every entry a ray reads is written by that ray first). */
  profile(n: number): Float32Array {
    if (this.prof.length < n) this.prof = new Float32Array(n);
    return this.prof;
  }

  /**
   * Cloth distance ({@link ClothScorer}) of the pixel nearest to (x, y); 0 outside the image.
   * @param x column, pixels (rounded)
   * @param y row, pixels (rounded)
   */
  score(x: number, y: number): number {
    const xi = roundPixel(x), yi = roundPixel(y);
    const img = this.img, w = img.width;
    if (xi < 0 || yi < 0 || xi >= w || yi >= img.height) return 0;
    const i = (yi * w + xi) * 3;
    if (i === this.lastIndex) return this.lastScore;
    const data = img.data;
    const v = this.scorer.score(data[i]!, data[i + 1]!, data[i + 2]!);
    this.lastIndex = i;
    this.lastScore = v;
    return v;
  }
}

/** Full-resolution circle fit around a seed (step 3-5 of the module comment). */
function refine(img: RgbImage, cal: TableCalibration, seed: Point, T: number, opts: BallDetectionOptions, ws: RefineScratch): Ball | null {
  // Expected radius at this place in the image (perspective changes it slightly).
  const expR = cal.ballRadius / localScale(cal.homography, seed);
  let cx = seed.x, cy = seed.y;
  const prof = ws.profile(Math.ceil((1.5 * expR) / Math.max(0.5, expR / 25)) + 2);
  const { ex, ey, kx, ky, res, sorted } = ws;
  let circle: Circle | null = null;
  let inlierFrac = 0;
  let resid = 0;
  let blocked = 0;
  for (let pass = 0; pass < 2; pass++) {
    let ne = 0;
    const step = Math.max(0.5, expR / 25), stop = 0.3 * expR;
    blocked = 0;
    for (let a = 0; a < RAYS; a++) {
      const c = COS[a]!, s = SIN[a]!;
      // Start outside the ball; retry closer when a neighbour covers the far start point.
      let start = 1.5 * expR;
      let out = ws.score(cx + c * start, cy + s * start);
      if (out > T) {
        start = 1.15 * expR;
        out = ws.score(cx + c * start, cy + s * start);
        if (out > T) { blocked++; continue; }
      }
      const n = Math.floor((start - stop) / step);
      let first = -1;
      for (let j = 1; j <= n; j++) {
        const v = ws.score(cx + c * (start - j * step), cy + s * (start - j * step));
        prof[j] = v;
        if (v > T) { first = j; break; }
      }
      if (first < 0) continue;
      prof[0] = out;
      // Half-maximum edge: the colour step is blurred (JPEG chroma subsampling, optics), its
      // midpoint is the unbiased edge position.
      let peak = prof[first]!;
      const lim = Math.min(n, first + Math.ceil((0.35 * expR) / step));
      for (let j = first + 1; j <= lim; j++) {
        const v = ws.score(cx + c * (start - j * step), cy + s * (start - j * step));
        prof[j] = v;
        if (v > peak) peak = v;
      }
      const half = Math.max(T, out + 0.5 * (peak - out));
      for (let j = first; j <= lim; j++) {
        if (prof[j]! < half) continue;
        const p0 = prof[j - 1]!, p1 = prof[j]!;
        const f = (half - p0) / (p1 - p0 + 1e-9);
        const dd = start - (j - 1 + f) * step;
        ex[ne] = cx + c * dd;
        ey[ne] = cy + s * dd;
        ne++;
        break;
      }
    }
    if (ne < RAYS / 3) return null;
    let fit = fitCircleXY(ex, ey, ne);
    if (!fit) return null;
    // Robust pass: drop rays whose radius disagrees (neighbour ball, highlight, shadow).
    for (let it = 0; it < 2 && fit; it++) {
      const f = fit;
      for (let i = 0; i < ne; i++) res[i] = Math.abs(hypot2(ex[i]! - f.x, ey[i]! - f.y) - f.r);
      sorted.set(res.subarray(0, ne));
      const med = upperMedian(sorted, ne);
      const tol = Math.max(1, 2.5 * med);
      let nk = 0;
      for (let i = 0; i < ne; i++) {
        if (res[i]! <= tol) { kx[nk] = ex[i]!; ky[nk] = ey[i]!; nk++; }
      }
      if (nk < RAYS / 3) return null;
      fit = fitCircleXY(kx, ky, nk);
      inlierFrac = nk / RAYS;
      resid = med;
    }
    if (!fit) return null;
    circle = fit;
    cx = fit.x; cy = fit.y;
  }
  if (!circle) return null;
  const ratio = circle.r / expR;
  if (ratio < 0.7 || ratio > 1.35) return null;
  if (blocked > RAYS * 0.6) return null;
  // A ball fills its disc: most interior pixels are not cloth (rejects pocket and rail shadows
  // that bend the edge rays into a circle around cloth).
  let inside = 0, total = 0;
  const ri = 0.7 * circle.r;
  const is = Math.max(2, Math.round(circle.r / 8));
  for (let y = Math.ceil(circle.y - ri); y <= circle.y + ri; y += is) {
    for (let x = Math.ceil(circle.x - ri); x <= circle.x + ri; x += is) {
      if ((x - circle.x) ** 2 + (y - circle.y) ** 2 > ri * ri) continue;
      total++;
      if (ws.score(x, y) > T) inside++;
    }
  }
  if (total === 0 || inside / total < 0.6) return null;
  const t = applyHomography(cal.homography, { x: circle.x, y: circle.y });
  // A ball's centre is at least one radius from the cushion noses (0.8 R allows for calibration
  // error), and the corner pocket jaws keep it about sqrt(2) R from a corner (1.3 R): blobs
  // there are pocket liners and shadows.
  const rb = cal.ballRadius;
  const margin = 0.8 * rb;
  if (t.x < margin || t.y < margin || t.x > cal.tableWidth - margin || t.y > cal.tableHeight - margin) return null;
  for (const p of cal.pockets) {
    const corner = (p.x === 0 || p.x === cal.tableWidth) && (p.y === 0 || p.y === cal.tableHeight);
    if (corner && Math.hypot(t.x - p.x, t.y - p.y) < 1.3 * rb) return null;
  }
  const sizeScore = Math.max(0, 1 - Math.abs(1 - ratio) * 2.5);
  const fitScore = Math.max(0, 1 - resid / (0.15 * expR));
  const confidence = Math.min(1, 0.2 + 0.8 * (0.4 * sizeScore + 0.3 * fitScore + 0.3 * Math.min(1, inlierFrac / 0.8)));
  const identity: BallIdentity = opts.skipIdentity
    ? { number: null, type: 'unknown', identityConfidence: 0 }
    : classifyBall(img, circle.x, circle.y, circle.r, cal.cloth.brightness, ws.colour);
  return {
    ...identity,
    x: t.x,
    y: t.y,
    radius: cal.ballRadius,
    pixel: { x: circle.x, y: circle.y, radius: circle.r },
    confidence,
  };
}
