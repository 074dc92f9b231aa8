/**
 * Frame sources: still images at a target rate, ffmpeg video through a pipe, and the failure
 * paths (ffmpeg missing, ffmpeg dying, stop killing the child).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FrameQueue, openCameraSource, openImageSource, openVideoSource } from '../src/index.js';
import { TABLE_W_BALLS } from './fixtures.js';

let dir: string;
let clip: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tablecast-sources-'));
  clip = join(dir, 'still.mp4');
  // 3 s of the photo at 25 fps, scaled down so the test stays quick.
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', TABLE_W_BALLS, '-t', '3', '-r', '25',
    '-vf', 'scale=320:180', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('image source', () => {
  it('repeats the decoded photo at the target rate (20 fps: 6 frames in >= 250 ms)', async () => {
    const src = await openImageSource(TABLE_W_BALLS, { fps: 20, maxFrames: 6 });
    const t0 = performance.now();
    const stamps: number[] = [];
    for await (const f of src) {
      assert.equal(f.width, 1280);
      assert.equal(f.height, 720);
      assert.equal(f.data.length, 1280 * 720 * 3);
      stamps.push(f.timestampMicros);
    }
    const dt = performance.now() - t0;
    assert.equal(stamps.length, 6);
    assert.ok(dt >= 240, `6 frames at 20 fps took ${dt.toFixed(0)} ms`);
    assert.equal(stamps[5]! - stamps[0]!, 250_000, 'timestamps 50 ms apart (exact)');
    await src.done;
  });

  it('rejects an undecodable file with its path in the message', async () => {
    const bad = join(dir, 'bad.jpg');
    await writeFile(bad, 'not an image');
    await assert.rejects(openImageSource(bad), /bad\.jpg/);
  });
});

describe('video source (ffmpeg)', () => {
  it('streams raw RGB frames of the probed size with synthetic timestamps', async () => {
    const src = await openVideoSource(clip);
    let n = 0;
    let first = 0, last = 0;
    for await (const f of src) {
      assert.equal(f.width, 320);
      assert.equal(f.height, 180);
      assert.equal(f.data.length, 320 * 180 * 3);
      if (n === 0) first = f.timestampMicros;
      last = f.timestampMicros;
      n++;
    }
    await src.done;
    assert.equal(n, 75, '3 s at 25 fps');
    assert.equal(last - first, 74 * 40_000, '40 ms per frame (exact)');
  });

  it('scales and resamples with width/height/fps options', async () => {
    const src = await openVideoSource(clip, { width: 160, height: 90, fps: 5 });
    let n = 0;
    for await (const f of src) { assert.equal(f.width, 160); n++; }
    assert.ok(n >= 14 && n <= 16, `${n} frames at 5 fps over 3 s (15 +- 1)`);
  });

  it('stop() kills ffmpeg and ends the iteration', async () => {
    const src = await openVideoSource(clip, { realtime: true, loop: true });
    let n = 0;
    const t0 = performance.now();
    for await (const _f of src) {
      if (++n === 3) await src.stop();
    }
    await src.done;
    assert.ok(n >= 3 && n <= 5, `${n} frames`);
    assert.ok(performance.now() - t0 < 3000, 'stopped promptly');
    await src.stop(); // idempotent
  });

  it('fails with a clear error when ffmpeg is missing', async () => {
    await assert.rejects(openVideoSource(clip, { ffmpegPath: join(dir, 'no-such-ffmpeg') }), /ffmpeg not found/);
    await assert.rejects(openCameraSource('/dev/video0', { ffmpegPath: join(dir, 'no-such-ffmpeg') }), /ffmpeg not found/);
  });

  it('rejects iteration and done when ffmpeg dies (missing input file)', async () => {
    const src = await openVideoSource(join(dir, 'missing.mp4'));
    await assert.rejects(async () => { for await (const _f of src) { /* none */ } }, /ffmpeg exited with 1/);
    await assert.rejects(src.done, /missing\.mp4/);
  });

  it('rejects for a camera device that does not exist', async () => {
    const src = await openCameraSource('/dev/tablecast-no-camera');
    await assert.rejects(src.done, /camera:\/dev\/tablecast-no-camera: ffmpeg exited/);
  });
});

describe('frame queue', () => {
  it('drop-oldest keeps the newest frames and counts drops', async () => {
    const q = new FrameQueue(2, 'drop-oldest');
    const f = (n: number) => ({ data: new Uint8Array(3), width: 1, height: 1, timestampMicros: n, frameNumber: n });
    for (let i = 0; i < 5; i++) q.push(f(i));
    q.end();
    const got: number[] = [];
    for (;;) { const r = await q.next(); if (r.done) break; got.push(r.value.frameNumber); }
    assert.deepEqual(got, [3, 4]);
    assert.equal(q.dropped, 3);
  });

  it('pause policy asks the producer to pause when full and resume when drained', async () => {
    const events: string[] = [];
    const q = new FrameQueue(2, 'pause', () => events.push('pause'), () => events.push('resume'));
    const f = (n: number) => ({ data: new Uint8Array(3), width: 1, height: 1, timestampMicros: n, frameNumber: n });
    q.push(f(0)); q.push(f(1));
    assert.deepEqual(events, ['pause']);
    await q.next();
    assert.deepEqual(events, ['pause', 'resume']);
    assert.equal(q.dropped, 0);
  });
});
