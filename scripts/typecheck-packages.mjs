#!/usr/bin/env node
// Type-checks every package with its own tsconfig (lib DOM only where a package runs in a browser:
// protocol, client, apps/web), two at a time, after the root check of bench/, scripts/ and examples/.
// Usage: node scripts/typecheck-packages.mjs
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const projects = ['packages', 'apps'].flatMap((d) => readdirSync(join(root, d)).map((p) => join(d, p, 'tsconfig.json'))).filter((p) => existsSync(join(root, p)));

/** Runs tsc for one project; resolves with its exit code. */
function check(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', project, '--noEmit'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      console.log(`${code === 0 ? 'ok  ' : 'FAIL'} ${project}`);
      if (out) process.stdout.write(out);
      resolve(code ?? 1);
    });
  });
}

let failed = 0;
const queue = [...projects];
await Promise.all([0, 1].map(async () => {
  for (let p = queue.shift(); p; p = queue.shift()) if ((await check(p)) !== 0) failed++;
}));
process.exit(failed === 0 ? 0 : 1);
