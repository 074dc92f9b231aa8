// Hardening (issue 16): single inputs that used to stop the server, poison a stream, take over a
// client id, leak a credential into the log, or change state without a credential. Real servers on
// port 0, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { PassThrough } from 'node:stream';
import { pack } from 'msgpackr';
import { CloseCode } from '@tablecast/protocol';
import WebSocket from 'ws';
import { tracked } from '../helpers/fixtures.js';
import { createServer } from '../../src/index.js';
import { fuzzHttp } from '../../src/testing/index.js';
import { alertPayload, startServer, waitFor } from '../helpers/server.js';
import { connect } from '../helpers/ws-client.js';
import { KEYS, SECRET, attempt, authSection, mint, startAuthServer } from '../helpers/auth-fixtures.js';

const { server, client, servers, clients } = tracked();

/** Sends a raw HTTP upgrade for `path` and resolves with the status code of the answer. */
function rawUpgrade(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = netConnect(port, '127.0.0.1', () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m) {
        sock.destroy();
        resolve(Number(m[1]));
      }
    });
    sock.on('error', reject);
    setTimeout(() => reject(new Error(`no answer to the upgrade of ${path}`)), 3000).unref();
  });
}

export const MALFORMED_PATHS = ['/ws/%ZZ', '/ws/%', '/ws/%E0%A4%A', '/ws/abc%C0', '/ws/%ZZ/', '/ws/%/', '/ws/%E0%A4%A/', '/ws/abc%C0/'];

for (const auth of [false, true]) {
  test(`a malformed percent-encoding in an upgrade path is a 400 and the server keeps serving (auth ${auth ? 'on' : 'off'})`, async () => {
    const s = auth ? await startAuthServer(authSection()) : await server();
    if (auth) servers.push(s);
    for (const path of MALFORMED_PATHS) {
      assert.equal(await rawUpgrade(s.port, path), 400, `upgrade ${path}`);
      assert.equal(await rawUpgrade(s.port, `/api/v1/ws?client_id=${path.slice(4)}&token=%ZZ`), auth ? 101 : 101, 'a bad query value is not fatal');
    }
    const res = await fetch(`${s.url}/api/v1/health/live`);
    assert.equal(res.status, 200, 'the server still answers');
    // A well-formed encoding still reaches the user channel (and is decoded for the subject check).
    if (auth) {
      const a = await attempt(s, '/ws/al%69ce', await mint('alice', { role: 'subscriber' }));
      assert.ok(a.open, 'the percent-encoded user id decodes to the token subject');
      clients.push(a.client);
    }
  });
}

test('a msgpack publisher cannot poison a reliable stream: BigInt/NaN/Date payloads are INVALID_PAYLOAD and take no sequence', async () => {
  const s = await startAuthServer({ enabled: false }, { publish: { api_keys: [KEYS.legacyPublish] } });
  servers.push(s);
  const live = await client(s);
  await live.subscribe(['alert']);
  const pub = await client(s, { encoding: 'msgpack', token: KEYS.legacyPublish });
  const first = await pub.request(pack({ type: 'publish', data: { stream: 'alert', data: alertPayload('before') } }), 'published');
  assert.equal(first.type, 'published');
  const seq0 = first.data.sequence as number;
  const bad: [string, unknown][] = [
    ['data.details.n', 2n ** 60n],
    ['data.details.n', Number.NaN],
    ['data.details.n', new Date(0)],
    ['data.details.n', new Uint8Array([1, 2])],
    ['data.details.n.0', [undefined]],
  ];
  for (const [path, value] of bad) {
    const r = await pub.request(pack({ type: 'publish', data: { stream: 'alert', data: alertPayload('bad', 'info', { details: { n: value } }) } }), 'published');
    assert.equal(r.type, 'error', `${String(value)} refused`);
    assert.equal(r.data.code, 'INVALID_PAYLOAD');
    assert.equal(r.data.details.path, path, `the error names ${path}: ${r.data.message as string}`);
  }
  const after = await pub.request(pack({ type: 'publish', data: { stream: 'alert', data: alertPayload('after') } }), 'published');
  assert.equal(after.data.sequence, seq0 + 1, 'the refused payloads took no sequence number');
  // Live delivery saw both good messages, gapless.
  await live.until(() => live.of('alert').length === 2, 3000, 'two alerts');
  assert.deepEqual(live.of('alert').map((m) => m.sequence), [seq0, seq0 + 1]);
  // History and resume still work, for a JSON and a msgpack subscriber.
  for (const encoding of ['json', 'msgpack']) {
    const late = await client(s, { encoding });
    const sub = await late.subscribe(['alert'], undefined, { since: { alert: seq0 - 1 } });
    assert.equal(sub.type, 'subscribed', `resume (${encoding}): ${JSON.stringify(sub.data)}`);
    assert.equal(sub.data.recovered.alert, true);
    await late.until(() => late.of('alert').length === 2, 3000, 'history replayed');
    assert.deepEqual(late.of('alert').map((m) => m.data.message), ['before', 'after']);
  }
  // In-process and REST publishes are held to the same rule.
  await assert.rejects(s.server.publish('alert', alertPayload('x', 'info', { details: { n: 1n } })), /INVALID_PAYLOAD|BigInt/);
});

