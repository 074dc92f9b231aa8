// The Node.js range the server starts on (node-version.ts, imported first by the CLI): the one the
// README and package.json `engines` state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { nodeSupported, SUPPORTED_NODE } from '../../src/node-version.js';

test('supported Node.js versions: 20.19+ and 22.12+; older ones, 21 and unparsable ones are refused', () => {
  for (const v of ['20.19.0', '20.20.2', '22.12.0', '22.20.1', '24.0.0', '26.1.0']) assert.equal(nodeSupported(v), true, v);
  for (const v of ['18.20.4', '20.10.0', '20.18.9', '21.7.3', '22.11.0', 'v20', '']) assert.equal(nodeSupported(v), false, v);
  assert.equal(nodeSupported(process.versions.node), true, 'the Node.js running this suite');
});

test('package.json engines and the README state the same range', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, SUPPORTED_NODE);
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  assert.match(readme, /Node\.js 20\.19\+ or 22\.12\+/);
});

test('every runtime dependency declares support for the lowest stated versions (20.19.0 and 22.12.0)', () => {
  // `npm ls --omit=dev` lists what `npm ci --omit=dev` installs; a package whose `engines` exclude
  // one of the versions the README states would make that statement false (npm warns EBADENGINE).
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const dirs = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
  assert.ok(dirs.length > 50, 'npm ls lists the installed tree');
  const excluded: string[] = [];
  for (const dir of new Set(dirs)) {
    let pkg: { name: string; version: string; engines?: { node?: string } };
    try {
      pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as typeof pkg;
    } catch {
      continue; // the workspace root's own entry
    }
    const range = pkg.engines?.node;
    const name = `${pkg.name}@${pkg.version}`;
    if (range === undefined) continue;
    for (const v of ['20.19.0', '22.12.0']) if (!semver.satisfies(v, range)) excluded.push(`${name} (engines.node ${range}) excludes ${v}`);
  }
  assert.deepEqual(excluded, []);
});
