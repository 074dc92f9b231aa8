// The dashboard in Debian's Chromium (playwright-core, one launch for the file) against the real server
// serving apps/web/dist: states are drawn where they put the balls (canvas pixels probed at each ball),
// trajectories are drawn, filters resubscribe live, the feed shows events and alerts, and the page
// recovers by itself when the server restarts on the same port. Screenshots: test-output/web/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createServer, type TablecastServer } from '@tablecast/server';
import { ensureBuilt, launchPage, nearestColour, stateWith, ROOT, type Rgb } from './helpers.js';

const shots = `${ROOT}test-output/web/`;
let browser: Browser;
let page: Page;
let server: TablecastServer;
let port = 0;

async function start(p: number): Promise<void> {
  server = await createServer({
    overrides: {
      server: { port: p, host: '127.0.0.1', log_level: 'silent' },
      source: { spec: 'none' },
      websocket: { connections_per_ip_per_min: 100_000 },
    },
    env: {},
    logger: false,
  });
  port = (await server.listen()).port;
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  await ensureBuilt();
  await start(0);
  ({ browser, page } = await launchPage());
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const BALLS = [
  { id: 'cue', number: 0, x: 0.64, y: 0.64 },
  { id: 1, number: 1, x: 1.9, y: 0.64 },
  { id: 3, number: 3, x: 1.96, y: 0.6 },
  { id: 8, number: 8, x: 2.02, y: 0.64 },
  { id: 9, number: 9, x: 1.96, y: 0.68 },
  { id: 6, number: 6, x: 0.3, y: 1.1 },
];

/**
 * Waits until `predicate` holds in the page. A function, not a string: the dashboard's
 * Content-Security-Policy has no 'unsafe-eval', and Playwright evaluates string predicates with eval.
 */
async function waitState(predicate: () => boolean): Promise<void> {
  await page.waitForFunction(predicate, null, { timeout: 5000 });
  await page.waitForTimeout(250); // let the interpolation settle on the newest state (70 ms render delay)
}

async function probeBall(id: string | number): Promise<{ rgb: Rgb; name: string; pos: { x: number; y: number; r: number } }> {
  const out = await page.evaluate((ballId) => {
    const h = window.__tablecast!;
    const p = h.ballScreenPosition(ballId);
    if (!p) return null;
    // left of centre: outside the number disc (0.46 r), inside the stripe band (+-0.55 r)
    const px = h.pixelAt(p.x - p.r * 0.62, p.y);
    return { rgb: [px[0], px[1], px[2]] as [number, number, number], pos: p };
  }, id);
  assert.ok(out, `ball ${id} is drawn`);
  return { rgb: out.rgb, name: nearestColour(out.rgb), pos: out.pos };
}

test('the page loads, connects and draws every ball of a state where the state puts it', async () => {
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => window.__tablecast?.stats.state === 'connected', null, { timeout: 10_000 });
  await page.waitForTimeout(200); // subscriptions confirmed
  await server.publish('state', stateWith(BALLS));
  await waitState(() => { const s = window.__tablecast?.lastState; return !!s && s.balls.length === 6; });
  const expected: Record<string, string> = { cue: 'white', 1: 'yellow', 3: 'red', 8: 'black', 9: 'yellow', 6: 'green' };
  for (const b of BALLS) {
    const { name, rgb, pos } = await probeBall(b.id);
    assert.equal(name, expected[String(b.id)], `ball ${b.id} pixel ${rgb.join(',')} is ${expected[String(b.id)]}`);
    const want = await page.evaluate(([x, y]) => window.__tablecast!.tableToScreen(x!, y!), [b.x, b.y]);
    assert.ok(Math.abs(pos.x - want.x) < 0.5 && Math.abs(pos.y - want.y) < 0.5, 'drawn at the state position (0.5 px)');
  }
  // the stripe: ball 9 is white above and below its band
  const stripeTop = await page.evaluate(() => {
    const h = window.__tablecast!;
    const p = h.ballScreenPosition(9)!;
    return h.pixelAt(p.x, p.y - p.r * 0.78);
  });
  assert.equal(nearestColour([stripeTop[0], stripeTop[1], stripeTop[2]]), 'white', 'ball 9 is striped');
  // cloth between balls
  const cloth = await page.evaluate(() => {
    const h = window.__tablecast!;
    const p = h.tableToScreen(1.27, 0.3);
    return h.pixelAt(p.x, p.y);
  });
  assert.equal(nearestColour([cloth[0], cloth[1], cloth[2]]), 'cloth');
  const stats = await page.evaluate(() => window.__tablecast!.stats);
  assert.ok(stats.framesDrawn > 10, `drawing at display rate (${stats.framesDrawn} frames)`);
  assert.equal(await page.locator('#conn-badge').textContent(), 'connected');
  await page.screenshot({ path: `${shots}state.png` });
});

