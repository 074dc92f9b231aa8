#!/usr/bin/env node
// Builds the SDK packages (@tablecast/protocol, @tablecast/client) to ESM JavaScript with .d.ts and
// packs them as npm tarballs: what a user installs. In the repository the packages point at their
// TypeScript sources (tsx, Vite); a tarball's package.json points at dist/ instead.
// Usage: node scripts/pack-sdk.mjs [--out DIR]   (default build/npm); prints the tarball paths.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outIdx = process.argv.indexOf('--out');
const out = resolve(outIdx > 0 ? process.argv[outIdx + 1] : join(root, 'build', 'npm'));
const PACKAGES = ['protocol', 'client'];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const versions = Object.fromEntries(PACKAGES.map((p) => {
  const pj = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8'));
  return [pj.name, pj.version];
}));

mkdirSync(out, { recursive: true });
const tarballs = [];
for (const p of PACKAGES) {
  const dir = join(root, 'packages', p);
  const stage = join(out, 'stage', p);
  rmSync(stage, { recursive: true, force: true });
  // In the repository tsconfig `paths` map @tablecast/* to their sources; a package built for npm
  // must see its siblings as the user will: their built declarations (packed before it).
  const project = join(stage, 'tsconfig.pack.json');
  mkdirSync(stage, { recursive: true });
  const siblings = {};
  for (const q of PACKAGES.filter((x) => x !== p)) {
    const exp = JSON.parse(readFileSync(join(root, 'packages', q, 'package.json'), 'utf8')).exports;
    for (const [sub, target] of Object.entries(exp)) {
      siblings[sub === '.' ? `@tablecast/${q}` : `@tablecast/${q}/${sub.slice(2)}`] = [join(out, 'stage', q, target.replace(/\.js$/, '.d.ts'))];
    }
  }
  writeFileSync(project, JSON.stringify({ extends: join(dir, 'tsconfig.build.json'), compilerOptions: { paths: siblings, outDir: join(stage, 'dist') } }));
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  rmSync(project);
  const src = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // `ws` is for Node 20 users only (Node 22 and browsers have WebSocket): an optional peer.
  const deps = Object.fromEntries(Object.entries(src.dependencies ?? {}).filter(([n]) => n !== 'ws').map(([n, v]) => [n, versions[n] ? `^${versions[n]}` : v]));
  const peers = src.dependencies?.ws ? { peerDependencies: { ws: src.dependencies.ws }, peerDependenciesMeta: { ws: { optional: true } } } : {};
  const pkg = {
    name: src.name,
    version: src.version,
    description: src.description,
    license: src.license ?? 'UNLICENSED',
    type: 'module',
    main: './dist/index.js',
    types: './dist/index.d.ts',
    // A package with a src/node.ts (the client) gives Node.js its own entry under the `node`
    // condition (it finds `ws` on Node 20); browsers and bundlers take `default`.
    exports: Object.fromEntries(Object.entries(src.exports).map(([sub, target]) => [sub, {
      types: target.replace(/\.js$/, '.d.ts'),
      ...(sub === '.' && existsSync(join(dir, 'src', 'node.ts')) ? { node: './dist/node.js' } : {}),
      import: target,
      default: target,
    }])),
    files: ['dist', 'README.md', 'LICENSE'],
    sideEffects: false,
    engines: { node: '>=20.19' },
    dependencies: deps,
    ...peers,
  };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  if (existsSync(join(dir, 'README.md'))) cpSync(join(dir, 'README.md'), join(stage, 'README.md'));
  cpSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
  tarballs.push(join(out, name));
}
console.log(tarballs.join('\n'));
