/**
 * Table calibration: finds the playing surface in an overhead image and builds the homography
 * between image pixels and table metres.
 *
 * Automatic method (classical, after the HSV cloth segmentation of the original billiards-trainer
 * and of OpenCV pool-table tutorials):
 * 1. At about 640 px width, pixels whose hue is within 22 degrees of the dominant saturated hue of
 *    the image centre are cloth; the largest 8-connected cloth component is the bed + cushions.
 * 2. Its outer boundary (cloth meets rail wood) gives four robust line fits.
 * 3. Walking inward along each side's normal at full resolution, the cushion nose is the
 *    steepest bright-to-dark step (the cushion top is lit, the bed under the nose is shaded).
 *    Robust line fits through those points are the nose lines; their intersections are the
 *    corners of the playing surface (nose to nose, the size a table is specified by).
 * 4. A 4-point DLT homography maps the corners TL, TR, BR, BL to (0,0), (W,0), (W,H), (0,H).
 */
import { type ClothModel, hueDistance, rgbToHsv } from './color.js';
import { labelComponents } from './components.js';
import { type Line, fitLineRobust, insideQuad, intersect } from './geometry.js';
import { type Mat3, type Point, applyHomography, homographyFrom4, invert3, localScale } from './homography.js';
import { type RgbImage, downsample } from './image.js';

/** Standard ball radius, metres (57.15 mm ball, WPA equipment specifications). */
export const BALL_RADIUS_M = 0.028575;
/** 9 ft table playing surface (nose to nose), metres (WPA: 100 x 50 in = 2.54 x 1.27 m). */
export const TABLE_9FT = { width: 2.54, height: 1.27 } as const;
/** Pocket capture radii, metres (corner mouth ~4.5-4.625 in, side ~5-5.125 in, WPA). */
export const POCKET_RADIUS_M = { corner: 0.06, side: 0.065 } as const;

/** A pocket in table metres. */
export interface Pocket {
  x: number;
  y: number;
  radius: number;
}

/** Everything the detectors need to know about the table in one camera view. */
export interface TableCalibration {
  /** Source image size, pixels. */
  imageWidth: number;
  imageHeight: number;
  /** Playing surface size, metres. */
  tableWidth: number;
  tableHeight: number;
  /** Playing-surface corners in pixels: top-left, top-right, bottom-right, bottom-left. */
  cornersPx: Point[];
  /**
   * Corners of the fully lit bed: the playing surface minus the strip shaded by the cushions.
   * Inside that strip shadows look like dark-green balls, so detectors are stricter there.
   */
  litCornersPx: Point[];
  /** 3x3 row-major homography pixels -> table metres. */
  homography: Mat3;
  /** 3x3 row-major homography table metres -> pixels. */
  inverse: Mat3;
  /** Pockets in metres: TL, top side, TR, BL, bottom side, BR. */
  pockets: Pocket[];
  /** Pocket centres in pixels (same order). */
  pocketsPx: Point[];
  /** Ball radius, metres. */
  ballRadius: number;
  /** Ball radius in pixels at the table centre. */
  ballRadiusPx: number;
  /** Pixels per metre at the table centre. */
  pixelsPerMetre: number;
  /** Cloth colour measured inside the playing surface. */
  cloth: ClothModel;
  /** `auto` when found from the image, `manual` when corners were given. */
  method: 'auto' | 'manual';
}

/** Options of {@link calibrateTable}. */
export interface CalibrationOptions {
  /** Four pixel corners TL, TR, BR, BL of the playing surface; skips automatic detection. */
  corners?: Point[];
  /** Playing surface width (long rail), metres; default 2.54 (9 ft). */
  tableWidth?: number;
  /** Playing surface height, metres; default 1.27. */
  tableHeight?: number;
  /** Ball radius, metres; default 0.028575. */
  ballRadius?: number;
}

/**
 * Calibrates the table in one image, automatically or from given corners.
 * @throws Error when no cloth region large enough (10 % of the image) is found, or corners are degenerate
 */