test('a published trajectory is drawn: polyline, collision markers, ghost ball, target pocket', async () => {
  await server.publish('state', {
    ...stateWith(BALLS),
    cue: { detected: true, tip_position: { x: 0.5, y: 0.64, scale: [1, 1] }, angle: 0, length: 1.45, confidence: 0.9 },
  });
  const t = await server.publish('trajectory', {
    ball_id: 'cue',
    lines: [
      { start: { x: 0.64, y: 0.64 }, end: { x: 1.843, y: 0.64 }, type: 'primary', ball_id: 'cue', confidence: 0.9 },
      { start: { x: 1.9, y: 0.64 }, end: { x: 2.54, y: 1.27 }, type: 'secondary', ball_id: 1, confidence: 0.8 },
    ],
    collisions: [
      { time: 0.6, position: { x: 1.871, y: 0.64 }, type: 'ball_ball', ball1_id: 'cue', ball2_id: 1, angle: 0 },
      { time: 1.4, position: { x: 2.51, y: 1.24 }, type: 'ball_pocket', ball1_id: 1, ball2_id: null, angle: 45 },
    ],
    pocketed: [1],
    calculation_time_ms: 2.1,
    line_count: 2,
    collision_count: 2,
  });
  assert.ok(t.sequence >= 1);
  await page.waitForFunction(() => window.__tablecast?.trajectory?.lines.length === 2, null, { timeout: 5000 });
  await page.waitForTimeout(250);
  const px = await page.evaluate(() => {
    const h = window.__tablecast!;
    const mid = h.tableToScreen(1.2, 0.64); // middle of the primary line
    const off = h.tableToScreen(1.2, 0.5); // cloth beside it
    const sec = h.tableToScreen(2.22, 0.955); // middle of the secondary line
    const target = h.tableToScreen(2.54, 1.27);
    return { line: h.pixelAt(mid.x, mid.y), cloth: h.pixelAt(off.x, off.y), secondary: h.pixelAt(sec.x, sec.y), target };
  });
  assert.ok(px.line[0] > 200 && px.line[1] > 200 && px.line[2] > 200, `primary line is white: ${px.line.join(',')}`);
  assert.equal(nearestColour([px.cloth[0], px.cloth[1], px.cloth[2]]), 'cloth');
  assert.ok(px.secondary[2] > 200 && px.secondary[0] < 180, `secondary line is cyan: ${px.secondary.join(',')}`);
  // the highlighted target pocket ring (yellow) just outside the bottom-right pocket
  const ring = await page.evaluate(() => {
    const h = window.__tablecast!;
    const p = h.tableToScreen(2.54, 1.27);
    const r = h.tableToScreen(0.06, 0).x - h.tableToScreen(0, 0).x;
    return h.pixelAt(p.x - (r + 3), p.y); // left of the pocket, away from the secondary line's 45 degree approach
  });
  assert.ok(ring[0] > 180 && ring[1] > 150 && ring[2] < 120, `target pocket ring is yellow: ${ring.join(',')}`);
  await page.screenshot({ path: `${shots}trajectory.png` });
});

