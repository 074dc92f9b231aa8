// The SDK's MJPEG reader (the dashboard's video underlay) against a real server's stream (simulator source, real HTTP socket),
// and the part parser fed the same bytes in chunks of every small size (a part head or a JPEG split
// anywhere by the network).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type TablecastServer } from '@tablecast/server';
import { MjpegParser, readMjpeg, type MjpegPart } from '../src/video.js';

let server: TablecastServer | null = null;
after(async () => {
  await server?.close();
});

test('readMjpeg: parts of a live stream are whole JPEGs named by frame number and capture time; any chunking parses the same', async () => {
  server = await createServer({ overrides: { server: { port: 0, host: '127.0.0.1', log_level: 'silent' }, source: { spec: 'simulator', seed: 5 } }, env: {}, logger: false });
  const { url } = await server.listen();
  const parts: MjpegPart[] = [];
  const controller = new AbortController();
  const started = Date.now();
  await readMjpeg(`${url}/api/v1/stream/video?quality=low`, (p) => {
    parts.push(p);
    if (parts.length === 6) controller.abort();
  }, { signal: controller.signal });
  assert.equal(parts.length, 6, 'an abort ends the read quietly');
  for (const p of parts) {
    assert.deepEqual([p.jpeg[0], p.jpeg[1]], [0xff, 0xd8], 'starts like a JPEG');
    assert.deepEqual([p.jpeg.at(-2), p.jpeg.at(-1)], [0xff, 0xd9], 'ends like a JPEG');
    assert.ok(p.frameNumber !== null && p.captureMs !== null);
    assert.ok(Math.abs(p.captureMs - started) < 30_000, 'capture time on the server clock (this machine)');
  }
  const numbers = parts.map((p) => p.frameNumber!);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'frame numbers increase');

  // The same bytes as the server would send them, re-split.
  const enc = new TextEncoder();
  const wire = parts.flatMap((p) => [enc.encode(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${p.jpeg.length}\r\nX-Frame-Number: ${p.frameNumber}\r\nX-Timestamp: 2026-12-04T10:00:00.000001+00:00\r\n\r\n`), p.jpeg, enc.encode('\r\n')]);
  const all = new Uint8Array(wire.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of wire) {
    all.set(b, o);
    o += b.length;
  }
  for (const size of [1, 2, 3, 5, 7, 4096]) {
    const parser = new MjpegParser();
    const got: MjpegPart[] = [];
    for (let i = 0; i < all.length; i += size) got.push(...parser.push(all.subarray(i, i + size)));
    assert.equal(got.length, parts.length, `chunks of ${size}`);
    got.forEach((g, i) => {
      assert.equal(g.frameNumber, parts[i]!.frameNumber);
      assert.equal(g.captureMs, Date.UTC(2026, 11, 4, 10) + 0.001);
      assert.ok(Buffer.from(g.jpeg).equals(Buffer.from(parts[i]!.jpeg)));
    });
  }
  // An answer other than 2xx rejects and names the status.
  await assert.rejects(readMjpeg(`${url}/api/v1/stream/video?quality=blurry`, () => assert.fail('no part expected')), /answered 400/);
  // A stream that is not ours (no Content-Length) is an error, not a hang.
  assert.throws(() => new MjpegParser().push(enc.encode('--frame\r\nContent-Type: image/jpeg\r\n\r\n')), /Content-Length/);
  assert.throws(() => new MjpegParser().push(enc.encode('--frame\r\nContent-Length: 99999999999\r\n\r\n')), /more than 64 MiB/, 'a length no picture has is refused, not allocated');
  // Nor is a head that never ends: it is refused at 8 KiB instead of held without bound.
  const endless = new MjpegParser();
  assert.throws(() => {
    for (let k = 0; k < 100; k++) endless.push(enc.encode('x'.repeat(1000)));
  }, /longer than 8 KiB/);
});
