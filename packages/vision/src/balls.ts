/**
 * Ball detection in one frame (classical CV, no learned model):
 * 1. Coarse search at a reduced resolution (one sample per k x k block so a ball is ~5 samples in
 *    radius; colour test through a lookup table, {@link notClothLut}): pixels
 *    inside the playing surface whose chromaticity differs from the cloth (shadows keep the cloth
 *    chromaticity and drop out) and, when an empty-table background is given, differ from it too
 *    (that removes spot markers, pocket liners and other fixed marks).
 * 2. 8-connected components; plausible sizes become candidates, big ones (touching balls) are split
 *    at the peaks of a chamfer distance transform.
 * 3. Refinement at full resolution: 48 rays walk from 1.5 R inward to the first ball pixel, the
 *    crossing is interpolated to sub-pixel precision, and a robust algebraic circle fit (Kasa)
 *    gives the centre and radius.
 * 4. Radius check against the calibration (a 57.15 mm ball) rejects spot markers (small) and pocket
 *    shadows / rail blobs (wrong size, poor fit); centres must lie on the bed.
 * 5. Identity from colour ({@link classifyBall}).
 */
import { classifyBall, type BallIdentity } from './ball-identity.js';
import type { TableCalibration } from './calibration.js';
import { clothDistance, isShadowLike } from './color.js';
import { distanceTransform, labelComponents } from './components.js';
import { fitCircle, insideQuad } from './geometry.js';
import { type Point, applyHomography, localScale } from './homography.js';
import type { RgbImage } from './image.js';
import { notClothLut } from './cloth-lut.js';

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
  const w = Math.floor(img.width / k), h = Math.floor(img.height / k);
  const off = k >> 1;
  const bg = opts.background && opts.background.width === img.width && opts.background.height === img.height
    ? opts.background.data : undefined;
  const data = img.data, iw = img.width;
  const mask = new Uint8Array(w * h);
  const quad = cal.cornersPx.map((p) => ({ x: (p.x - off) / k, y: (p.y - off) / k }));
  const lit = cal.litCornersPx.map((p) => ({ x: (p.x - off) / k, y: (p.y - off) / k }));
  let x0 = w, x1 = 0, y0 = h, y1 = 0;
  for (const p of quad) {
    x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
  }
  const cloth = cal.cloth;
  const lut = notClothLut(cloth, T);
  const xa = Math.max(0, Math.floor(x0)), xb = Math.min(w, Math.ceil(x1));
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(h, Math.ceil(y1)); y++) {
    let si = ((y * k + off) * iw + xa * k + off) * 3;
    const step = k * 3;
    for (let x = xa; x < xb; x++, si += step) {
      const r = data[si]!, g = data[si + 1]!, b = data[si + 2]!;
      if (!lut[((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2)]) continue;
      if (bg) {
        const d = Math.abs(r - bg[si]!) + Math.abs(g - bg[si + 1]!) + Math.abs(b - bg[si + 2]!);
        if (d < 60) continue;
      }
      if (!insideQuad(quad, { x, y })) continue;
      if (!insideQuad(lit, { x, y }) && isShadowLike(cloth, r, g, b)) continue;
      mask[y * w + x] = 1;
    }
  }
  const rLo = R / k;
  const expArea = Math.PI * rLo * rLo;
  const { labels, components } = labelComponents(mask, w, h, Math.max(2, Math.floor(expArea * 0.2)));
  const seeds: Point[] = [];
  for (const c of components) {
    if (c.area <= expArea * 2.2) { seeds.push({ x: c.cx * k + off, y: c.cy * k + off }); continue; }
    for (const p of splitCluster(labels, c.label, c, w, rLo)) seeds.push({ x: p.x * k + off, y: p.y * k + off });
  }
  const balls: Ball[] = [];
  for (const seed of seeds) {
    const ball = refine(img, cal, seed, T, opts);
    if (!ball || ball.confidence < (opts.minConfidence ?? 0.3)) continue;
    // Two seeds converging on one ball: keep the better.
    const dup = balls.findIndex((b) => Math.hypot(b.pixel.x - ball.pixel.x, b.pixel.y - ball.pixel.y) < R);
    if (dup >= 0) { if (balls[dup]!.confidence < ball.confidence) balls[dup] = ball; continue; }
    balls.push(ball);
  }
  return balls.sort((a, b) => a.pixel.x - b.pixel.x);
}

