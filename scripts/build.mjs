#!/usr/bin/env node
// Builds the release: every package's src/**/*.ts to dist/**/*.js (ESM, Node 20, with source maps;
// esbuild, one file per module, import paths unchanged) and the dashboard (apps/web/dist). What
// `tablecast serve` / `npm start` run afterwards is plain JavaScript: no tsx, no TypeScript.
// Type checking is `npm run typecheck`; the SDK's .d.ts come from scripts/pack-sdk.mjs.
// Runs as `prepare` after `npm install` / `npm ci`; without the dev dependencies (npm ci --omit=dev
// on a copy that already holds dist/) it says so and leaves dist/ as it is.
// Usage: node scripts/build.mjs [--no-web]
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  console.log('build: skipped (esbuild, a dev dependency, is not installed; dist/ is used as it is)');
  process.exit(0);
}

/** Every .ts file below dir. */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

const started = Date.now();
let files = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  if (!existsSync(src)) continue;
  const out = join(root, 'packages', pkg, 'dist');
  rmSync(out, { recursive: true, force: true });
  const entryPoints = sources(src);
  await esbuild.build({
    entryPoints, outdir: out, outbase: src, bundle: false, format: 'esm', platform: 'node', target: 'node20',
    sourcemap: true, logLevel: 'warning',
  });
  files += entryPoints.length;
}
console.log(`build: ${files} modules of packages/* to dist/ in ${Date.now() - started} ms`);
if (!process.argv.includes('--no-web')) {
  execFileSync('npm', ['run', 'build', '-w', 'apps/web', '--silent'], { cwd: root, stdio: 'inherit' });
  console.log(`build: dashboard in ${relative(root, join(root, 'apps', 'web', 'dist'))}/`);
}
