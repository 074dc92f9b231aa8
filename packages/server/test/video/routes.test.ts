/**
 * Video endpoints over real HTTP sockets: a bare Fastify with registerVideoRoutes on port 0, real
 * JPEG frames (the reference photos, GPL-3.0 from jchadwick/billiards-trainer) pushed into a
 * FrameHub, the MJPEG stream read and parsed part by part.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { FrameHub, type JpegFrame } from '@tablecast/pipeline';
import { formatTimestamp } from '@tablecast/protocol';
import { registerVideoRoutes } from '../../src/video/routes.js';

const DATA = process.env.TABLECAST_BILLIARDS_DATA ?? fileURLToPath(new URL('../../../../../shared/data/billiards/', import.meta.url));
const photos = [readFileSync(`${DATA}/table_w_balls.jpg`), readFileSync(`${DATA}/empty_table.jpg`)];

let app: FastifyInstance;
let hub: FrameHub;
let base: string;
let counter = 0;

const pushed = new Map<number, JpegFrame>();

function push(i = counter % 2): JpegFrame {
  const f: JpegFrame = { jpeg: photos[i]!, width: 1280, height: 720, timestampMicros: Date.now() * 1000 + 123, frameNumber: counter++ };
  pushed.set(f.frameNumber, f);
  hub.push(f);
  return f;
}

/** Frame number and capture timestamp of each part read (its X-Frame-Number, X-Timestamp headers). */
const partMeta = new WeakMap<Buffer, { frameNumber: number; timestamp: string }>();

/** Reads `count` MJPEG parts from `path`; returns the parts and the response headers. */
function readParts(path: string, count: number, onOpen?: () => void): Promise<{ headers: http.IncomingHttpHeaders; parts: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, (res) => {
      onOpen?.();
      let buf = Buffer.alloc(0);
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          const headEnd = buf.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = buf.subarray(0, headEnd).toString('latin1');
          const m = /^--frame\r\nContent-Type: image\/jpeg\r\nContent-Length: (\d+)\r\nX-Frame-Number: (\d+)\r\nX-Timestamp: (\S+)$/.exec(head);
          assert.ok(m, `part head ${JSON.stringify(head)}`);
          const len = Number(m[1]);
          if (buf.length < headEnd + 4 + len + 2) return;
          const body = buf.subarray(headEnd + 4, headEnd + 4 + len);
          assert.equal(buf.subarray(headEnd + 4 + len, headEnd + 6 + len).toString('latin1'), '\r\n');
          const part = Buffer.from(body);
          partMeta.set(part, { frameNumber: Number(m[2]), timestamp: m[3]! });
          parts.push(part);
          buf = buf.subarray(headEnd + 6 + len);
          if (parts.length >= count) {
            req.destroy();
            resolve({ headers: res.headers, parts });
            return;
          }
        }
      });
      res.on('error', () => {});
    });
    req.on('error', (e) => { if (!req.destroyed) reject(e); });
    setTimeout(() => { req.destroy(); reject(new Error(`timeout reading ${count} parts from ${path}`)); }, 10_000).unref();
  });
}

/**
 * Adds a producer that renders (pushes a frame every 30 ms) only while frames are wanted, as the
 * simulator source does; returns its removal.
 */
function onDemandProducer(): () => void {
  const removeProducer = hub.addProducer();
  let timer: NodeJS.Timeout | null = null;
  const follow = hub.onDemand((w) => {
    if (w && !timer) timer = setInterval(() => push(), 30);
    if (!w && timer) {
      clearInterval(timer);
      timer = null;
    }
  });
  return () => {
    if (timer) clearInterval(timer);
    follow();
    removeProducer();
  };
}

async function json(path: string, method = 'GET'): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(base + path, { method });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

