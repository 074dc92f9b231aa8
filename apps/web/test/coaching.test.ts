// The coaching view (issue 15) against the simulator: the game panel follows the core's game
// (players, turn, balls left per group), the shot list fills from history and live events with each
// shot's outcome, a shot replays on the table from its recorded positions and "back to live" ends
// it, the legend explains the lines in the renderer's colours, and the engineering panels sit behind
// a closed "Diagnostics" toggle. Desktop and phone; screenshots in test-output/web/coaching-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type TablecastServer } from '@tablecast/server';
import { ensureBuilt, launchOptions, ROOT } from './helpers.js';

const shots = `${ROOT}test-output/web/`;
let browser: Browser;
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
  browser = await chromium.launch(launchOptions);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

type Game = { players: { name: string; group: string | null }[]; turn: number; winner: number | null; balls_left: { solids: number; stripes: number } };

async function open(width: number, height: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(`${url}/`);
  await page.waitForFunction(() => document.querySelectorAll('#shots li').length > 0, undefined, { timeout: 40_000 });
  return page;
}

test('desktop: game panel, shot list, replay and back to live, legend, diagnostics behind a toggle', { timeout: 90_000 }, async () => {
  const page = await open(1280, 760);
  try {
    // The game panel says what the core says.
    const game = (await (await fetch(`${url}/api/v1/game/state`)).json() as { game: Game }).game;
    await page.waitForFunction((t) => document.querySelector('#game-turn')?.textContent === t, game.winner === null ? `${game.players[game.turn]!.name} to shoot` : `${game.players[game.winner]!.name} wins`, { timeout: 5000 });
    assert.equal(await page.textContent('#game-solids'), String(game.balls_left.solids));
    assert.equal(await page.textContent('#game-stripes'), String(game.balls_left.stripes));
    assert.equal(await page.getAttribute(`#game-p${game.turn + 1}`, 'data-turn'), 'true', 'the player to shoot is marked');
    // The shot list: outcomes in words.
    const first = await page.textContent('#shots li span');
    assert.match(first ?? '', /^Shot \d+ · Player [12] · (balls? [\d, ]+ down|nothing down)( · (illegal )?break \(\d+ to a cushion\))? · (keeps the table|turn passes|foul \(.+\))$/);
    // Legend: six entries in the renderer's colours.
    const legend = await page.$$eval('#legend li', (lis) => lis.map((li) => li.textContent));
    assert.deepEqual(legend, ['cue-ball path', 'object-ball path', 'after a cushion', 'ghost ball (contact point)', 'target pocket', 'collision']);
    // Diagnostics: closed by default, open on click.
    assert.equal(await page.isVisible('#connection-panel'), false, 'RTT and friends are behind the toggle');
    await page.screenshot({ path: `${shots}coaching-desktop.png` });
    await page.click('#diagnostics summary');
    assert.equal(await page.isVisible('#connection-panel'), true);
    await page.click('#diagnostics summary');
    // Replay the newest shot: the banner names it, the balls move along the recording, back to live.
    await page.click('#shots li button.replay');
    await page.waitForFunction(() => window.__tablecast?.replaying != null, undefined, { timeout: 2000 });
    assert.equal(await page.isVisible('#replay-banner'), true);
    assert.match((await page.textContent('#replay-label')) ?? '', /^replaying Shot \d+/);
    const positions = () => page.evaluate(() => Object.fromEntries(['cue', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15'].map((id) => [id, window.__tablecast?.ballScreenPosition(id)?.x ?? null])));
    const a = await positions();
    await page.waitForTimeout(300);
    const b = await positions();
    assert.ok(Object.keys(a).some((id) => a[id] !== null && b[id] !== null && Math.abs(a[id]! - b[id]!) > 0.5), 'a ball moves during the replay');
    await page.screenshot({ path: `${shots}coaching-replay.png` });
    await page.click('#replay-stop');
    assert.equal(await page.evaluate(() => window.__tablecast?.replaying ?? null), null, 'live again');
    assert.equal(await page.isVisible('#replay-banner'), false);
  } finally {
    await page.close();
  }
});

test('phone: the table on top, the game and the shots below it', { timeout: 90_000 }, async () => {
  const page = await open(390, 844);
  try {
    const canvas = (await page.locator('#table').boundingBox())!;
    const game = (await page.locator('#game-panel').boundingBox())!;
    assert.ok(game.y >= canvas.y + canvas.height, 'the game panel below the table');
    assert.ok(game.width >= 390 - 40, 'full width');
    await page.screenshot({ path: `${shots}coaching-phone.png`, fullPage: true });
  } finally {
    await page.close();
  }
});
