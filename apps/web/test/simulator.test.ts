// The dashboard against a server running the simulator source: live states drawn at display rate,
// the MJPEG video underlay aligned with the drawn table, and the video toggle. Screenshots:
// test-output/web/simulator-video.png, simulator-overlay.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createServer, type TablecastServer } from '@tablecast/server';
import { ensureBuilt, launchPage, nearestColour, ROOT, type Rgb } from './helpers.js';

const shots = `${ROOT}test-output/web/`;
let browser: Browser;
let page: Page;
let server: TablecastServer;
let url = '';

before(async () => {
  mkdirSync(shots, { recursive: true });
  await ensureBuilt();
  server = await createServer({
    overrides: { server: { port: 0, host: '127.0.0.1', log_level: 'silent' }, source: { spec: 'simulator', seed: 7 } },
    env: {},
    logger: false,
  });
  url = (await server.listen()).url;
  ({ browser, page } = await launchPage());
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const SOLID: Record<number, string> = { 0: 'white', 1: 'yellow', 2: 'blue', 3: 'red', 4: 'purple', 5: 'orange', 6: 'green', 7: 'maroon', 8: 'black' };

test('live simulator: states drawn over the aligned video; every solid ball has its colour', async () => {
  await page.goto(`${url}/`);
  await page.waitForFunction(() => (window.__tablecast?.lastState?.balls.length ?? 0) > 0, null, { timeout: 15_000 });
  await page.waitForFunction(() => window.__tablecast?.videoVisible === true, null, { timeout: 10_000 });
  await page.waitForTimeout(600);
  const probes = await page.evaluate(() => {
    const h = window.__tablecast!;
    const state = h.lastState!;
    return state.balls
      .filter((b) => !b.is_pocketed && (b.number ?? 0) <= 8)
      .map((b) => {
        const p = h.ballScreenPosition(b.id);
        if (!p) return null;
        // four probes around the centre (outside the number disc): the cue stick or a neighbour may cover one
        const d = p.r * 0.62;
        const px = [h.pixelAt(p.x - d, p.y), h.pixelAt(p.x + d, p.y), h.pixelAt(p.x, p.y - d), h.pixelAt(p.x, p.y + d)];
        return { id: b.id, number: b.number ?? 0, px };
      })
      .filter((x) => x !== null);
  });
  assert.ok(probes.length >= 1, 'at least one solid ball on the table');
  for (const p of probes) {
    const names = p.px.map((c) => nearestColour([c[0], c[1], c[2]] as Rgb));
    const hits = names.filter((n) => n === SOLID[p.number]).length;
    assert.ok(hits >= 3, `ball ${p.id} (${p.number}) drawn in ${SOLID[p.number]}: probes ${names.join(', ')}`);
  }
  const stats = await page.evaluate(() => window.__tablecast!.stats);
  assert.equal(stats.state, 'connected');
  assert.ok(stats.framesDrawn > 20, `${stats.framesDrawn} frames drawn`);
  // the video's playing surface lines up with the canvas's: compare the image's transformed box
  const align = await page.evaluate(() => {
    const surface = document.getElementById('video') as HTMLCanvasElement;
    const h = window.__tablecast!;
    const tl = h.tableToScreen(0, 0);
    return { transform: surface.style.transform, natural: [surface.width, surface.height], tl, video: h.video };
  });
  assert.match(align.transform, /^matrix3d\(/);
  assert.ok(align.natural[0]! > 0 && align.video.painted > 0, 'MJPEG frames decoded and painted');
  assert.ok(align.video.captureMs !== null && align.video.frameNumber !== null, 'the picture on screen names its frame');
  await page.screenshot({ path: `${shots}simulator-video.png` });
  await page.click('#diagnostics summary');
  await page.uncheck('#f-video');
  await page.waitForFunction(() => window.__tablecast?.videoVisible === false);
  await page.waitForTimeout(100);
  await page.screenshot({ path: `${shots}simulator-overlay.png` });
});

/** Where the moving cue ball is drawn against where its picture is, in one animation frame. */
interface Agreement {
  speed: number;
  /** Distance between the drawn ball's centre and the white blob's centre in the picture, in ball radii; null when no blob. */
  offsetR: number | null;
}

test('a moving ball is drawn on its picture: the video and the balls show the same instant (no doubled balls)', { timeout: 120_000 }, async (t) => {
  const own = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  try {
    await own.goto(`${url}/`);
    await own.waitForFunction(() => window.__tablecast?.videoVisible === true, null, { timeout: 15_000 });
    const samples: Agreement[] = [];
    const deadline = Date.now() + 90_000;
    while (samples.length < 30 && Date.now() < deadline) {
      // In the frame after the dashboard painted: the picture on the video canvas (image pixels) and
      // the drawn cue ball mapped back into the picture through the inverse of the CSS homography.
      const s = await own.evaluate(() => new Promise<Agreement | null>((resolve) => requestAnimationFrame(() => {
        const h = window.__tablecast!;
        const cue = h.lastState?.balls.find((b) => String(b.id) === 'cue');
        const at = h.ballScreenPosition('cue');
        if (!cue || !cue.is_moving || !at || !h.videoVisible) return resolve(null);
        const surface = document.getElementById('video') as HTMLCanvasElement;
        const m = new DOMMatrix(surface.style.transform).inverse();
        const q = m.transformPoint(new DOMPoint(at.x, at.y, 0, 1));
        const ix = q.x / q.w;
        const iy = q.y / q.w;
        const R = 40;
        const px = surface.getContext('2d')!.getImageData(Math.round(ix) - R, Math.round(iy) - R, 2 * R, 2 * R).data;
        let sx = 0;
        let sy = 0;
        let n = 0;
        for (let y = 0; y < 2 * R; y++) {
          for (let x = 0; x < 2 * R; x++) {
            const i = (y * 2 * R + x) * 4;
            if (px[i]! > 200 && px[i + 1]! > 200 && px[i + 2]! > 190) {
              sx += x;
              sy += y;
              n++;
            }
          }
        }
        const speed = Math.hypot(cue.velocity?.x ?? 0, cue.velocity?.y ?? 0);
        const radius = Math.sqrt(n / Math.PI);
        const dx = sx / n - R - (ix - Math.round(ix));
        const dy = sy / n - R - (iy - Math.round(iy));
        resolve({ speed, offsetR: n >= 20 ? Math.hypot(dx, dy) / radius : null });
      })));
      if (s && s.speed > 0.3) samples.push(s);
      await own.waitForTimeout(s ? 40 : 20);
    }
    assert.ok(samples.length >= 15, `${samples.length} samples of a cue ball moving faster than 0.3 m/s`);
    const offsets = samples.map((s) => s.offsetR ?? Infinity).sort((a, b) => a - b);
    const q = (f: number) => offsets[Math.min(offsets.length - 1, Math.floor(f * offsets.length))]!;
    const summary = `offset in ball radii p50 ${q(0.5).toFixed(2)}, p80 ${q(0.8).toFixed(2)}, p90 ${q(0.9).toFixed(2)} over ${samples.length} samples`;
    t.diagnostic(`moving cue ball, drawn vs its picture: ${summary}`);
    // Drawn at the newest state over an <img> (and the simulator labelling a picture with a later
    // frame) the picture lagged: p50 1.1 r, p90 1.9 r. Synchronised, what remains is detection noise
    // and tracking (p50 0.1 r).
    assert.ok(q(0.5) < 0.4, `the ball sits on its picture: ${summary}`);
    assert.ok(q(0.8) < 0.8, `and stays there: ${summary}`);
  } finally {
    await own.close();
  }
});
