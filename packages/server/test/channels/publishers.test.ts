// The example publishers (examples/python/publisher.py over `websockets`, examples/typescript/
// publisher.ts over the SDK) run as child processes against a real server with auth enabled: a
// subscriber on /ws/detection receives exactly what they publish, in order; a bad token ends them
// with the 4001 close; an invalid payload is reported with its field path and never broadcast.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type TestClient } from '../helpers/ws-client.js';
import type { Started } from '../helpers/server.js';
import { authSection, mint, startAuthServer } from '../helpers/auth-fixtures.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PY_EXAMPLE = `${ROOT}examples/python/publisher.py`;
const TS_EXAMPLE = `${ROOT}examples/typescript/publisher.ts`;

/** A Python interpreter that can import `websockets` (the pyenv shim may lack Debian's package). */
function findPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import websockets'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

interface Run {
  code: number | null;
  lines: Record<string, unknown>[];
  stderr: string;
}

function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, stderr: err });
    });
  });
}

const clients: TestClient[] = [];
const servers: Started[] = [];
let s: Started;
let feed: TestClient;
let wsUrl: string;
let publisherToken: string;
before(async () => {
  s = await startAuthServer(authSection());
  servers.push(s);
  wsUrl = s.ws;
  publisherToken = await mint('vision-1', { role: 'publisher' });
  feed = await connect(s.url, {}, { path: '/ws/detection' });
  clients.push(feed);
  await feed.nextOf('subscribed');
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((x) => x.close()));
});

const python = findPython();

test('python and typescript example publishers: /ws/detection receives what they publish', { skip: python ? false : 'no python3 with the websockets package' }, async () => {
  const [py, ts] = await Promise.all([
    run(python!, [PY_EXAMPLE, '--url', wsUrl, '--token', publisherToken, '--count', '4', '--event-type', 'card_detected']),
    run(process.execPath, ['--import', 'tsx', TS_EXAMPLE, '--url', wsUrl, '--token', publisherToken, '--count', '3', '--event-type', 'chip_moved']),
  ]);
  for (const [name, r, n] of [['python', py, 4], ['typescript', ts, 3]] as const) {
    assert.equal(r.code, 0, `${name} exits 0; stderr: ${r.stderr.slice(0, 500)}`);
    assert.equal(r.lines[0]!.type, 'connected');
    assert.equal(r.lines[0]!.role, 'publisher');
    const pubs = r.lines.filter((l) => l.type === 'published');
    assert.equal(pubs.length, n, `${name} published ${n}`);
    assert.deepEqual(r.lines.at(-1), { type: 'done', published: n, refused: 0 });
  }
  await feed.until(() => feed.of('detection').length >= 7, 5000, '7 detections');
  const got = feed.of('detection');
  const fromPy = got.filter((m) => m.data.event_type === 'card_detected');
  const fromTs = got.filter((m) => m.data.event_type === 'chip_moved');
  assert.deepEqual(fromPy.map((m) => m.data.data.index), [0, 1, 2, 3], 'python events in order');
  assert.deepEqual(fromTs.map((m) => m.data.data.index), [0, 1, 2], 'typescript events in order');
  assert.deepEqual(fromPy.map((m) => m.sequence), py.lines.filter((l) => l.type === 'published').map((l) => l.sequence), 'sequences match the published replies');
  assert.deepEqual(fromTs.map((m) => m.sequence), ts.lines.filter((l) => l.type === 'published').map((l) => l.sequence));
  assert.deepEqual(got.map((m) => m.sequence), Array.from({ length: got.length }, (_, i) => i + 1), 'gapless');
});

test('example publishers report refusals: bad token -> 4001, invalid payload -> error with path, nothing broadcast', { skip: python ? false : 'no python3 with the websockets package' }, async () => {
  const before = feed.of('detection').length;
  const subscriberToken = await mint('viewer', { role: 'subscriber' });
  const [pyBad, tsBad, pyInvalid, tsInvalid, pyForbidden] = await Promise.all([
    run(python!, [PY_EXAMPLE, '--url', wsUrl, '--token', 'wrong-token-0000', '--count', '1']),
    run(process.execPath, ['--import', 'tsx', TS_EXAMPLE, '--url', wsUrl, '--token', 'wrong-token-0000', '--count', '1']),
    run(python!, [PY_EXAMPLE, '--url', wsUrl, '--token', publisherToken, '--count', '1', '--severity', 'loud']),
    run(process.execPath, ['--import', 'tsx', TS_EXAMPLE, '--url', wsUrl, '--token', publisherToken, '--count', '1', '--severity', 'loud']),
    run(python!, [PY_EXAMPLE, '--url', wsUrl, '--token', subscriberToken, '--count', '1']),
  ]);
  for (const r of [pyBad, tsBad]) {
    assert.equal(r.code, 2);
    assert.equal(r.lines.at(-1)!.type, 'closed');
    assert.equal(r.lines.at(-1)!.code, 4001);
  }
  for (const r of [pyInvalid, tsInvalid]) {
    assert.equal(r.code, 1);
    const e = r.lines.find((l) => l.type === 'error')!;
    assert.equal(e.code, 'INVALID_PAYLOAD');
    assert.equal((e.details as { path: string }).path, 'data.severity');
  }
  assert.equal(pyForbidden.code, 1);
  assert.equal(pyForbidden.lines.find((l) => l.type === 'error')!.code, 'FORBIDDEN', 'a subscriber token may not publish');
  await feed.barrier();
  assert.equal(feed.of('detection').length, before, 'nothing was broadcast');
});
