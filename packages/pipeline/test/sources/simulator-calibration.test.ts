import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableRenderer } from '../../src/sources/simulator/simulator-render.js';
import { createSimulatorSource } from '../../src/sources/simulator/simulator-source.js';
import { applyHomography } from '@tablecast/vision';
import type { Detection } from '../../src/core/detection.js';

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

test('a simulator picture names the frame it shows (it is encoded while later detections go out), and shows that frame', async () => {
  const source = createSimulatorSource({ fps: 30, seed: 3, frames: true, jpegQuality: 60 });
  const detections: Detection[] = [];
  await source.start((d) => detections.push(d));
  try {
    const until = Date.now() + 10_000;
    while (detections.filter((d) => d.frame).length < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await source.stop();
  }
  const carriers = detections.filter((d) => d.frame);
  assert.ok(carriers.length >= 5, `${carriers.length} pictures`);
  for (const d of carriers) {
    const shown = d.frame!;
    assert.ok(shown.frameNumber !== undefined && shown.captureTimestampMicros !== undefined, 'the picture names its frame');
    assert.ok(shown.frameNumber < d.frameNumber, `picture of frame ${shown.frameNumber} rides on detection ${d.frameNumber}`);
    // The named frame is a detection this source emitted, with that capture time.
    const own = detections.find((x) => x.frameNumber === shown.frameNumber);
    assert.equal(own?.captureTimestampMicros, shown.captureTimestampMicros);
  }
});
