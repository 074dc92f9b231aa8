import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableRenderer } from '../../src/sources/simulator/simulator-render.js';
import { applyHomography } from '@tablecast/vision';

test('simulator frames carry a calibration: corner pixels map to the table corners (1e-9 m)', () => {
  const table = { width: 2.54, height: 1.27, pockets: [] };
  const cal = new TableRenderer(table, { width: 960, height: 540, quality: 70 }).calibration();
  assert.equal(cal.imageWidth, 960);
  assert.equal(cal.imageHeight, 540);
  const expected = [{ x: 0, y: 0 }, { x: 2.54, y: 0 }, { x: 2.54, y: 1.27 }, { x: 0, y: 1.27 }];
  cal.cornersPx.forEach((px, i) => {
    const m = applyHomography(cal.homography, px);
    assert.ok(Math.abs(m.x - expected[i]!.x) < 1e-9 && Math.abs(m.y - expected[i]!.y) < 1e-9, `corner ${i}: ${JSON.stringify(m)}`);
  });
  // The playing surface sits inside the frame with the rails around it.
  assert.ok(cal.cornersPx[0]!.x > 0 && cal.cornersPx[2]!.x < 960 && cal.cornersPx[2]!.y < 540);
});
