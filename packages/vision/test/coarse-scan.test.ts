/**
 * The fast coarse scan and run-based labelling against straightforward references: the
 * per-sample loop the detectors used before (one table lookup and one point-in-quad test per
 * sample into a grid mask) and pixel-based labelling ({@link labelComponents}). Exact equality is
 * required (masks, component order and statistics), on the real photos and on random images.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type RgbImage, type TableCalibration, calibrateTable, decodeImage, detectBalls } from '../src/index.js';
import { notClothLut } from '../src/cloth-lut.js';
import { type CoarseScanParams, scanNotCloth } from '../src/coarse-scan.js';
import { isShadowLike } from '../src/color.js';
import { labelComponents } from '../src/components.js';
import { insideQuad } from '../src/geometry.js';
import { RunList, componentMask, labelRuns } from '../src/run-components.js';
import { EMPTY_TABLE, GRID, TABLE_W_BALLS } from './fixtures.js';

/** The scan as one plain loop over the grid (the detectors' code before the fast scan). */
function referenceMask(img: RgbImage, cal: TableCalibration, p: CoarseScanParams): { mask: Uint8Array; w: number; h: number } {
  const k = p.k, off = k >> 1;
  const w = Math.floor(img.width / k), h = Math.floor(img.height / k);
  const mask = new Uint8Array(w * h);
  const lut = notClothLut(cal.cloth, p.threshold);
  let x0 = w, x1 = 0, y0 = h, y1 = 0;
  for (const q of p.quad) { x0 = Math.min(x0, q.x); x1 = Math.max(x1, q.x); y0 = Math.min(y0, q.y); y1 = Math.max(y1, q.y); }
  const data = img.data, bg = p.background;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(h, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(w, Math.ceil(x1)); x++) {
      const si = ((y * k + off) * img.width + x * k + off) * 3;
      const r = data[si]!, g = data[si + 1]!, b = data[si + 2]!;
      if (!lut[((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2)]) continue;
      if (bg && Math.abs(r - bg[si]!) + Math.abs(g - bg[si + 1]!) + Math.abs(b - bg[si + 2]!) < 60) continue;
      if (!insideQuad(p.quad, { x, y })) continue;
      if (!insideQuad(p.lit, { x, y }) && isShadowLike(cal.cloth, r, g, b)) continue;
      if ((p.discs ?? []).some((d) => (d.x - x) ** 2 + (d.y - y) ** 2 < d.r2)) continue;
      mask[y * w + x] = 1;
    }
  }
  return { mask, w, h };
}

function runsToMask(runs: RunList, w: number, h: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let i = 0; i < runs.count; i++) m.fill(1, runs.y[i]! * w + runs.x0[i]!, runs.y[i]! * w + runs.x1[i]!);
  return m;
}

/** Ball-detection and cue-detection parameters for a calibration (as balls.ts / cue.ts set them). */
function paramSets(cal: TableCalibration, img: RgbImage, bg?: RgbImage): CoarseScanParams[] {
  const kb = Math.max(1, Math.floor(cal.ballRadiusPx / 5)), ob = kb >> 1;
  const kc = Math.max(1, Math.floor(cal.ballRadiusPx / 4));
  const balls = detectBalls(img, cal);
  return [
    { k: kb, threshold: 0.06, quad: cal.cornersPx.map((p) => ({ x: (p.x - ob) / kb, y: (p.y - ob) / kb })), lit: cal.litCornersPx.map((p) => ({ x: (p.x - ob) / kb, y: (p.y - ob) / kb })), background: bg?.data },
    {
      k: kc, threshold: 0.06, quad: cal.cornersPx.map((p) => ({ x: p.x / kc, y: p.y / kc })), lit: cal.litCornersPx.map((p) => ({ x: p.x / kc, y: p.y / kc })),
      discs: balls.map((b) => ({ x: b.pixel.x / kc, y: b.pixel.y / kc, r2: ((b.pixel.radius * 1.3) / kc) ** 2 })),
    },
  ];
}

let empty: RgbImage, withBalls: RgbImage, grid: RgbImage;