export function calibrateTable(img: RgbImage, opts: CalibrationOptions = {}): TableCalibration {
  const tw = opts.tableWidth ?? TABLE_9FT.width;
  const th = opts.tableHeight ?? TABLE_9FT.height;
  const found = opts.corners ? { corners: opts.corners, litCorners: opts.corners } : findCorners(img);
  const corners = found.corners;
  if (corners.length !== 4) throw new Error('calibrateTable: corners must be 4 points TL, TR, BR, BL');
  const homography = homographyFrom4(corners, [{ x: 0, y: 0 }, { x: tw, y: 0 }, { x: tw, y: th }, { x: 0, y: th }]);
  const inverse = invert3(homography);
  const pc = POCKET_RADIUS_M.corner, ps = POCKET_RADIUS_M.side;
  const pockets: Pocket[] = [
    { x: 0, y: 0, radius: pc }, { x: tw / 2, y: 0, radius: ps }, { x: tw, y: 0, radius: pc },
    { x: 0, y: th, radius: pc }, { x: tw / 2, y: th, radius: ps }, { x: tw, y: th, radius: pc },
  ];
  const centrePx = applyHomography(inverse, { x: tw / 2, y: th / 2 });
  const pixelsPerMetre = 1 / localScale(homography, centrePx);
  const ballRadius = opts.ballRadius ?? BALL_RADIUS_M;
  return {
    imageWidth: img.width,
    imageHeight: img.height,
    tableWidth: tw,
    tableHeight: th,
    cornersPx: corners.map((p) => ({ x: p.x, y: p.y })),
    litCornersPx: found.litCorners.map((p) => ({ x: p.x, y: p.y })),
    homography,
    inverse,
    pockets,
    pocketsPx: pockets.map((p) => applyHomography(inverse, p)),
    ballRadius,
    ballRadiusPx: ballRadius * pixelsPerMetre,
    pixelsPerMetre,
    cloth: measureCloth(img, corners),
    method: opts.corners ? 'manual' : 'auto',
  };
}

/** Maps an image pixel to table metres. */
export function pixelToTable(cal: TableCalibration, p: Point): Point {
  return applyHomography(cal.homography, p);
}

/** Maps table metres to an image pixel. */
export function tableToPixel(cal: TableCalibration, p: Point): Point {
  return applyHomography(cal.inverse, p);
}

/**
 * Maps table metres to the original system's `pixels_4k` space: the 3840x2160 camera frame,
 * i.e. this image's pixel position scaled to 3840x2160.
 */
export function tableToPixels4k(cal: TableCalibration, p: Point): Point {
  const q = applyHomography(cal.inverse, p);
  return { x: (q.x * 3840) / cal.imageWidth, y: (q.y * 2160) / cal.imageHeight };
}

/** Inverse of {@link tableToPixels4k}: 3840x2160 camera pixels to table metres. */
export function pixels4kToTable(cal: TableCalibration, p: Point): Point {
  return applyHomography(cal.homography, { x: (p.x * cal.imageWidth) / 3840, y: (p.y * cal.imageHeight) / 2160 });
}

/** Dominant saturated hue (degrees) of the central half of the image, 4-degree bins. */
function dominantHue(img: RgbImage): number {
  const bins = new Float64Array(90);
  const { width: w, height: h, data } = img;
  for (let y = h >> 2; y < (3 * h) >> 2; y += 2) {
    for (let x = w >> 2; x < (3 * w) >> 2; x += 2) {
      const i = (y * w + x) * 3;
      const c = rgbToHsv(data[i]!, data[i + 1]!, data[i + 2]!);
      if (c.s > 0.4 && c.v > 0.2) bins[Math.floor(c.h / 4) % 90]! += 1;
    }
  }
  let best = 0;
  for (let i = 1; i < 90; i++) if (bins[i]! > bins[best]!) best = i;
  return best * 4 + 2;
}