before(async () => {
  app = Fastify();
  hub = new FrameHub();
  await registerVideoRoutes(app, {
    frames: hub,
    overlay: () => ({ width: 1280, height: 720, balls: [{ x: 767, y: 342, radius: 13, label: '0' }], cue: null }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1`;
});

after(async () => {
  await app.close();
});

describe('video routes', () => {
  it('answers 503 JSON for /frame before the first frame, and status shows no frames', async () => {
    const r = await json('/stream/video/frame');
    assert.equal(r.status, 503);
    assert.equal((r.body.error as { code: string }).code, 'NO_FRAME');
    const s = await json('/stream/video/status');
    assert.equal(s.body.frames, 0);
    assert.equal(s.body.active, true);
    assert.equal(s.body.last_frame_at, null);
    assert.equal(s.body.available, false, 'no frames and no on-demand source');
  });

  it('streams MJPEG parts exactly as PROTOCOL section 8 with the original bytes', async () => {
    push(0);
    const timer = setInterval(() => push(), 30);
    try {
      const { headers, parts } = await readParts('/stream/video', 4);
      assert.equal(headers['content-type'], 'multipart/x-mixed-replace; boundary=frame');
      assert.equal(parts.length, 4);
      for (const p of parts) {
        assert.ok(p.equals(photos[0]!) || p.equals(photos[1]!), 'unmodified JPEG without quality');
        // Each part names its source frame and capture time (what a state of that frame carries).
        const meta = partMeta.get(p)!;
        const frame = pushed.get(meta.frameNumber);
        assert.ok(frame, `part of frame ${meta.frameNumber}`);
        assert.ok(p.equals(frame.jpeg), 'the named frame is the one sent');
        assert.equal(meta.timestamp, formatTimestamp(frame.timestampMicros));
      }
      const meta = await sharp(parts[1]!).metadata();
      assert.equal(meta.width, 1280);
      assert.equal(meta.format, 'jpeg');
    } finally {
      clearInterval(timer);
    }
  });

  it('re-encodes once per frame for several viewers of the same quality', async () => {
    const s0 = (await json('/stream/video/status')).body.encodes as number;
    let opened = 0;
    const onOpen = () => { opened++; };
    const readers = [readParts('/stream/video?quality=low', 2, onOpen), readParts('/stream/video?quality=low', 2, onOpen), readParts('/stream/video?quality=low', 2, onOpen)];
    while (opened < 3) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    const frames = 3;
    for (let i = 0; i < frames; i++) { push(); await new Promise((r) => setTimeout(r, 80)); }
    const results = await Promise.all(readers);
    for (const { parts } of results) {
      const meta = await sharp(parts[1]!).metadata();
      assert.equal(meta.width, 640, 'low = max width 640');
      assert.ok(parts[1]!.length < photos[0]!.length);
    }
    const s1 = (await json('/stream/video/status')).body.encodes as number;
    // One encode per frame (the latest on connect + the pushed ones), not per viewer: <= frames + 1.
    assert.ok(s1 - s0 <= frames + 1, `encodes ${s1 - s0} for ${frames + 1} frames and 3 viewers`);
  });

  it('caps the rate with fps (2 fps: 3 parts take >= ~1 s)', async () => {
    const timer = setInterval(() => push(), 20);
    try {
      const t0 = performance.now();
      await readParts('/stream/video?fps=2&quality=50', 3);
      const dt = performance.now() - t0;
      assert.ok(dt >= 900, `3 parts at 2 fps took ${dt.toFixed(0)} ms (>= 900 ms expected)`);
    } finally {
      clearInterval(timer);
    }
  });

  it('draws the overlay (pixels change around the drawn ball)', async () => {
    push(1);
    const plain = await fetch(base + '/stream/video/frame?quality=90');
    const drawn = await fetch(base + '/stream/video/frame?quality=90&overlay=1');
    assert.equal(drawn.status, 200);
    assert.equal(drawn.headers.get('content-type'), 'image/jpeg');
    const a = await sharp(Buffer.from(await plain.arrayBuffer())).extract({ left: 740, top: 315, width: 54, height: 54 }).raw().toBuffer();
    const b = await sharp(Buffer.from(await drawn.arrayBuffer())).extract({ left: 740, top: 315, width: 54, height: 54 }).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    assert.ok(diff / a.length > 5, `mean abs difference ${(diff / a.length).toFixed(1)} (> 5 expected)`);
  });

  it('rejects bad parameters with 400 INVALID_PARAMETER', async () => {
    for (const q of ['quality=ultra', 'quality=0', 'quality=101', 'fps=0', 'fps=61', 'fps=abc', 'overlay=2']) {
      const r = await json(`/stream/video?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal((r.body.error as { code: string }).code, 'INVALID_PARAMETER', q);
      assert.equal(typeof (r.body.error as { message: string }).message, 'string');
    }
    assert.equal((await json('/stream/video/frame?quality=bad')).status, 400);
  });

  it('skips frames for a slow viewer instead of buffering them', async () => {
    // A raw socket that never reads: the server must not queue every frame for it.
    const net = await import('node:net');
    const sock = net.connect(Number(new URL(base).port), '127.0.0.1');
    sock.write('GET /api/v1/stream/video HTTP/1.1\r\nHost: x\r\n\r\n');
    sock.pause();
    await new Promise((r) => setTimeout(r, 100));
    const big = readFileSync(`${DATA}/grid.jpg`); // 4K frame (280 kB): 60 of them overflow the socket buffers
    for (let i = 0; i < 60; i++) {
      hub.push({ jpeg: big, width: 3840, height: 2160, timestampMicros: Date.now() * 1000, frameNumber: counter++ });
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 100));
    const s = (await json('/stream/video/status')).body;
    assert.ok((s.viewers as number) >= 1);
    // 60 frames of ~280 kB offered to a socket that never reads: most are skipped, only what the
    // kernel and stream buffers take before backpressure (a handful of parts) is written.
    assert.ok((s.skipped as number) >= 40, `skipped ${s.skipped} of 60, ${JSON.stringify(s)}`);
    assert.ok((s.sent as number) <= 20, `sent ${s.sent} of 60`);
    sock.destroy();
  });

  it('status reports frames, size, fps, viewers; stop/start toggle serving', async () => {
    for (let i = 0; i < 5; i++) { push(); await new Promise((r) => setTimeout(r, 20)); }
    const s = (await json('/stream/video/status')).body;
    assert.equal(s.active, true);
    assert.ok((s.frames as number) >= 5);
    assert.equal(s.width, 1280);
    assert.equal(s.height, 720);
    assert.ok((s.fps as number) > 0, `fps ${s.fps}`);
    assert.match(String(s.last_frame_at), /^\d{4}-\d\d-\d\dT/);
    const stop = await json('/stream/video/stop', 'POST');
    assert.equal(stop.body.active, false);
    assert.equal((await json('/stream/video/frame')).status, 503);
    assert.equal((await json('/stream/video/status')).body.active, false);
    const start = await json('/stream/video/start', 'POST');
    assert.equal(start.body.active, true);
    const r = await fetch(base + '/stream/video/frame');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/jpeg');
  });
});

