/**
 * Cue stick detection: the cue is the longest thin non-cloth object over the bed.
 * 1. Reduced-resolution mask of pixels over the playing surface that are not cloth (chromaticity
 *    distance as in ball detection) and not inside a detected ball (1.3 R), {@link scanNotCloth}.
 * 2. 8-connected components ({@link labelRuns}); for each, principal component analysis of its
 *    pixels gives the axis, the visible length (sqrt(12 lambda1) for a uniform segment) and the
 *    elongation sqrt(lambda1 / lambda2).
 * 3. The best elongated component is the cue. The tip is the end away from the table boundary
 *    (the butt leaves the table over the rail); when both ends lie on the bed, the end nearer to a
 *    ball. The angle points from the butt towards the tip, in table coordinates.
 */
import type { Ball } from './balls.js';
import type { TableCalibration } from './calibration.js';
import { scanNotCloth } from './coarse-scan.js';
import { type Point, applyHomography } from './homography.js';
import type { RgbImage } from './image.js';
import { labelRuns } from './run-components.js';

/** A detected cue stick. */
export interface Cue {
  /** Tip position, table metres. */
  tipX: number;
  tipY: number;
  /** Shot direction, degrees: (cos a, sin a) in table coordinates, from the butt towards the tip. */
  angleDeg: number;
  /** Visible length over the bed, metres. */
  length: number;
  /** 0..1 */
  confidence: number;
  /** Tip and visible butt end in image pixels. */
  tipPx: Point;
  buttPx: Point;
}

/** Options of {@link detectCue}. */
export interface CueDetectionOptions {
  /** Chromaticity threshold (default 0.06, as for balls). */
  threshold?: number;
  /** Minimum visible length, metres (default 0.25). */
  minLength?: number;
  /** Minimum elongation sqrt(lambda1/lambda2) (default 6). */
  minElongation?: number;
}

/**
 * Finds the cue stick, or null when none is visible.
 * @param img frame (same size as the calibration image)
 * @param cal table calibration
 * @param balls balls of this frame (their discs are excluded)
 */
export function detectCue(img: RgbImage, cal: TableCalibration, balls: readonly Ball[], opts: CueDetectionOptions = {}): Cue | null {
  const T = opts.threshold ?? 0.06;
  const k = Math.max(1, Math.floor(cal.ballRadiusPx / 4));
  const { runs } = scanNotCloth(img, cal.cloth, {
    k,
    threshold: T,
    quad: cal.cornersPx.map((p) => ({ x: p.x / k, y: p.y / k })),
    lit: cal.litCornersPx.map((p) => ({ x: p.x / k, y: p.y / k })),
    discs: balls.map((b) => ({ x: b.pixel.x / k, y: b.pixel.y / k, r2: ((b.pixel.radius * 1.3) / k) ** 2 })),
  });
  const minLenPx = ((opts.minLength ?? 0.25) * cal.pixelsPerMetre) / k;
  const { runLabel, components } = labelRuns(runs, Math.max(4, Math.floor(minLenPx)));
  const ry = runs.y, rx0 = runs.x0, rx1 = runs.x1;
  let best: { score: number; cue: Cue } | null = null;
  for (const c of components) {
    if (Math.max(c.maxX - c.minX, c.maxY - c.minY) < minLenPx * 0.7) continue;
    // PCA of the component's pixels (runs in raster order: the same summation order as a scan
    // of its bounding box).
    let sxx = 0, sxy = 0, syy = 0;
    for (let i = 0; i < runs.count; i++) {
      if (runLabel[i] !== c.label) continue;
      const y = ry[i]!, dy = y - c.cy;
      for (let x = rx0[i]!, e = rx1[i]!; x < e; x++) {
        const dx = x - c.cx;
        sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
      }
    }
    sxx /= c.area; sxy /= c.area; syy /= c.area;
    const tr = sxx + syy, det = sxx * syy - sxy * sxy;
    const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
    const l1 = tr / 2 + disc, l2 = Math.max(1e-6, tr / 2 - disc);
    const elong = Math.sqrt(l1 / l2);
    const len = Math.sqrt(12 * l1);
    if (elong < (opts.minElongation ?? 6) || len < minLenPx) continue;
    const th = 0.5 * Math.atan2(2 * sxy, sxx - syy);
    const ux = Math.cos(th), uy = Math.sin(th);
    // Extent along the axis: the projection is monotonic along a run, so its ends suffice.
    let tmin = Infinity, tmax = -Infinity;
    for (let i = 0; i < runs.count; i++) {
      if (runLabel[i] !== c.label) continue;
      const y = ry[i]!;
      for (let end = 0; end < 2; end++) {
        const x = end === 0 ? rx0[i]! : rx1[i]! - 1;
        const t = (x - c.cx) * ux + (y - c.cy) * uy;
        if (t < tmin) tmin = t;
        if (t > tmax) tmax = t;
      }
    }
    const e1 = { x: (c.cx + ux * tmin + 0.5) * k, y: (c.cy + uy * tmin + 0.5) * k };
    const e2 = { x: (c.cx + ux * tmax + 0.5) * k, y: (c.cy + uy * tmax + 0.5) * k };
    const [tipPx, buttPx] = chooseTip(cal, balls, e1, e2);
    const tip = applyHomography(cal.homography, tipPx);
    const butt = applyHomography(cal.homography, buttPx);
    const length = Math.hypot(tip.x - butt.x, tip.y - butt.y);
    const confidence = Math.min(1, 0.3 + 0.35 * Math.min(1, elong / 15) + 0.35 * Math.min(1, length / 0.8));
    const score = confidence * length;
    if (!best || score > best.score) {
      best = {
        score,
        cue: {
          tipX: tip.x,
          tipY: tip.y,
          angleDeg: (Math.atan2(tip.y - butt.y, tip.x - butt.x) * 180) / Math.PI,
          length,
          confidence,
          tipPx,
          buttPx,
        },
      };
    }
  }
  return best?.cue ?? null;
}

/** Orders the two ends as [tip, butt] (step 3 of the module comment). */
function chooseTip(cal: TableCalibration, balls: readonly Ball[], a: Point, b: Point): [Point, Point] {
  const edge = (p: Point): number => {
    const t = applyHomography(cal.homography, p);
    return Math.min(t.x, t.y, cal.tableWidth - t.x, cal.tableHeight - t.y);
  };
  const near = 2.5 * cal.ballRadius;
  const ea = edge(a), eb = edge(b);
  if (ea < near && eb >= near) return [b, a];
  if (eb < near && ea >= near) return [a, b];
  const ballDist = (p: Point): number => balls.reduce((m, q) => Math.min(m, Math.hypot(q.pixel.x - p.x, q.pixel.y - p.y)), Infinity);
  if (balls.length > 0) return ballDist(a) <= ballDist(b) ? [a, b] : [b, a];
  return ea >= eb ? [a, b] : [b, a];
}
