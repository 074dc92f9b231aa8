// A start that cannot work fails at once (issue 14, point 3): the CLI, run as a child process, exits
// 1 with one line naming the problem, before binding its port, for a missing source file, a missing
// ffmpeg, a missing background image and an unknown source kind. Readiness is 503 while a source
// that did start has never produced a detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { TABLE_W_BALLS } from '../../../vision/test/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { freePort, startServer } from '../helpers/server.js';

/** Whether something accepts connections on `port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

const CASES: { what: string; args: string[]; env?: Record<string, string>; line: RegExp }[] = [
  { what: 'missing image', args: ['--source', 'image:/nonexistent/table.jpg'], line: /^source: image \/nonexistent\/table\.jpg does not exist or cannot be read$/ },
  { what: 'missing video file', args: ['--source', 'video:/nonexistent/match.mp4'], line: /video file \/nonexistent\/match\.mp4 does not exist/ },
  { what: 'missing replay', args: ['--source', 'replay:/nonexistent/session.ndjson'], line: /replay file/ },
  { what: 'missing ffmpeg', args: ['--source', `video:${TABLE_W_BALLS}`], env: { TABLECAST__SOURCE__FFMPEG_PATH: '/nonexistent/ffmpeg' }, line: /needs ffmpeg, and "\/nonexistent\/ffmpeg" was not found .*source\.ffmpeg_path/ },
  { what: 'missing background', args: ['--source', `image:${TABLE_W_BALLS}`], env: { TABLECAST__SOURCE__BACKGROUND: '/nonexistent/empty.jpg' }, line: /background image \/nonexistent\/empty\.jpg/ },
  { what: 'unknown kind', args: ['--source', 'webcam:0'], line: /unknown kind "webcam"/ },
];

for (const c of CASES) {
  test(`serve with a ${c.what}: exit 1 with one line, port never bound`, async () => {
    const port = await freePort();
    const proc = runCli(['serve', '--port', String(port), '--host', '127.0.0.1', ...c.args], c.env);
    const t0 = performance.now();
    const { code, at } = await proc.exited;
    assert.equal(code, 1, `exit code (stderr: ${proc.stderr()})`);
    assert.ok(at - t0 < 15_000, `exited after ${(at - t0).toFixed(0)} ms`);
    const lines = proc.stderr().split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, `one line: ${JSON.stringify(lines)}`);
    assert.match(lines[0]!, c.line);
    assert.equal(await listening(port), false);
  });
}

test('readiness tells the truth: 503 while the pipeline has never produced a detection, 200 once it has', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tablecast-ready-'));
  const blank = join(dir, 'no-table.jpg');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toFile(blank);
  const broken = await startServer({ source: { spec: `image:${blank}` } });
  const good = await startServer({ source: { spec: `image:${TABLE_W_BALLS}` } });
  try {
    // A photo without a table: the source starts, fails to calibrate, is retried; never ready.
    await new Promise((r) => setTimeout(r, 1500));
    const r = await fetch(`${broken.url}/api/v1/health/ready`);
    const body = (await r.json()) as { ready: boolean; reason?: string };
    assert.equal(r.status, 503);
    assert.equal(body.ready, false);
    assert.match(body.reason ?? '', /has not produced a detection/);
    assert.equal((await fetch(`${broken.url}/api/v1/health/live`)).status, 200, 'alive all the same');
    // The real photo: ready after its first detection.
    const start = Date.now();
    let status = 0;
    while (Date.now() - start < 20_000 && status !== 200) {
      status = (await fetch(`${good.url}/api/v1/health/ready`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200);
  } finally {
    await broken.close();
    await good.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [format, env] of [['json (not a terminal)', {}], ['pretty (asked for)', { TABLECAST__SERVER__LOG_FORMAT: 'pretty' }]] as const) {
  test(`logs: ${format}; a WebSocket client coming and going is one line each`, async () => {
    const port = await freePort();
    const proc = runCli(['serve', '--port', String(port), '--host', '127.0.0.1', '--source', 'none'], env);
    try {
      const start = Date.now();
      while (!proc.stdout().includes('tablecast listening on') && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 50));
      // Client errors are no stack traces on the terminal.
      await fetch(`http://127.0.0.1:${port}/api/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
      await fetch(`http://127.0.0.1:${port}/api/v1/nope`);
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws?client_id=log-test`);
      await new Promise((r) => ws.once('open', r));
      ws.close();
      while (!proc.stdout().includes('client disconnected') && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 50));
      const lines = proc.stdout().split('\n').filter(Boolean);
      const conn = lines.find((l) => l.includes('client connected'))!;
      const disc = lines.find((l) => l.includes('client disconnected'))!;
      assert.ok(conn && disc, `open and close logged:\n${proc.stdout()}`);
      if ('TABLECAST__SERVER__LOG_FORMAT' in env) {
        assert.ok(!conn.startsWith('{'), `human-readable: ${conn}`);
        assert.match(conn, /INFO/);
        // One line per event, its fields on the same line.
        assert.match(conn, /"client_id":"log-test".*"address":"127\.0\.0\.1"/);
        assert.match(disc, /"client_id":"log-test".*"code":1005/);
      } else {
        for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `JSON line: ${l}`);
        assert.equal((JSON.parse(disc) as { client_id: string; code: number }).client_id, 'log-test');
        assert.equal((JSON.parse(disc) as { code: number }).code, 1005);
      }
      assert.ok(!lines.some((l) => /"msg":"incoming request"|request completed/.test(l)), 'no per-request info lines');
      assert.ok(!/stack|at .*\.js:\d+/.test(proc.stdout()), `no stack traces:\n${proc.stdout()}`);
      assert.ok(!/FSTDEP/.test(proc.stderr()), `no deprecation warnings: ${proc.stderr()}`);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
}

test('CLI: --version and help on stdout (exit 0) with flags, environment and config keys; typos get "did you mean"', async () => {
  const run = async (args: string[]) => {
    const p = runCli(args);
    const { code } = await p.exited;
    return { code, out: p.stdout(), err: p.stderr() };
  };
  const v = await run(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.out, /^tablecast \d+\.\d+\.\d+ \(protocol [\d.]+, Node\.js v\d+/);
  for (const args of [['--help'], ['serve', '--help'], ['serve', '-h']]) {
    const h = await run(args);
    assert.equal(h.code, 0, args.join(' '));
    assert.equal(h.err, '', 'help goes to stdout');
    assert.match(h.out, /--port N/);
    assert.match(h.out, /TABLECAST__SECTION__KEY/);
    assert.match(h.out, /TABLECAST_SOURCE/);
  }
  const r = await run(['record', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /--streams LIST/);
  const cmd = await run(['serv']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.err, /^unknown command serv \(did you mean serve\?\)/);
  const opt = await run(['serve', '--prot', '9000']);
  assert.equal(opt.code, 1);
  assert.match(opt.err, /^unknown option --prot \(did you mean --port\?\)/);
});
