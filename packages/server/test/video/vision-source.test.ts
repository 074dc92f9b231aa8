/**
 * The vision source (pipeline/sources/vision-source.ts) on a real photo (GPL-3.0, from
 * jchadwick/billiards-trainer): Detection shape, table geometry once, JPEG frames, stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createVisionSource, type Detection } from '@tablecast/pipeline';
import { overlayFromDetection } from '../../src/video/overlay.js';

const DATA = process.env.TABLECAST_BILLIARDS_DATA ?? fileURLToPath(new URL('../../../../../shared/data/billiards/', import.meta.url));

describe('vision source', () => {
  it('image:PATH emits detections in table metres with table geometry and JPEG frames', async () => {
    const src = createVisionSource({ kind: 'image', arg: `${DATA}/table_w_balls.jpg` }, { fps: 20, frames: true, jpegQuality: 70, extra: { background: `${DATA}/empty_table.jpg` } });
    const got: Detection[] = [];
    await src.start((d) => { got.push(d); });
    while (got.length < 3) await new Promise((r) => setTimeout(r, 20));
    await src.stop();
    await src.done;
    assert.equal(src.health().status, 'stopped');
    const [d0, d1] = got as [Detection, Detection];
    assert.equal(d0.balls.length, 10);
    assert.ok(d0.table, 'table geometry on the first detection');
    assert.equal(d0.table.width, 2.54);
    assert.equal(d0.table.pockets.length, 6);
    assert.equal(d0.table.homography?.length, 9);
    assert.equal(d0.table.imageWidth, 1280);
    assert.equal(d1.table, undefined, 'table only when it changes');
    for (const b of d1.balls) {
      assert.ok(b.x > 0 && b.x < 2.54 && b.y > 0 && b.y < 1.27);
      assert.ok(b.trackId && b.pixel && b.confidence > 0);
      assert.ok(Math.abs(b.radius - 0.028575) < 1e-9);
    }
    assert.deepEqual(d1.balls.map((b) => b.trackId).sort(), d0.balls.map((b) => b.trackId).sort(), 'same track ids frame to frame');
    assert.equal(d1.balls.filter((b) => b.type === 'cue').length, 1);
    assert.ok(d0.frame);
    const meta = await sharp(Buffer.from(d0.frame.jpeg)).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 1280);
    assert.ok(d1.captureTimestampMicros > d0.captureTimestampMicros);
    // The overlay helper turns a detection into pixel-space drawing data.
    const ov = overlayFromDetection({ ...d1, cue: { tipX: 1, tipY: 0.5, angleDeg: 0, length: 0.5 } }, d0.table);
    assert.ok(ov);
    assert.equal(ov.balls.length, 10);
    assert.equal(ov.corners?.length, 4);
    const b0 = d1.balls[0]!;
    assert.ok(Math.abs(ov.balls[0]!.x - b0.pixel!.x) < 1e-9);
    assert.ok(ov.cue && ov.cue.x2 > ov.cue.x1, 'angle 0: the tip is right of the butt (pixels)');
  });

  it('rejects other kinds, and fails (done rejects) for a missing file', async () => {
    assert.throws(() => createVisionSource({ kind: 'simulator' }, { fps: 10 }), /unsupported spec/);
    const src = createVisionSource({ kind: 'video', arg: '/nonexistent/clip.mp4' }, { fps: 10, extra: { realtime: false } });
    await src.start(() => {});
    await assert.rejects(src.done, /ffmpeg exited/);
    assert.equal(src.health().status, 'failed');
    await src.stop();
  });
});