test('client ids are bound to their owner: an anonymous stranger is refused 4008, the owner replaces itself (4009)', async () => {
  const s = await server();
  const victim = await client(s, { client_id: 'scoreboard-1' });
  const token = victim.welcome!.data.resume_token as string;
  assert.match(token, /^[A-Za-z0-9_-]{16,64}$/, 'the welcome carries a resume token');
  // Another anonymous connection (any channel) with the same id is refused; the victim stays.
  for (const path of ['/api/v1/ws', '/ws/detection']) {
    const thief = await connect(s.url, { client_id: 'scoreboard-1' }, { path, allowClose: true });
    const close = await thief.closed;
    assert.equal(close.code, CloseCode.CLIENT_ID_IN_USE, `${path}: ${close.code} ${close.reason}`);
  }
  const forged = await connect(s.url, { client_id: 'scoreboard-1', resume_token: 'A'.repeat(24) }, { path: '/api/v1/ws', allowClose: true });
  assert.equal((await forged.closed).code, CloseCode.CLIENT_ID_IN_USE, 'a guessed resume token does not help');
  assert.equal(victim.ws.readyState, WebSocket.OPEN, 'the victim is still connected');
  const pong = await victim.request({ type: 'ping', data: {} }, 'pong');
  assert.equal(pong.type, 'pong');
  // The same client (its resume token) replaces its old connection, which is told why.
  const again = await client(s, { client_id: 'scoreboard-1', resume_token: token });
  assert.equal(again.welcome!.data.client_id, 'scoreboard-1');
  const old = await victim.closed;
  assert.equal(old.code, CloseCode.REPLACED);
  assert.equal(s.server.hub.sessions.get('scoreboard-1')?.ws.readyState, WebSocket.OPEN);
  // Once the id is free, anyone may take it.
  await again.close();
  await waitFor(() => !s.server.hub.sessions.has('scoreboard-1'), 'the session gone');
  const next = await client(s, { client_id: 'scoreboard-1' });
  assert.equal(next.welcome!.data.client_id, 'scoreboard-1');
});

test('with tokens the subject owns the client id: another subject is refused 4008, the same subject replaces', async () => {
  const s = await startAuthServer(authSection());
  servers.push(s);
  const alice = await mint('alice', { role: 'subscriber' });
  const bob = await mint('bob', { role: 'subscriber' });
  const a1 = await client(s, { client_id: 'tablet', token: alice });
  const b = await connect(s.url, { client_id: 'tablet', token: bob }, { allowClose: true });
  assert.equal((await b.closed).code, CloseCode.CLIENT_ID_IN_USE);
  const a2 = await client(s, { client_id: 'tablet', token: alice });
  assert.equal((await a1.closed).code, CloseCode.REPLACED);
  assert.equal(a2.ws.readyState, WebSocket.OPEN);
});

