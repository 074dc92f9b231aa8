// The SDK as a user gets it (issue 15): @tablecast/protocol and @tablecast/client built to ESM with
// .d.ts and packed (scripts/pack-sdk.mjs), installed from the tarballs into an empty folder with
// npm, then a plain `node` script (no TypeScript, no tsx) connects to a live server, subscribes and
// prints what it receives; `tsc` type-checks a TypeScript user of the installed package; and a
// browser user: a page script importing the installed package, bundled with esbuild for the browser,
// runs in Debian's Chromium on the server's origin and receives a live message.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startServer } from './helpers.js';

const root = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tablecast-sdk-user-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('npm pack -> npm install into an empty folder -> plain node scripts receive live messages and video pictures; their types check', { timeout: 180_000 }, async () => {
  const tarballs = execFileSync(process.execPath, [join(root, 'scripts', 'pack-sdk.mjs'), '--out', join(dir, 'tarballs')], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(tarballs.length, 2);
  for (const t of tarballs) assert.ok(existsSync(t), t);
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }));
  // The user's install: the two tarballs and ws (Node 20 has no global WebSocket); from the registry
  // only their npm dependencies.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, 'ws@^8', 'typescript@^5', '@types/ws@^8', '@types/node@^20'], { cwd: app, stdio: 'pipe' });
  const installed = JSON.parse(readFileSync(join(app, 'node_modules', '@tablecast', 'client', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  assert.ok(installed.exports['.'], 'an exports map');
  assert.ok(existsSync(join(app, 'node_modules', '@tablecast', 'client', 'dist', 'index.d.ts')), 'type declarations');
  assert.ok(existsSync(join(app, 'node_modules', '@tablecast', 'client', 'README.md')), 'a README');
  assert.ok(existsSync(join(app, 'node_modules', '@tablecast', 'client', 'LICENSE')), 'the LICENSE');

  // The browser user's page comes from its own little web server (another origin, as a coach's tool
  // on a laptop would be), which the tablecast server lists in server.cors_origins.
  let pageBody = '';
  const pages = createHttpServer((req, res) => {
    if (req.url === '/sdk-user.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(pageBody);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk user</title><script type="module" src="/sdk-user.js"></script>');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const s = await startServer(0, { server: { cors_origins: [pageOrigin] } });
  try {
    writeFileSync(join(app, 'watch.mjs'), `
import { TablecastClient } from '@tablecast/client';
const client = new TablecastClient({ url: process.argv[2] }); // Node 20: the node entry finds ws
client.on('alert', (a, env) => { console.log(JSON.stringify({ seq: env.sequence, message: a.message })); client.close().then(() => process.exit(0)); });
await client.connect({ timeoutMs: 5000 });
await client.subscribe(['alert']);
console.log('subscribed');
`);
    const child = spawn(process.execPath, ['watch.mjs', s.ws], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!out.includes('subscribed') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    assert.ok(out.includes('subscribed'), `the script subscribed (stdout ${out}, stderr ${err})`);
    const r = await s.server.publish('alert', { level: 'info', message: 'from the packed SDK test', code: 'PACK' });
    assert.equal(await exited, 0, `the script exits 0 (stderr ${err})`);
    const line = JSON.parse(out.trim().split('\n').pop()!) as { seq: number; message: string };
    assert.deepEqual(line, { seq: r.sequence, message: 'from the packed SDK test' });

    // A browser user: the installed package bundled for the browser (its own `ws` never enters).
    writeFileSync(join(app, 'page.js'), `
import { TablecastClient } from '@tablecast/client';
const client = new TablecastClient({ url: new URLSearchParams(location.search).get('ws') });
window.__got = [];
await client.connect({ timeoutMs: 5000 });
const sub = client.subscription(['alert']);
sub.on('message', (a) => window.__got.push(a.message));
await sub.ready();
window.__ready = true;
`);
    const bundled = await build({ entryPoints: [join(app, 'page.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, absWorkingDir: app, logLevel: 'silent' });
    const code = bundled.outputFiles[0]!.text;
    assert.doesNotMatch(code, /TypeBox|@sinclair|from "ws"|require\("ws"\)/, 'no schemas and no ws in the browser bundle');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => errors.push(`console ${m.type()}: ${m.text()}`));
      pageBody = code;
      await page.goto(`${pageOrigin}/?ws=${encodeURIComponent(s.ws)}`);
      await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, undefined, { timeout: 10_000 }).catch((e: Error) => {
        throw new Error(`${e.message}: ${errors.join('; ')}`);
      });
      await s.server.publish('alert', { level: 'info', message: 'to the browser bundle', code: 'PACK' });
      await page.waitForFunction(() => (window as unknown as { __got: string[] }).__got.includes('to the browser bundle'), undefined, { timeout: 5000 });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  } finally {
    await s.server.close();
    pages.close();
  }

  // A TypeScript user: the declarations resolve through the exports map and type the payloads.
  writeFileSync(join(app, 'use.ts'), `
import { TablecastClient, readMjpeg, type StatePayload } from '@tablecast/client';
const c = new TablecastClient({ url: 'ws://localhost:8000/api/v1/ws' });
export const reading: Promise<void> = readMjpeg('http://localhost:8000/api/v1/stream/video', (p) => p.jpeg.byteLength + (p.frameNumber ?? 0));
// @ts-expect-error: a part's jpeg is bytes, not a string
export const wrong = (p: Parameters<Parameters<typeof readMjpeg>[1]>[0]) => p.jpeg.toUpperCase();
c.on('state', (s: StatePayload) => s.balls.map((b) => b.position.x.toFixed(2)));
// @ts-expect-error: 'balls' is not a stream
c.on('balls', () => undefined);
`);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2023', 'DOM'], types: ['node'] }, files: ['use.ts'] }));
  execFileSync(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, stdio: 'pipe' });

  // A video tool: the installed readMjpeg reads a live simulator's pictures with their frame numbers.
  const video = await startServer(0, { source: { spec: 'simulator', seed: 3 } });
  try {
    writeFileSync(join(app, 'video.mjs'), `
import { readMjpeg } from '@tablecast/client';
const stop = new AbortController();
const seen = [];
await readMjpeg(process.argv[2], (part) => {
  seen.push({ frame: part.frameNumber, jpeg: part.jpeg[0] === 0xff && part.jpeg[1] === 0xd8, captured: part.captureMs !== null });
  if (seen.length === 3) stop.abort();
}, { signal: stop.signal });
console.log(JSON.stringify(seen));
`);
    // Asynchronously: the server runs in this process.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['video.mjs', `${video.http}/api/v1/stream/video?quality=low`], { cwd: app, encoding: 'utf8', timeout: 20_000 });
    const seen = JSON.parse(out.trim()) as { frame: number; jpeg: boolean; captured: boolean }[];
    assert.equal(seen.length, 3);
    assert.ok(seen.every((p) => p.jpeg && p.captured && Number.isInteger(p.frame)), out);
    assert.ok(seen[0]!.frame < seen[2]!.frame, `frame numbers increase: ${out}`);
  } finally {
    await video.server.close();
  }
});
