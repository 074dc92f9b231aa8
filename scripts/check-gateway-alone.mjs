#!/usr/bin/env node
// Proves the gateway engine stands alone (issue 13): copies packages/protocol, common and gateway
// (nothing else of ours) into an empty folder, links the npm dependencies, then type-checks the
// gateway there and runs its test suite. Fails when the gateway needs the pipeline, physics,
// vision, the server's auth or channels, or anything else outside those three packages.
// Usage: node scripts/check-gateway-alone.mjs
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const KEEP = ['protocol', 'common', 'gateway'];
const dir = mkdtempSync(join(tmpdir(), 'tablecast-gateway-alone-'));
let code = 1;
try {
  for (const p of KEEP) {
    cpSync(join(root, 'packages', p), join(dir, 'packages', p), { recursive: true, filter: (src) => !src.includes('node_modules') && !/[\\/]dist([\\/]|$)/.test(src) });
  }
  cpSync(join(root, 'tsconfig.base.json'), join(dir, 'tsconfig.base.json'));
  // tsx maps the package names to their sources through the `paths` of the tsconfig in its cwd.
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: './tsconfig.base.json' }));
  // node_modules: every npm package of the repository, and @tablecast/* for the three copies only.
  mkdirSync(join(dir, 'node_modules', '@tablecast'), { recursive: true });
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === '@tablecast' || name === '.bin') continue;
    symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name));
  }
  for (const p of KEEP) symlinkSync(join(dir, 'packages', p), join(dir, 'node_modules', '@tablecast', p));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const typecheck = spawnSync(process.execPath, [tsc, '-p', join(dir, 'packages', 'gateway', 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
  if (typecheck.status !== 0) throw new Error('the gateway does not type-check without the other packages');
  const tests = [];
  const walk = (d) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, f.name);
      if (f.isDirectory()) walk(full);
      else if (f.name.endsWith('.test.ts')) tests.push(full);
    }
  };
  walk(join(dir, 'packages', 'gateway', 'test'));
  if (tests.length === 0 || !existsSync(join(dir, 'node_modules', 'tsx'))) throw new Error('no gateway tests found');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...tests], { cwd: dir, stdio: 'inherit' });
  if (run.status !== 0) throw new Error('the gateway tests fail without the other packages');
  console.log(`gateway alone: type-check and ${tests.length} test files pass with only ${KEEP.join(', ')} present`);
  code = 0;
} catch (err) {
  console.error(`gateway alone: ${err.message}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
