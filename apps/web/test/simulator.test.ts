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
    const img = document.getElementById('video') as HTMLImageElement;
    const h = window.__tablecast!;
    const tl = h.tableToScreen(0, 0);
    return { transform: img.style.transform, natural: [img.naturalWidth, img.naturalHeight], tl };
  });
  assert.match(align.transform, /^matrix3d\(/);
  assert.ok(align.natural[0]! > 0, 'MJPEG frames decoded');
  await page.screenshot({ path: `${shots}simulator-video.png` });
  await page.click('#diagnostics summary');
  await page.uncheck('#f-video');
  await page.waitForFunction(() => window.__tablecast?.videoVisible === false);
  await page.waitForTimeout(100);
  await page.screenshot({ path: `${shots}simulator-overlay.png` });
});