/** Mean chromaticity and brightness of cloth-hued pixels inside the quad. */
function measureCloth(img: RgbImage, quad: Point[]): ClothModel {
  const small = downsample(img, Math.max(1, Math.round(img.width / 320)));
  const k = img.width / small.width;
  const hue = dominantHue(small);
  let n = 0, sr = 0, sg = 0, sb = 0, sv = 0;
  for (let y = 0; y < small.height; y++) {
    for (let x = 0; x < small.width; x++) {
      if (!insideQuad(quad, { x: (x + 0.5) * k, y: (y + 0.5) * k })) continue;
      const i = (y * small.width + x) * 3;
      const r = small.data[i]!, g = small.data[i + 1]!, b = small.data[i + 2]!;
      const c = rgbToHsv(r, g, b);
      if (hueDistance(c.h, hue) > 15 || c.s < 0.4 || c.v < 0.25) continue;
      const s = r + g + b + 1;
      sr += r / s; sg += g / s; sb += b / s; sv += s / 3; n++;
    }
  }
  if (n === 0) return { hue, cr: 1 / 3, cg: 1 / 3, cb: 1 / 3, brightness: 128 };
  return { hue, cr: sr / n, cg: sg / n, cb: sb / n, brightness: sv / n };
}

/** Automatic corner detection (steps 1-3 of the module comment). */
function findCorners(img: RgbImage): { corners: Point[]; litCorners: Point[] } {
  const k = Math.max(1, Math.round(img.width / 640));
  const small = downsample(img, k);
  const { width: w, height: h, data } = small;
  const hue = dominantHue(small);
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const c = rgbToHsv(data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!);
    mask[i] = hueDistance(c.h, hue) < 22 && c.s > 0.35 && c.v > 0.12 ? 1 : 0;
  }
  const { labels, components } = labelComponents(mask, w, h);
  let best = components[0];
  for (const c of components) if (!best || c.area > best.area) best = c;
  if (!best || best.area < 0.1 * w * h) throw new Error('calibrateTable: no cloth region found (is the table in view?)');
  const lab = best.label;
  const bw = best.maxX - best.minX, bh = best.maxY - best.minY;
  const left: Point[] = [], right: Point[] = [], top: Point[] = [], bottom: Point[] = [];
  for (let y = Math.round(best.minY + 0.2 * bh); y <= best.maxY - 0.2 * bh; y++) {
    let x0 = -1, x1 = -1;
    for (let x = best.minX; x <= best.maxX; x++) if (labels[y * w + x] === lab) { x0 = x; break; }
    for (let x = best.maxX; x >= best.minX; x--) if (labels[y * w + x] === lab) { x1 = x; break; }
    if (x0 >= 0) { left.push({ x: x0 * k, y: (y + 0.5) * k }); right.push({ x: (x1 + 1) * k, y: (y + 0.5) * k }); }
  }
  for (let x = Math.round(best.minX + 0.12 * bw); x <= best.maxX - 0.12 * bw; x++) {
    const t = (x - best.minX) / bw;
    if (t > 0.4 && t < 0.6) continue; // side pockets
    let y0 = -1, y1 = -1;
    for (let y = best.minY; y <= best.maxY; y++) if (labels[y * w + x] === lab) { y0 = y; break; }
    for (let y = best.maxY; y >= best.minY; y--) if (labels[y * w + x] === lab) { y1 = y; break; }
    if (y0 >= 0) { top.push({ x: (x + 0.5) * k, y: y0 * k }); bottom.push({ x: (x + 0.5) * k, y: (y1 + 1) * k }); }
  }
  const outer = [top, right, bottom, left].map((pts) => fitLineRobust(pts, 4, k));
  if (outer.some((l) => !l)) throw new Error('calibrateTable: could not fit the rail edges');
  const [oT, oR, oB, oL] = outer as [Line, Line, Line, Line];
  const outerCorners = [intersect(oT, oL), intersect(oT, oR), intersect(oB, oR), intersect(oB, oL)];
  if (outerCorners.some((p) => !p)) throw new Error('calibrateTable: rail edges are parallel');
  const oc = outerCorners as Point[];
  const centre = { x: oc.reduce((s, p) => s + p.x, 0) / 4, y: oc.reduce((s, p) => s + p.y, 0) / 4 };
  const sides: [Point, Point][] = [[oc[0]!, oc[1]!], [oc[1]!, oc[2]!], [oc[2]!, oc[3]!], [oc[3]!, oc[0]!]];
  const fits = sides.map(([a, b], i) => noseLine(img, a, b, centre, i % 2 === 0));
  const noses = fits.map((f, i) => f?.line ?? outer[i]!);
  const corners = quadFromLines(noses);
  // Lit-bed quad: each nose line moved inward by its shaded strip width.
  const lit = noses.map((l, i) => {
    const f = fits[i];
    if (!f) return l;
    const sgn = l.nx * f.inward.x + l.ny * f.inward.y >= 0 ? 1 : -1;
    return { nx: l.nx, ny: l.ny, c: l.c + sgn * f.band };
  });
  return { corners, litCorners: quadFromLines(lit) };
}

