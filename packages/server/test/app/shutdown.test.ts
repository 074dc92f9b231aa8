// Shutdown: the CLI as a child process (`serve --port <free> --source none`); on SIGTERM a connected
// client is closed with 1001 (going away) and the process exits with 0 within 5 s. In-process,
// close() does the same for every client and the server accepts no new connections after it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { runCli, waitHttpOk, type CliProcess } from '../helpers/cli.js';
import { alertPayload, freePort, startServer } from '../helpers/server.js';

const procs: CliProcess[] = [];
const clients: TestClient[] = [];
after(async () => {
  for (const c of clients) c.ws.terminate();
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

test('SIGTERM: clients get close 1001 and the process exits within 5 s', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const proc = runCli(['serve', '--port', String(port), '--host', '127.0.0.1', '--source', 'none'], { TABLECAST__SERVER__SERVE_WEB: 'false' });
  procs.push(proc);
  await waitHttpOk(`http://127.0.0.1:${port}/api/v1/health/live`, proc);
  const a = await connect(`ws://127.0.0.1:${port}/api/v1/ws`);
  const b = await connect(`ws://127.0.0.1:${port}/api/v1/websocket/ws`);
  clients.push(a, b);
  await a.subscribe(['alert']);
  const sent = performance.now();
  proc.child.kill('SIGTERM');
  const [ia, ib, exit] = await Promise.all([a.closed, b.closed, proc.exited]);
  assert.equal(ia.code, 1001, `client on /api/v1/ws closed with 1001 (got ${ia.code} ${ia.reason})`);
  assert.equal(ib.code, 1001, 'client on /api/v1/websocket/ws closed with 1001');
  assert.ok(Buffer.byteLength(ia.reason) < 123);
  assert.equal(exit.code, 0, `exit code 0 (stderr: ${proc.stderr().slice(-500)})`);
  assert.ok(exit.at - sent < 5000, `exited ${(exit.at - sent).toFixed(0)} ms after SIGTERM (< 5000)`);
});

test('close(): every client gets 1001; nothing is accepted afterwards', async () => {
  const s = await startServer();
  const cs = await Promise.all([connect(s.ws), connect(s.ws, { encoding: 'msgpack' }), connect(s.ws)]);
  clients.push(...cs);
  await cs[0]!.subscribe(['alert']);
  await s.server.publish('alert', alertPayload('last words'));
  await cs[0]!.nextOf('alert');
  const closing = s.close();
  const infos = await Promise.all(cs.map((c) => c.closed));
  assert.deepEqual(infos.map((i) => i.code), [1001, 1001, 1001]);
  await closing;
  await assert.rejects(connect(s.ws), 'no connection after close');
});