/** Distance-transform peaks of one large component (touching balls), in mask pixels. */
function splitCluster(labels: Int32Array, label: number, c: { minX: number; minY: number; maxX: number; maxY: number }, w: number, rLo: number): Point[] {
  const cw = c.maxX - c.minX + 1, ch = c.maxY - c.minY + 1;
  const sub = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) sub[y * cw + x] = labels[(y + c.minY) * w + x + c.minX] === label ? 1 : 0;
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

/** Full-resolution circle fit around a seed (step 3-5 of the module comment). */
function refine(img: RgbImage, cal: TableCalibration, seed: Point, T: number, opts: BallDetectionOptions): Ball | null {
  const { width: w, height: h, data } = img;
  const cloth = cal.cloth;
  // Expected radius at this place in the image (perspective changes it slightly).
  const expR = cal.ballRadius / localScale(cal.homography, seed);
  const score = (x: number, y: number): number => {
    const xi = Math.round(x), yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= w || yi >= h) return 0;
    const i = (yi * w + xi) * 3;
    return clothDistance(cloth, data[i]!, data[i + 1]!, data[i + 2]!);
  };
  let cx = seed.x, cy = seed.y;
  const prof = new Float32Array(Math.ceil((1.5 * expR) / Math.max(0.5, expR / 25)) + 2);
  let circle = null as ReturnType<typeof fitCircle>;
  let inlierFrac = 0;
  let resid = 0;
  let blocked = 0;
  for (let pass = 0; pass < 2; pass++) {
    const edge: Point[] = [];
    const step = Math.max(0.5, expR / 25), stop = 0.3 * expR;
    blocked = 0;
    for (let a = 0; a < RAYS; a++) {
      const c = COS[a]!, s = SIN[a]!;
      // Start outside the ball; retry closer when a neighbour covers the far start point.
      let start = 1.5 * expR;
      let out = score(cx + c * start, cy + s * start);
      if (out > T) {
        start = 1.15 * expR;
        out = score(cx + c * start, cy + s * start);
        if (out > T) { blocked++; continue; }
      }
      const n = Math.floor((start - stop) / step);
      let first = -1;
      for (let j = 1; j <= n; j++) {
        const v = score(cx + c * (start - j * step), cy + s * (start - j * step));
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
        const v = score(cx + c * (start - j * step), cy + s * (start - j * step));
        prof[j] = v;
        if (v > peak) peak = v;
      }
      const half = Math.max(T, out + 0.5 * (peak - out));
      for (let j = first; j <= lim; j++) {
        if (prof[j]! < half) continue;
        const p0 = prof[j - 1]!, p1 = prof[j]!;
        const f = (half - p0) / (p1 - p0 + 1e-9);
        const dd = start - (j - 1 + f) * step;
        edge.push({ x: cx + c * dd, y: cy + s * dd });
        break;
      }
    }
    if (edge.length < RAYS / 3) return null;
    let fit = fitCircle(edge);
    if (!fit) return null;
    // Robust pass: drop rays whose radius disagrees (neighbour ball, highlight, shadow).
    for (let it = 0; it < 2 && fit; it++) {
      const f = fit;
      const res = edge.map((p) => Math.abs(Math.hypot(p.x - f.x, p.y - f.y) - f.r));
      const med = res.slice().sort((p, q) => p - q)[res.length >> 1]!;
      const tol = Math.max(1, 2.5 * med);
      const kept = edge.filter((_, i) => res[i]! <= tol);
      if (kept.length < RAYS / 3) return null;
      fit = fitCircle(kept);
      inlierFrac = kept.length / RAYS;
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
      if (score(x, y) > T) inside++;
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
    : classifyBall(img, circle.x, circle.y, circle.r, cal.cloth.brightness);
  return {
    ...identity,
    x: t.x,
    y: t.y,
    radius: cal.ballRadius,
    pixel: { x: circle.x, y: circle.y, radius: circle.r },
    confidence,
  };
}