before(async () => {
  [empty, withBalls, grid] = await Promise.all([decodeImage(EMPTY_TABLE), decodeImage(TABLE_W_BALLS), decodeImage(GRID)]);
});

describe('scanNotCloth', () => {
  it('gives exactly the per-sample reference mask on the photos (balls and cue grids, with and without background)', () => {
    const cases: [RgbImage, RgbImage | undefined][] = [[withBalls, undefined], [withBalls, empty], [grid, undefined], [empty, undefined]];
    for (const [img, bg] of cases) {
      const cal = calibrateTable(img);
      for (const p of paramSets(cal, img, bg)) {
        const { runs, width, height } = scanNotCloth(img, cal.cloth, p);
        const ref = referenceMask(img, cal, p);
        assert.equal(width, ref.w);
        assert.equal(height, ref.h);
        assert.deepEqual(runsToMask(runs, width, height), ref.mask, `k ${p.k}, ${img.width}x${img.height}`);
        assert.ok(runs.count > 0 || img === empty);
      }
    }
  });

  it('gives exactly the reference mask on noisy images (odd widths, quads reaching the border)', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const cal = calibrateTable(withBalls);
    for (let t = 0; t < 6; t++) {
      const width = 203 + t * 37, height = 151 + t * 23;
      const data = new Uint8Array(width * height * 3);
      // Cloth-coloured with blobs of random colour (about a third of the samples not cloth).
      for (let i = 0; i < width * height; i++) {
        const blob = rnd() < 0.35;
        data[3 * i] = blob ? (rnd() * 256) | 0 : 40; data[3 * i + 1] = blob ? (rnd() * 256) | 0 : 110; data[3 * i + 2] = blob ? (rnd() * 256) | 0 : 160;
      }
      const img = { data, width, height };
      const c = { ...cal, cloth: { hue: 200, cr: 40 / 311, cg: 110 / 311, cb: 160 / 311, brightness: 103 } };
      const k = 1 + (t % 3);
      const quad = [{ x: -3, y: 2 }, { x: width / k + 5, y: -1 }, { x: width / k - 4, y: height / k - 2 }, { x: 1.5, y: height / k + 3 }];
      const lit = quad.map((q) => ({ x: q.x + (q.x < width / (2 * k) ? 6 : -6), y: q.y + (q.y < height / (2 * k) ? 5 : -5) }));
      const discs = [{ x: width / (2 * k), y: height / (2 * k), r2: 64 }];
      for (const p of [{ k, threshold: 0.06, quad, lit }, { k, threshold: 0.1, quad, lit, discs, background: data.map((v, i) => (i % 7 === 0 ? 255 - v : v)) }]) {
        const { runs, width: w, height: h } = scanNotCloth(img, c.cloth, p);
        assert.deepEqual(runsToMask(runs, w, h), referenceMask(img, c, p).mask, `case ${t}`);
      }
    }
  });
});

describe('labelRuns', () => {
  it('matches pixel labelling exactly: labels, order, statistics (random masks, 8-connectivity)', () => {
    let seed = 5;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let t = 0; t < 30; t++) {
      const w = 5 + Math.floor(rnd() * 60), h = 3 + Math.floor(rnd() * 40);
      const density = 0.05 + rnd() * 0.6;
      const mask = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0));
      const runs = new RunList(4); // small capacity: exercises growth
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w;) {
          if (!mask[y * w + x]) { x++; continue; }
          const x0 = x;
          while (x < w && mask[y * w + x]) x++;
          runs.push(y, x0, x);
        }
      }
      const minArea = 1 + (t % 4);
      const ref = labelComponents(mask, w, h, minArea);
      const got = labelRuns(runs, minArea);
      assert.deepEqual(got.components, ref.components, `case ${t}`);
      for (const c of got.components) {
        const sub = componentMask(runs, got.runLabel, c);
        const cw = c.maxX - c.minX + 1;
        for (let y = c.minY; y <= c.maxY; y++) {
          for (let x = c.minX; x <= c.maxX; x++) {
            assert.equal(sub[(y - c.minY) * cw + x - c.minX], ref.labels[y * w + x] === c.label ? 1 : 0);
          }
        }
      }
    }
  });
});