/** Corners TL, TR, BR, BL from lines in the order top, right, bottom, left. */
function quadFromLines(lines: Line[]): Point[] {
  const [t, r, b, l] = lines as [Line, Line, Line, Line];
  const corners = [intersect(t, l), intersect(t, r), intersect(b, r), intersect(b, l)];
  if (corners.some((p) => !p)) throw new Error('calibrateTable: cushion lines are parallel');
  return corners as Point[];
}

/** A cushion nose line, the width of the shaded bed strip inside it (pixels) and the inward normal. */
interface NoseFit {
  line: Line;
  band: number;
  inward: Point;
}

/**
 * Finds the cushion nose line parallel to the outer cloth edge a-b by walking inward (towards
 * `centre`) at full resolution and taking the steepest brightness drop on each profile.
 * @param longSide whether a-b is a long rail (skip the side pocket in the middle)
 */
function noseLine(img: RgbImage, a: Point, b: Point, centre: Point, longSide: boolean): NoseFit | null {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const dx = (b.x - a.x) / len, dy = (b.y - a.y) / len;
  let nx = -dy, ny = dx;
  const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  if ((centre.x - mid.x) * nx + (centre.y - mid.y) * ny < 0) { nx = -nx; ny = -ny; }
  const span = Math.abs((centre.x - mid.x) * nx + (centre.y - mid.y) * ny) * 2;
  const depth = Math.max(8, Math.round(span * 0.08));
  const pts: Point[] = [];
  const bands: number[] = [];
  const prof = new Float32Array(depth);
  // Step window grows with resolution: the same blur spans more pixels in a 4K frame.
  const win = Math.max(3, Math.round((3 * img.width) / 1280));
  for (let s = 0; s < 40; s++) {
    const t = 0.12 + (0.76 * s) / 39;
    if (longSide && t > 0.4 && t < 0.6) continue;
    const ox = a.x + dx * len * t, oy = a.y + dy * len * t;
    for (let d = 0; d < depth; d++) {
      const x = Math.round(ox + nx * d), y = Math.round(oy + ny * d);
      if (x < 0 || y < 0 || x >= img.width || y >= img.height) { prof[d] = 0; continue; }
      const i = (y * img.width + x) * 3;
      prof[d] = Math.max(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!);
    }
    let bestD = -1, bestV = 0;
    for (let d = win; d < depth - win; d++) {
      let drop = 0;
      for (let j = 1; j <= win; j++) drop += prof[d - j]! - prof[d + j - 1]!;
      if (drop > bestV) { bestV = drop; bestD = d; }
    }
    if (bestD <= 0 || bestV <= win * 20) continue;
    pts.push({ x: ox + nx * (bestD - 0.5), y: oy + ny * (bestD - 0.5) });
    // The bed under the cushion is shaded; where it brightens again the fully lit bed starts.
    let riseD = bestD, riseV = 0;
    for (let d = bestD + win; d < depth - win; d++) {
      let rise = 0;
      for (let j = 1; j <= win; j++) rise += prof[d + j - 1]! - prof[d - j]!;
      if (rise > riseV) { riseV = rise; riseD = d; }
    }
    bands.push(riseV > win * 10 ? riseD - bestD : 0);
  }
  if (pts.length < 6) return null;
  const line = fitLineRobust(pts, 4, 1);
  if (!line) return null;
  bands.sort((p, q) => p - q);
  return { line, band: bands[bands.length >> 1] ?? 0, inward: { x: nx, y: ny } };
}
