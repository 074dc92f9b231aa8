// Shared helpers of the dashboard tests: Chromium launch options, synthetic states, colour naming.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';

/** Debian's Chromium, no sandbox (containers), no background traffic. Never downloads a browser. */
export const launchOptions: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/**
 * Launches Chromium with {@link launchOptions} and opens one page of the dashboard tests' viewport
 * (1280x760 pixels) that logs page errors.
 */
export async function launchPage(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch(launchOptions);
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.on('pageerror', (err) => console.error('page error:', err));
  return { browser, page };
}

/** An RGB triple, 0..255. */
export type Rgb = [number, number, number];

/** Reference colours the dashboard paints (apps/web/src/balls.ts and table-renderer.ts). */
export const PALETTE: Record<string, Rgb> = {
  white: [244, 241, 232],
  yellow: [245, 196, 0],
  blue: [26, 79, 214],
  red: [215, 38, 30],
  purple: [106, 44, 145],
  orange: [242, 107, 15],
  green: [14, 138, 67],
  maroon: [138, 28, 28],
  black: [17, 17, 17],
  cloth: [30, 113, 152],
};

/** Name of the palette colour nearest to `rgb` (Euclidean distance in RGB). */
export function nearestColour(rgb: Rgb): string {
  let best = '';
  let bestD = Number.POSITIVE_INFINITY;
  for (const [name, ref] of Object.entries(PALETTE)) {
    const d = Math.hypot(rgb[0] - ref[0], rgb[1] - ref[1], rgb[2] - ref[2]);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best;
}

/** A state payload with balls at the given positions (metres): the SDK tests' fixture. */
export { stateWith } from '../../../packages/client/test/helpers.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = join(ROOT, 'apps/web');

function newestMtime(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full);
    t = Math.max(t, st.isDirectory() ? newestMtime(full) : st.mtimeMs);
  }
  return t;
}

/**
 * Builds apps/web/dist when it is missing or older than the sources (web, client, protocol). Test
 * files run in parallel and a server serves dist/ while another file would rebuild it, so builds are
 * serialized with an atomic lock directory and skipped when dist is fresh.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(WEB, '.build-lock');
  const index = join(WEB, 'dist/index.html');
  for (let waited = 0; ; waited += 50) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 60_000) rmSync(lock, { recursive: true, force: true }); // stale lock
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    const sources = Math.max(
      newestMtime(join(WEB, 'src')),
      statSync(join(WEB, 'index.html')).mtimeMs,
      newestMtime(join(ROOT, 'packages/client/src')),
      newestMtime(join(ROOT, 'packages/protocol/src')),
    );
    if (!existsSync(index) || statSync(index).mtimeMs < sources) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: WEB, stdio: 'inherit' });
      execFileSync(process.execPath, [join(WEB, 'compress-dist.mjs')], { cwd: WEB, stdio: 'inherit' }); // as `npm run build` does
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