describe('frame demand', () => {
  it('a source that follows demand: a new viewer\'s first picture is rendered for it, not the old newest one', async () => {
    const stop = onDemandProducer();
    try {
      const old = push();
      old.timestampMicros -= 60_000_000; // rendered a minute ago, when someone last watched
      const { parts } = await readParts('/stream/video', 1);
      assert.ok(partMeta.get(parts[0]!)!.frameNumber > old.frameNumber, 'a fresh picture first');
    } finally {
      stop();
    }
  });

  it('a source that follows demand and stays silent: a new viewer still gets the last picture after 1.5 s', async () => {
    const removeProducer = hub.addProducer(); // a producer that never renders (a stopped pipeline)
    try {
      const last = push();
      last.timestampMicros -= 5_000_000; // five seconds old
      const t0 = performance.now();
      const { parts } = await readParts('/stream/video', 1);
      const waited = performance.now() - t0;
      assert.equal(partMeta.get(parts[0]!)!.frameNumber, last.frameNumber);
      assert.ok(waited >= 1400, `the old picture came after waiting for a fresh one (${waited.toFixed(0)} ms)`);
    } finally {
      removeProducer();
    }
  });

  it('FrameHub: viewers hold demand, a touch wants frames for a while, listeners see each change once', async () => {
    const h = new FrameHub();
    const seen: boolean[] = [];
    h.onDemand((w) => seen.push(w));
    assert.equal(h.wanted, false);
    const a = h.acquire();
    const b = h.acquire();
    a();
    a();
    assert.equal(h.wanted, true, 'one viewer left');
    b();
    assert.equal(h.wanted, false);
    h.touch(80);
    h.touch(40); // a shorter touch does not cut the longer one
    assert.equal(h.wanted, true);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.wanted, true);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.wanted, false, 'touch expired');
    assert.deepEqual(seen, [true, false, true, false]);
    h.close();
  });

  it('an MJPEG viewer holds demand while connected; /frame from an on-demand producer waits for a fresh frame', async () => {
    const demand: boolean[] = [];
    const off = hub.onDemand((w) => demand.push(w));
    const stop = onDemandProducer();
    try {
      const before = (await json('/stream/video/status')).body;
      assert.equal(before.demand, false);
      assert.equal(before.available, true);
      const { parts } = await readParts('/stream/video', 2);
      assert.equal(parts.length, 2, 'the viewer got frames rendered for it');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await json('/stream/video/status')).body.demand, false, 'demand ends with the viewer');
      assert.deepEqual(demand, [true, false]);
      // The latest frame is now stale (> 1 s): /frame asks for frames and serves the next one.
      const stale = hub.latest()!;
      await new Promise((r) => setTimeout(r, 1100));
      const r = await fetch(base + '/stream/video/frame');
      assert.equal(r.status, 200);
      assert.ok(Number(r.headers.get('x-frame-number')) > stale.frameNumber, 'a fresh frame, not the stale one');
      assert.equal((await json('/stream/video/status')).body.demand, true, 'wanted for a while after a one-off request');
    } finally {
      stop();
      off();
    }
  });
});