test('tokens and keys never appear in a log line', async () => {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const s = await startServer({ auth: authSection(), publish: { api_keys: [KEYS.legacyPublish] } }, { logStream: stream });
  servers.push(s);
  const jwt = await mint('alice', { role: 'admin' });
  const secrets = [KEYS.admin, KEYS.publisher, KEYS.legacyPublish, jwt, SECRET];
  await fetch(`${s.url}/api/v1/websocket/connections?token=${KEYS.admin}`);
  await fetch(`${s.url}/api/v1/websocket/connections?api_key=${KEYS.admin}&x=1`);
  await fetch(`${s.url}/api/v1/health?token=${jwt}`);
  await fetch(`${s.url}/api/v1/nope?token=${KEYS.publisher}`);
  await fetch(`${s.url}/api/v1/websocket/connections`, { headers: { authorization: `Bearer ${jwt}`, 'x-api-key': KEYS.admin } });
  await fetch(`${s.url}/api/v1/publish?token=${KEYS.legacyPublish}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad json' });
  const ws = await attempt(s, '/api/v1/ws', KEYS.publisher);
  if (ws.open) clients.push(ws.client);
  await attempt(s, '/api/v1/ws', 'not-a-key-but-secret-looking');
  await waitFor(() => lines.some((l) => l.includes('/api/v1/publish')), 'the publish request logged');
  // WebSocket clients coming and going are logged, by client id, address and code.
  if (ws.open) await ws.client.close();
  await waitFor(() => lines.some((l) => l.includes('client disconnected')), 'the close logged');
  const opened = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.msg === 'client connected');
  assert.ok(opened && typeof opened.client_id === 'string' && opened.address === '127.0.0.1' && opened.channel === 'gateway', `connected line: ${JSON.stringify(opened)}`);
  const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o.msg === 'connection refused');
  assert.ok(refused && refused.code === 4001, `refused line: ${JSON.stringify(refused)}`);
  assert.ok(lines.some((l) => l.includes('token=***')), 'the redacted form is logged');
  for (const line of lines) for (const secret of [...secrets, 'not-a-key-but-secret-looking']) assert.ok(!line.includes(secret), `a log line holds a credential: ${line}`);
});

/** A valid body for a state-changing route of the matrix. */
function bodyFor(url: string): unknown {
  if (url.endsWith('/subscribe') || url.endsWith('/unsubscribe')) return { streams: ['state'] };
  if (url === '/api/v1/publish') return { stream: 'alert', data: alertPayload('matrix') };
  return { type: 'notice', data: { text: 'matrix' } };
}

test('every route declares a policy; every admin route needs the admin role when auth is on (matrix from the route table)', async () => {
  const s = await startAuthServer(authSection());
  servers.push(s);
  const routes = s.server.routes.filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/'));
  assert.ok(routes.length >= 25, `routes recorded: ${routes.length}`);
  for (const r of routes) {
    if (r.method !== 'GET') assert.notEqual(r.policy, 'public', `${r.method} ${r.url} changes state, so it cannot be public`);
  }
  const subscriber = await mint('sam', { role: 'subscriber' });
  const admin = await mint('root', { role: 'admin' });
  const failures: string[] = [];
  for (const r of routes) {
    const url = s.url + r.url.replace(/:(\w+)/g, 'x1').replace(/\*$/, '');
    const call = (token?: string) => fetch(url, {
      method: r.method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(r.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      ...(r.method === 'GET' ? {} : { body: JSON.stringify(bodyFor(r.url)) }),
      signal: AbortSignal.timeout(3000),
    }).then(async (res) => {
      await res.body?.cancel().catch(() => undefined);
      return res.status;
    }).catch((err: Error) => (err.name === 'TimeoutError' ? 200 : Promise.reject(err))); // an MJPEG stream keeps going
    const [none, sub, adm] = [await call(), await call(subscriber), await call(admin)];
    const expect = r.policy === 'admin' ? [401, 403, 'ok'] : r.policy === 'publisher' ? [401, 403, 'ok'] : ['ok', 'ok', 'ok'];
    const got = [none, sub, adm].map((st, i) => (expect[i] === 'ok' ? (st === 401 || st === 403 ? st : 'ok') : st));
    if (JSON.stringify(got) !== JSON.stringify(expect)) failures.push(`${r.method} ${r.url} (${r.policy}): ${JSON.stringify(got)}, expected ${JSON.stringify(expect)}`);
  }
  assert.deepEqual(failures, []);
  // The video switch in particular (it was open with auth on).
  assert.equal((await fetch(`${s.url}/api/v1/stream/video/stop`, { method: 'POST' })).status, 401);
  assert.equal((await fetch(`${s.url}/api/v1/stream/video/start`, { method: 'POST', headers: { 'x-api-key': KEYS.admin } })).status, 200);
});

test('a route without a policy cannot be registered', async () => {
  const s = await createServer({ env: {}, logger: false, overrides: { source: { spec: 'none' } } });
  try {
    assert.throws(() => s.app.post('/api/v1/unguarded', async () => ({})), /declares no policy/);
  } finally {
    await s.close();
  }
});

const FUZZ_SEED = Number(process.env.TABLECAST_FUZZ_SEED ?? 0x16f022);
const FUZZ_COUNT = 3000;

for (const auth of [false, true]) {
  test(`HTTP and upgrade fuzz: ${FUZZ_COUNT} seeded raw requests over every route and WebSocket path, no 5xx, no crash (auth ${auth ? 'on' : 'off'}, seed ${FUZZ_SEED})`, async () => {
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    try {
      const s = auth ? await startAuthServer(authSection()) : await server();
      if (auth) servers.push(s);
      const good = await client(s, auth ? { token: KEYS.subscriber } : {});
      await good.subscribe(['alert']);
      const routes = [...new Set(s.server.routes.map((r) => r.url))];
      const report = await fuzzHttp(s.port, routes, s.server.upgrades.paths(), FUZZ_COUNT, FUZZ_SEED + (auth ? 1 : 0));
      assert.equal(report.sent, FUZZ_COUNT);
      assert.deepEqual(report.serverErrors, [], `5xx answers (${JSON.stringify(report.byStatus)})`);
      assert.ok(report.noAnswer < FUZZ_COUNT * 0.01, `requests dropped without an answer: ${report.noAnswer} (${JSON.stringify(report.byStatus)})`);
      // The server is alive and a well-behaved client is served throughout.
      assert.equal((await fetch(`${s.url}/api/v1/health/live`)).status, 200);
      const r = await s.server.publish('alert', alertPayload('after the fuzz'));
      await good.until(() => good.of('alert').some((m) => m.sequence === r.sequence), 3000, 'the alert after the fuzz');
      assert.equal(good.closeInfo, null);
      assert.deepEqual(crashes, []);
    } finally {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    }
  });
}

test('messages sent the moment the socket opens (token still being verified) are handled after the welcome, in order', async () => {
  const s = await startAuthServer(authSection());
  servers.push(s);
  const token = await mint('early-bird', { role: 'subscriber' });
  for (let i = 0; i < 10; i++) {
    const got: string[] = [];
    const ws = new WebSocket(`${s.ws}?token=${token}&client_id=early-${i}`);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe', data: { streams: ['state'] } }));
      ws.send(JSON.stringify({ type: 'ping', data: {} }));
      ws.send(JSON.stringify({ type: 'get_status', data: {} }));
    });
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (d) => {
        got.push((JSON.parse(String(d)) as { type: string }).type);
        if (got.length === 4) resolve();
      });
      ws.on('close', (code) => reject(new Error(`closed ${code} after ${got.join(',')}`)));
      setTimeout(() => reject(new Error(`only ${got.join(',')}`)), 3000).unref();
    });
    assert.deepEqual(got, ['connection', 'subscribed', 'pong', 'status'], `connection ${i}`);
    ws.close();
  }
});