test('filter controls resubscribe live (ball ids, min confidence); feed shows events and alerts', async () => {
  // The subscription controls are engineering tools: behind the Diagnostics toggle.
  assert.equal(await page.isVisible('#f-balls'), false);
  await page.click('#diagnostics summary');
  await page.fill('#f-balls', '1,8');
  await page.click('#filters button');
  await page.waitForTimeout(150);
  await server.publish('state', stateWith(BALLS));
  await waitState(() => { const s = window.__tablecast?.lastState; return !!s && s.balls.length === 2; });
  assert.equal(await page.evaluate(() => window.__tablecast!.ballScreenPosition('cue')), null, 'cue filtered out');
  assert.equal((await probeBall(8)).name, 'black');
  await page.fill('#f-balls', '');
  await page.click('#filters button');
  await page.waitForTimeout(150);
  await server.publish('state', stateWith(BALLS));
  await waitState(() => { const s = window.__tablecast?.lastState; return !!s && s.balls.length === 6; });

  await server.publish('event', { event: 'shot_started', speed: 2.5 });
  await server.publish('event', { event: 'ball_pocketed', ball_id: 1, pocket: 'bottom-right' });
  await server.publish('event', { event: 'scratch' });
  await server.publish('alert', { level: 'warning', message: 'cue ball lost', code: 'CUE_LOST' });
  await page.waitForFunction(() => document.querySelectorAll('#events li').length >= 3 && document.querySelectorAll('#alerts li').length >= 1);
  const events = await page.locator('#events li span').allTextContents();
  assert.deepEqual(events.slice(0, 3), ['scratch: cue ball pocketed', 'ball 1 pocketed (bottom-right)', 'shot at 2.50 m/s']);
  assert.match((await page.locator('#alerts li span').first().textContent()) ?? '', /WARNING \[CUE_LOST\] cue ball lost/);
  await page.waitForFunction(() => /health: \w+/.test(document.querySelector('#health-badge')?.textContent ?? '') && !/\?|unreachable/.test(document.querySelector('#health-badge')?.textContent ?? ''));
  await page.screenshot({ path: `${shots}feed.png` });
});

test('the page recovers by itself when the server restarts on the same port', async () => {
  const p = port;
  await server.close();
  await page.waitForFunction(() => window.__tablecast?.stats.state !== 'connected', null, { timeout: 5000 });
  // The health badge follows the connection, in both directions, without waiting for its 5 s poll.
  await page.waitForFunction(() => /unreachable/.test(document.querySelector('#health-badge')?.textContent ?? ''), null, { timeout: 1500 });
  await start(p);
  await page.waitForFunction(() => window.__tablecast?.stats.state === 'connected', null, { timeout: 15_000 });
  await page.waitForFunction(() => /health: healthy/.test(document.querySelector('#health-badge')?.textContent ?? ''), null, { timeout: 1500 });
  await page.waitForTimeout(200);
  const moved = BALLS.map((b) => (b.id === 'cue' ? { ...b, x: 1.2, y: 0.3 } : b));
  await server.publish('state', stateWith(moved));
  await waitState(() => { const s = window.__tablecast?.lastState; return !!s && s.balls.some((b) => b.id === 'cue' && b.position.x === 1.2); });
  const cue = await probeBall('cue');
  assert.equal(cue.name, 'white');
  const want = await page.evaluate(() => window.__tablecast!.tableToScreen(1.2, 0.3));
  assert.ok(Math.abs(cue.pos.x - want.x) < 0.5 && Math.abs(cue.pos.y - want.y) < 0.5, 'cue drawn at its new position (0.5 px)');
  await server.publish('event', { event: 'game_started' });
  await page.waitForFunction(() => document.querySelector('#events li span')?.textContent === 'game started');
  const stats = await page.evaluate(() => window.__tablecast!.stats);
  assert.ok(stats.reconnects >= 1);
  await page.screenshot({ path: `${shots}after-restart.png` });
});


