/**
 * Ball detection and calibration on the real reference photos (annotations and method in
 * fixtures.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type RgbImage, type TableCalibration, calibrateTable, decodeImage, detectBalls, pixelToTable, tableToPixel,
  tableToPixels4k, pixels4kToTable,
} from '../src/index.js';
import {
  EMPTY_TABLE, GRID, GRID_BALLS, NOSES_720, POCKETS_720, SPOTS_4K, SPOTS_720, TABLE_W_BALLS, TABLE_W_BALLS_BALLS, nearest,
} from './fixtures.js';

let empty: RgbImage, withBalls: RgbImage, grid: RgbImage;
let cal720: TableCalibration, cal4k: TableCalibration;

before(async () => {
  [empty, withBalls, grid] = await Promise.all([decodeImage(EMPTY_TABLE), decodeImage(TABLE_W_BALLS), decodeImage(GRID)]);
  cal720 = calibrateTable(empty);
  cal4k = calibrateTable(grid);
});

describe('calibration', () => {
  it('finds the cushion noses of empty_table.jpg within 3 px of the annotation', () => {
    const [tl, tr, br, bl] = cal720.cornersPx as [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }, { x: number; y: number }];
    const atX = (a: typeof tl, b: typeof tl, x: number) => a.y + ((x - a.x) / (b.x - a.x)) * (b.y - a.y);
    const atY = (a: typeof tl, b: typeof tl, y: number) => a.x + ((y - a.y) / (b.y - a.y)) * (b.x - a.x);
    assert.ok(Math.abs(atX(tl, tr, 384) - NOSES_720.topAtX384) <= 3, `top ${atX(tl, tr, 384)}`);
    assert.ok(Math.abs(atX(bl, br, 384) - NOSES_720.bottomAtX384) <= 3, `bottom ${atX(bl, br, 384)}`);
    assert.ok(Math.abs(atY(tl, bl, 216) - NOSES_720.leftAtY216) <= 3, `left ${atY(tl, bl, 216)}`);
    assert.ok(Math.abs(atY(tr, br, 216) - NOSES_720.rightAtY216) <= 3, `right ${atY(tr, br, 216)}`);
  });

  it('maps corners to the 2.54 x 1.27 m surface and round-trips pixels (1e-9 m / 1e-6 px)', () => {
    const want = [[0, 0], [2.54, 0], [2.54, 1.27], [0, 1.27]];
    cal720.cornersPx.forEach((p, i) => {
      const t = pixelToTable(cal720, p);
      assert.ok(Math.abs(t.x - want[i]![0]!) < 1e-9 && Math.abs(t.y - want[i]![1]!) < 1e-9, JSON.stringify(t));
    });
    const p = { x: 700.25, y: 333.5 };
    const back = tableToPixel(cal720, pixelToTable(cal720, p));
    assert.ok(Math.hypot(back.x - p.x, back.y - p.y) < 1e-6);
    const k = tableToPixels4k(cal720, { x: 1.27, y: 0.635 });
    const c = tableToPixel(cal720, { x: 1.27, y: 0.635 });
    assert.ok(Math.abs(k.x - c.x * 3) < 1e-6 && Math.abs(k.y - c.y * 3) < 1e-6, 'pixels_4k is the 720p position x3');
    const t = pixels4kToTable(cal720, k);
    assert.ok(Math.abs(t.x - 1.27) < 1e-9 && Math.abs(t.y - 0.635) < 1e-9);
  });

  it('ball radius in pixels agrees with the measured balls (12.7 px expected, 11-15 px measured)', () => {
    assert.ok(cal720.ballRadiusPx > 11 && cal720.ballRadiusPx < 15, String(cal720.ballRadiusPx));
    assert.equal(cal720.pockets.length, 6);
  });

  it('accepts manual corners', () => {
    const manual = calibrateTable(withBalls, { corners: cal720.cornersPx, tableWidth: 2.24, tableHeight: 1.12 });
    assert.equal(manual.method, 'manual');
    const t = pixelToTable(manual, cal720.cornersPx[2]!);
    assert.ok(Math.abs(t.x - 2.24) < 1e-9 && Math.abs(t.y - 1.12) < 1e-9);
  });

  it('throws a clear error when there is no table in view', () => {
    const grey: RgbImage = { data: new Uint8Array(320 * 180 * 3).fill(128), width: 320, height: 180 };
    assert.throws(() => calibrateTable(grey), /no cloth region/);
  });
});

describe('balls in table_w_balls.jpg', () => {
  for (const withBg of [false, true]) {
    it(`finds all 10 balls within 3 px, none on spots or pockets (${withBg ? 'with' : 'without'} empty-table background)`, () => {
      const cal = calibrateTable(withBalls);
      const balls = detectBalls(withBalls, cal, withBg ? { background: empty } : {});
      assert.equal(balls.length, 10, balls.map((b) => `${b.pixel.x.toFixed(0)},${b.pixel.y.toFixed(0)}`).join(' '));
      const matched = new Set<number>();
      for (const b of balls) {
        const { item, d } = nearest(TABLE_W_BALLS_BALLS, b.pixel);
        assert.ok(d <= 3, `${item.what}: centre error ${d.toFixed(2)} px > 3 px`);
        matched.add(TABLE_W_BALLS_BALLS.indexOf(item));
        assert.ok(b.confidence > 0.5 && b.confidence <= 1, `confidence ${b.confidence}`);
        for (const s of [...SPOTS_720, ...POCKETS_720]) assert.ok(Math.hypot(s.x - b.pixel.x, s.y - b.pixel.y) > 20, 'ball on a spot/pocket');
        assert.ok(b.x > 0 && b.x < 2.54 && b.y > 0 && b.y < 1.27, 'on the bed');
      }
      assert.equal(matched.size, 10, 'each annotated ball found once');
      const cue = balls.filter((b) => b.type === 'cue');
      assert.equal(cue.length, 1, 'exactly one cue ball');
      assert.ok(nearest(TABLE_W_BALLS_BALLS, cue[0]!.pixel).item.number === 0);
    });
  }
});

describe('balls in grid.jpg (4K)', () => {
  it('finds all 16 balls within 8 px (0.2 R) and identifies cue and 8-ball', () => {
    const balls = detectBalls(grid, cal4k);
    assert.equal(balls.length, 16);
    for (const b of balls) {
      const { item, d } = nearest(GRID_BALLS, b.pixel);
      assert.ok(d <= 8, `${item.what}: centre error ${d.toFixed(1)} px`);
      for (const s of SPOTS_4K) assert.ok(Math.hypot(s.x - b.pixel.x, s.y - b.pixel.y) > 60);
    }
    const cue = balls.filter((b) => b.number === 0);
    const eight = balls.filter((b) => b.number === 8);
    assert.equal(cue.length, 1);
    assert.equal(eight.length, 1);
    assert.equal(nearest(GRID_BALLS, cue[0]!.pixel).item.number, 0);
    assert.equal(nearest(GRID_BALLS, eight[0]!.pixel).item.number, 8);
    assert.equal(eight[0]!.type, 'eight');
    // Full identity is a stretch goal: report how many numbers match (at least 12 of 16 required).
    const right = balls.filter((b) => nearest(GRID_BALLS, b.pixel).item.number === b.number).length;
    assert.ok(right >= 12, `identities right: ${right}/16`);
  });
});
