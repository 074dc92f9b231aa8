/**
 * Architecture rules, checked by `npm run check` (dependency-cruiser): arrows point down.
 *
 *   apps/web ──> client ──> protocol
 *   server ──> gateway, pipeline, protocol, common, vision, physics
 *   pipeline ──> physics, vision, protocol, common
 *   gateway ──> protocol, common            (stream-agnostic: never the pipeline or the server)
 *   vision, physics ──> protocol            common, protocol ──> nothing of ours
 *
 * Another package is reached only through its entry points (`src/index.ts`, and the gateway's
 * `src/redis.ts` and `src/testing.ts` subpath exports); no module or folder cycles; every npm
 * import is listed in the importing package's own package.json.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * The files packages expose, as one path regex: the sources of their exports maps (a package
 * exports `./dist/X.js`, built from `src/X.ts`; in the repository tsconfig.base.json `paths` map each
 * package name to that source, and so do tsx and this check).
 */
function entryPoints() {
  const files = [];
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, dir))) {
      const pj = join(ROOT, dir, name, 'package.json');
      if (!existsSync(pj)) continue;
      const exp = JSON.parse(readFileSync(pj, 'utf8')).exports ?? {};
      for (const target of Object.values(exp)) {
        const t = typeof target === 'string' ? target : (target.import ?? target.default ?? '');
        const source = t.replace(/^\.\/dist\/(.*)\.js$/, './src/$1.ts');
        if (source) files.push(`${dir}/${name}/${source.replace(/^\.\//, '')}`.replace(/[.]/g, '\\.'));
      }
    }
  }
  return `^(${files.join('|')})$`;
}

const ENTRY = entryPoints();
const layer = (pkg, allowed) => ({
  name: `layers-${pkg}`,
  comment: `${pkg} may import only ${allowed.join(', ') || 'nothing of ours'}`,
  severity: 'error',
  from: { path: `^packages/${pkg}/src/` },
  to: { path: '^(packages|apps)/[^/]+/', pathNot: [`^packages/(${[pkg, ...allowed].join('|')})/`] },
});

export default {
  forbidden: [
    layer('protocol', []),
    layer('common', []),
    layer('physics', ['protocol']),
    layer('vision', ['protocol', 'physics']),
    layer('gateway', ['protocol', 'common']),
    layer('pipeline', ['protocol', 'common', 'physics', 'vision']),
    layer('client', ['protocol']),
    layer('server', ['protocol', 'common', 'physics', 'vision', 'gateway', 'pipeline']),
    {
      name: 'web-uses-sdk',
      severity: 'error',
      from: { path: '^apps/web/src/' },
      to: { path: '^(packages|apps)/', pathNot: ['^apps/web/', '^packages/(client|protocol)/', '^packages/vision/src/homography\\.ts$'] },
    },
    {
      name: 'entry-points-only',
      comment: "another package's modules are reached only through its entry points (its exports map)",
      severity: 'error',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { path: '^(packages|apps)/[^/]+/src/', pathNot: ['^$1/$2/', ENTRY] },
    },
    {
      name: 'bench-uses-entry-points',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^(packages|apps)/[^/]+/src/', pathNot: [ENTRY] },
    },
    {
      name: 'gateway-tests-stand-alone',
      comment: 'the gateway builds and its tests pass without the pipeline, physics, vision or the server',
      severity: 'error',
      from: { path: '^packages/gateway/' },
      to: { path: '^(packages|apps)/[^/]+/', pathNot: ['^packages/(gateway|protocol|common)/'] },
    },
    { name: 'no-circular', severity: 'error', from: { path: '^(packages|apps)/' }, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
    { name: 'no-folder-cycle', severity: 'error', scope: 'folder', from: { path: '^(packages|apps)/[^/]+/src' }, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
    { name: 'npm-deps-listed', comment: 'an npm package must be in the importing package.json', severity: 'error', from: { path: '^(packages|apps)/[^/]+/src/' }, to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] } },
    { name: 'no-dev-deps-in-src', severity: 'error', from: { path: '^(packages|apps)/[^/]+/src/', pathNot: '/testing(\\.ts|/)' }, to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|test-output)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
    combinedDependencies: false,
  },
};
