// The dashboard at the table side (issue 15): on a phone (390x844) and a tablet in portrait
// (768x1024) the table is drawn full width on top and the panels follow below it; on a desktop the
// panels stay beside the table; after a server restart the video underlay opens a new stream instead
// of keeping a frozen picture. Real server, real Chromium; screenshots in test-output/web/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type TablecastServer } from '@tablecast/server';
import { ensureBuilt, launchOptions, ROOT } from './helpers.js';

const shots = `${ROOT}test-output/web/`;
let browser: Browser;
let server: TablecastServer;
let url = '';

before(async () => {
  mkdirSync(shots, { recursive: true });
  await ensureBuilt();
  await start(0);
  browser = await chromium.launch(launchOptions);
});

async function start(port: number): Promise<void> {
  server = await createServer({
    overrides: { server: { port, host: '127.0.0.1', log_level: 'silent' }, source: { spec: 'simulator' }, websocket: { connections_per_ip_per_min: 100_000 } },
    env: {},
    logger: false,
  });
  url = (await server.listen()).url;
}

/** MJPEG viewers the server has now. */
async function viewers(): Promise<number> {
  return ((await (await fetch(`${url}/api/v1/stream/video/status`)).json()) as { viewers: number }).viewers;
}

after(async () => {
  await browser?.close();
  await server?.close();
});

for (const [name, width, height, stacked] of [['phone', 390, 844, true], ['tablet', 768, 1024, true], ['desktop', 1280, 760, false]] as const) {
  test(`${name} ${width}x${height}: ${stacked ? 'table full width on top, panels below' : 'panels beside the table'}`, async () => {
    const page = await browser.newPage({ viewport: { width, height } });
    try {
      await page.goto(`${url}/`);
      await page.waitForFunction(() => document.querySelector('#conn-badge')?.textContent === 'connected', undefined, { timeout: 10_000 });
      await page.waitForTimeout(500);
      const box = async (sel: string) => {
        const b = await page.locator(sel).boundingBox();
        assert.ok(b, `${sel} is laid out`);
        return b;
      };
      const canvas = await box('#table');
      const aside = await box('aside');
      await page.screenshot({ path: `${shots}layout-${name}.png`, fullPage: true });
      if (stacked) {
        assert.ok(canvas.width >= width - 40, `table ${canvas.width.toFixed(0)} px wide of ${width}`);
        assert.ok(canvas.height >= canvas.width * 0.45, `table ${canvas.height.toFixed(0)} px tall`);
        assert.ok(aside.y >= canvas.y + canvas.height - 1, 'panels below the table');
        assert.ok(aside.width >= width - 40, 'panels full width');
      } else {
        assert.ok(aside.x >= canvas.x + canvas.width - 1, 'panels beside the table');
        assert.ok(canvas.width > 800, `table ${canvas.width.toFixed(0)} px wide`);
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
    } finally {
      await page.close();
    }
  });
}

test('after a server restart the video underlay opens a new stream (no frozen picture under live balls)', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  try {
    await page.goto(`${url}/`);
    await page.waitForFunction(() => (window.__tablecast?.video.painted ?? 0) > 0, undefined, { timeout: 10_000 });
    const deadline = Date.now() + 5000;
    while ((await viewers()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await viewers(), 1, 'the page watches the video');
    const port = Number(new URL(url).port);
    const sessions0 = await page.evaluate(() => window.__tablecast!.video.sessions);
    await server.close();
    await start(port);
    const restartedAt = Date.now();
    await page.waitForFunction(() => document.querySelector('#conn-badge')?.textContent === 'connected', undefined, { timeout: 15_000 });
    const until = Date.now() + 5000;
    while ((await viewers()) < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await viewers(), 1, 'the restarted server has the page as a video viewer again');
    assert.ok((await page.evaluate(() => window.__tablecast!.video.sessions)) > sessions0, 'a new stream request');
    // Pictures captured by the new server are on screen (same machine, same clock).
    await page.waitForFunction((t) => (window.__tablecast!.video.captureMs ?? 0) > t, restartedAt, { timeout: 10_000 });
  } finally {
    await page.close();
  }
});

test('the dashboard is served compressed with long cache headers for its hashed assets; events are announced', async () => {
  const index = await fetch(`${url}/`, { headers: { 'accept-encoding': 'br, gzip' } });
  assert.equal(index.headers.get('cache-control'), 'no-cache', 'index.html is revalidated');
  const html = await index.text();
  const js = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
  assert.ok(js, 'the page names its script');
  for (const [enc, want] of [['br', 'br'], ['gzip', 'gzip'], ['identity', null]] as const) {
    const r: Response = await fetch(`${url}/${js}`, { headers: { 'accept-encoding': enc } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-encoding'), want, `accept-encoding ${enc}`);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.ok((await r.text()).length > 1000, 'the script (decoded by fetch)');
  }
  const page = await browser.newPage();
  try {
    await page.goto(`${url}/`);
    assert.equal(await page.getAttribute('#events', 'aria-live'), 'polite', 'screen readers announce game events');
    assert.equal(await page.getAttribute('#alerts', 'aria-live'), 'polite');
  } finally {
    await page.close();
  }
});

test('a JSON page loads neither TypeBox nor msgpackr; ?encoding=msgpack fetches the msgpackr chunk and works', async () => {
  for (const [query, wantsMsgpack] of [['', false], ['?encoding=msgpack', true]] as const) {
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.js')) scripts.push(r.url());
    });
    try {
      await page.goto(`${url}/${query}`);
      await page.waitForFunction(() => document.querySelector('#conn-badge')?.textContent === 'connected', undefined, { timeout: 10_000 });
      await page.waitForFunction(() => Number(document.querySelector('#conn-balls')?.textContent ?? '0') > 0, undefined, { timeout: 10_000 });
      const names = scripts.map((s) => s.split('/').pop()!);
      assert.equal(names.some((n) => n.startsWith('msgpackr')), wantsMsgpack, `scripts ${names.join(', ')}`);
      for (const s of scripts) {
        const text = await (await fetch(s)).text();
        assert.doesNotMatch(text, /TypeBox|@sinclair/, `${s.split('/').pop()} carries no TypeBox`);
      }
      const main = scripts.find((s) => /\/index-[\w-]+\.js$/.test(s))!;
      const gz = (await fetch(main, { headers: { 'accept-encoding': 'gzip' } })).headers.get('content-length');
      if (!wantsMsgpack) assert.ok(Number(gz) < 25_000 || gz === null, `main script ${gz} bytes gzipped`);
    } finally {
      await page.close();
    }
  }
});
