// A release, not a checkout (issue 14): the build (scripts/build.mjs) copied with the package
// manifests into an empty folder, `npm ci --omit=dev` there (its `prepare` finds no dev tools and
// keeps dist/), then the `tablecast` command run as a child process with plain node: --version and
// --help on stdout, `serve` with the simulator becomes ready and serves the dashboard, SIGTERM exits
// 0. No tsx, TypeScript, esbuild, Vite or Socket.IO is installed there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from '@tablecast/gateway/testing';
import { ROOT } from '../helpers/cli.js';

let dir = '';
/** The environment of a user's shell: no test-runner NODE_OPTIONS, no TABLECAST_* of the parent. */
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TABLECAST') && k !== 'NODE_OPTIONS' && !k.startsWith('NODE_TEST')) env[k] = v;

before(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--no-web'], { cwd: ROOT, stdio: 'pipe' });
  assert.ok(existsSync(join(ROOT, 'apps', 'web', 'dist', 'index.html')), 'the dashboard is built (npm install / scripts/setup-test.sh)');
  dir = mkdtempSync(join(tmpdir(), 'tablecast-release-'));
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f));
  for (const name of readdirSync(join(ROOT, 'packages'))) {
    const from = join(ROOT, 'packages', name);
    mkdirSync(join(dir, 'packages', name), { recursive: true });
    for (const part of ['package.json', 'dist', 'bin']) if (existsSync(join(from, part))) cpSync(join(from, part), join(dir, 'packages', name, part), { recursive: true });
  }
  mkdirSync(join(dir, 'apps', 'web'), { recursive: true });
  cpSync(join(ROOT, 'apps', 'web', 'package.json'), join(dir, 'apps', 'web', 'package.json'));
  cpSync(join(ROOT, 'apps', 'web', 'dist'), join(dir, 'apps', 'web', 'dist'), { recursive: true });
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(ROOT, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'));
  const out = execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8', stdio: 'pipe' });
  assert.match(out, /build: skipped/, 'prepare keeps the shipped dist/ when the dev tools are absent');
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('npm ci --omit=dev installs no dev tool', () => {
  for (const dev of ['tsx', 'typescript', 'esbuild', 'vite', 'socket.io', 'socket.io-client', 'playwright-core']) {
    assert.equal(existsSync(join(dir, 'node_modules', dev)), false, `${dev} is not installed`);
  }
  assert.ok(existsSync(join(dir, 'node_modules', '.bin', 'tablecast')), 'the tablecast command is linked');
});

test('npx tablecast --version and tablecast serve --help answer on stdout with exit 0', () => {
  const bin = join(dir, 'node_modules', '.bin', 'tablecast');
  assert.match(execFileSync('npx', ['--no-install', 'tablecast', '--version'], { cwd: dir, env, encoding: 'utf8' }), /^tablecast \d+\.\d+\.\d+ \(protocol /);
  const help = execFileSync(bin, ['serve', '--help'], { cwd: dir, env, encoding: 'utf8' });
  assert.match(help, /--source/);
  assert.match(help, /TABLECAST__/);
});

test('tablecast serve runs the simulator from the built code: ready, dashboard served, SIGTERM exits 0', async () => {
  const port = await freeTcpPort();
  // What `npx tablecast` runs (npx itself, killed, would exit by the signal rather than forward it).
  const child = spawn(join(dir, 'node_modules', '.bin', 'tablecast'), ['serve', '--port', String(port), '--host', '127.0.0.1', '--source', 'simulator'], {
    cwd: dir, env: { ...env, TABLECAST__SERVER__LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const start = Date.now();
    let ready = 0;
    while (ready !== 200) {
      if (Date.now() - start > 30_000) throw new Error(`not ready after 30 s: ${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`).then((r) => r.status, () => 0);
    }
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<canvas|<div id=/, 'the dashboard page');
    const state = await (await fetch(`http://127.0.0.1:${port}/api/v1/game/state`)).json() as { balls?: unknown[] };
    assert.ok(Array.isArray(state.balls) && state.balls.length > 0, 'the pipeline (source and trajectory workers from dist/) produces a table');
    assert.doesNotMatch(output, /tsx|ERR_UNKNOWN_FILE_EXTENSION/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output.slice(-2000));
});

test("every package export is built from the source tsconfig paths map it to (tsx and tsc use one, node the other)", () => {
  const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
  const paths = base.compilerOptions.paths;
  const seen = new Set<string>();
  for (const name of readdirSync(join(ROOT, 'packages'))) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string> };
    for (const [sub, target] of Object.entries(pkg.exports)) {
      const spec = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      seen.add(spec);
      assert.match(target, /^\.\/dist\/.+\.js$/, `${spec} exports built JavaScript`);
      const source = `./packages/${name}/${target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`;
      assert.deepEqual(paths[spec], [source], `tsconfig.base.json paths["${spec}"]`);
      assert.ok(existsSync(join(ROOT, source)), source);
      assert.ok(existsSync(join(dir, 'packages', name, target)), `${spec}: ${target} is built`);
    }
  }
  assert.deepEqual(Object.keys(paths).filter((p) => !seen.has(p)), [], 'no paths entry without an export');
});
