/**
 * End to end through ffmpeg: a short mp4 made from the real photos (see synthetic-video.ts) read
 * by openVideoSource, detected and tracked by VisionPipeline. Ground truth is the script that
 * placed the sprites (pixel positions; a sprite's centre is the annotated ball centre rounded to
 * the nearest pixel, so truth is exact to +-0.5 px plus the annotation's +-1 px).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { VisionPipeline, calibrateTable, decodeImage, openVideoSource, pixelToTable, type RgbImage } from '../src/index.js';
import { EMPTY_TABLE } from './fixtures.js';
import { makeVideo } from './synthetic-video.js';

const FPS = 10;
const FRAMES = 24;
// Sprites: cue ball, orange 5, purple 4 (centres in table_w_balls.jpg, rounded).
const SOURCES = [{ x: 767, y: 342 }, { x: 737, y: 302 }, { x: 1070, y: 433 }];
/** Cue ball rolls right 9 px/frame; the 5 moves down-left; the 4 is still and hidden in frames 10-12. */
const script = (f: number) => [
  { x: 300 + 9 * f, y: 250 },
  { x: 900 - 6 * f, y: 150 + 5 * f },
  f >= 10 && f <= 12 ? null : { x: 1000, y: 480 },
];

let clip: { dir: string; path: string };
let empty: RgbImage;

before(async () => {
  [clip, empty] = await Promise.all([makeVideo(SOURCES, script, FRAMES, FPS), decodeImage(EMPTY_TABLE)]);
});
after(async () => {
  if (clip) await rm(clip.dir, { recursive: true, force: true });
});

describe('video source + tracker', () => {
  it('keeps one stable track id per ball through motion and a 3-frame occlusion', async () => {
    const src = await openVideoSource(clip.path);
    const pipeline = new VisionPipeline({ background: empty, calibration: { corners: calibrateTable(empty).cornersPx } });
    const idsByBall: Set<number>[] = [new Set(), new Set(), new Set()];
    let n = 0;
    let maxErr = 0;
    let cueSpeed = 0;
    for await (const frame of src) {
      assert.equal(frame.width, 1280);
      assert.equal(frame.frameNumber, n);
      const r = pipeline.process(frame);
      const truth = script(n);
      const expected = truth.filter((t) => t !== null).length;
      assert.equal(r.balls.length, expected, `frame ${n}: ${r.balls.length} balls, ${expected} expected`);
      for (const b of r.balls) {
        let bi = -1, bd = Infinity;
        truth.forEach((t, i) => { if (t) { const d = Math.hypot(t.x - b.pixel.x, t.y - b.pixel.y); if (d < bd) { bd = d; bi = i; } } });
        maxErr = Math.max(maxErr, bd);
        idsByBall[bi]!.add(b.trackId);
        if (bi === 0 && n === FRAMES - 1) cueSpeed = Math.hypot(b.vx, b.vy);
      }
      n++;
    }
    await src.done;
    assert.equal(n, FRAMES);
    assert.ok(maxErr <= 3, `max centre error ${maxErr.toFixed(2)} px (<= 3 px)`);
    for (const [i, ids] of idsByBall.entries()) assert.equal(ids.size, 1, `ball ${i} had track ids ${[...ids].join(',')}`);
    assert.equal(new Set(idsByBall.map((s) => [...s][0])).size, 3, 'three distinct ids');
    // 9 px/frame at 10 fps in metres: measured through the calibration, within 15 %.
    const cal = pipeline.calibration!;
    const a = pixelToTable(cal, { x: 400, y: 250 }), b = pixelToTable(cal, { x: 490, y: 250 });
    const want = Math.hypot(b.x - a.x, b.y - a.y); // 90 px per second
    assert.ok(Math.abs(cueSpeed - want) / want < 0.15, `cue speed ${cueSpeed.toFixed(3)} m/s, expected ${want.toFixed(3)}`);
  });

  it('reports is_moving for the rolling ball and not for the still one', async () => {
    const src = await openVideoSource(clip.path, { fps: FPS });
    const pipeline = new VisionPipeline({ background: empty });
    let last: ReturnType<VisionPipeline['process']> | null = null;
    for await (const frame of src) last = pipeline.process(frame);
    assert.ok(last);
    const still = last.balls.find((b) => Math.hypot(b.pixel.x - 1000, b.pixel.y - 480) < 5);
    const rolling = last.balls.find((b) => Math.hypot(b.pixel.x - (300 + 9 * (FRAMES - 1)), b.pixel.y - 250) < 5);
    assert.ok(still && rolling);
    assert.equal(still.isMoving, false, `still speed ${Math.hypot(still.vx, still.vy)}`);
    assert.equal(rolling.isMoving, true);
  });
});
