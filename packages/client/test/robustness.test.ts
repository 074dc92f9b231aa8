// SDK robustness (issue 15, the SDK's own behaviour) against real servers: connect() settles on an
// unreachable server (timeout, AbortSignal), getToken() runs before every (re)connect and refreshes
// an expired JWT, a subscription the server refused is not replayed, and attempts that never
// connected are not reported as disconnects.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer } from 'node:net';
import { WebSocket } from 'ws';
import { SignJWT } from 'jose';
import { TablecastClient, TablecastError, type ClientStatus } from '@tablecast/client';
import { startServer, waitFor, type Started } from './helpers.js';

const servers: Started[] = [];
const clients: TablecastClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.server.close()));
});

function client(url: string, extra: Partial<ConstructorParameters<typeof TablecastClient>[0]> = {}): TablecastClient {
  const c = new TablecastClient({ url, WebSocket, reconnect: { initialMs: 20, maxMs: 100 }, ...extra });
  clients.push(c);
  return c;
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('connect() settles on an unreachable server: TIMEOUT after timeoutMs, ABORTED on the signal; no reconnect loop is left', async () => {
  const url = `ws://127.0.0.1:${await deadPort()}/api/v1/ws`;
  const a = client(url);
  const statuses: ClientStatus[] = [];
  a.onStatus((s) => statuses.push(s));
  const t0 = Date.now();
  await assert.rejects(a.connect({ timeoutMs: 400 }), (e: unknown) => e instanceof TablecastError && e.code === 'TIMEOUT');
  const took = Date.now() - t0;
  assert.ok(took >= 390 && took < 1500, `rejected after ${took} ms (timeout 400 ms)`);
  await waitFor(() => a.state === 'closed', 'the client closed');
  assert.ok(a.stats.connectAttempts >= 2, `attempts counted: ${a.stats.connectAttempts}`);
  assert.equal(statuses.filter((s) => s.type === 'disconnected').length, 0, 'attempts that never connected are not disconnects');
  const attempts = a.stats.connectAttempts;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(a.stats.connectAttempts, attempts, 'no attempts after giving up');

  const b = client(url);
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 150);
  await assert.rejects(b.connect({ signal: ctl.signal }), (e: unknown) => e instanceof TablecastError && e.code === 'ABORTED');
  await waitFor(() => b.state === 'closed', 'the client closed');
});

test('getToken() runs before every (re)connect; an expired JWT is refreshed instead of ending the client', async () => {
  const secret = 'sdk-get-token-secret-0123456789-abcdef';
  const s = await startServer(0, { auth: { enabled: true, jwt: { secret } } } as never);
  servers.push(s);
  let minted = 0;
  const getToken = async () => {
    minted++;
    const now = Math.floor(Date.now() / 1000);
    // The first token expires almost at once; the next ones last.
    return new SignJWT({ role: 'subscriber' }).setProtectedHeader({ alg: 'HS256' }).setSubject('coach').setIssuedAt(now)
      .setExpirationTime(minted === 1 ? now + 2 : now + 600).sign(new TextEncoder().encode(secret));
  };
  const c = client(s.ws, { getToken, clientId: 'token-refresh' });
  const statuses: ClientStatus[] = [];
  c.onStatus((x) => statuses.push(x));
  await c.connect({ timeoutMs: 5000 });
  assert.equal(minted, 1);
  await c.subscribe(['state']);
  // The server closes 4001 "token expired" at exp; the SDK fetches a new token and reconnects.
  await waitFor(() => statuses.some((x) => x.type === 'connected' && x.reconnected), 'the reconnect with a fresh token', 6000);
  assert.ok(statuses.some((x) => x.type === 'disconnected' && x.code === 4001 && x.willReconnect), 'the expiry close was followed by a reconnect');
  assert.equal(minted, 2, 'one token per connection');
  assert.equal(c.state, 'connected');
  await waitFor(() => s.server.hub.sessions.get('token-refresh')?.subscriptions.has('state') === true, 'subscriptions restored');
});

test('a subscription the server refused is not stored or replayed on reconnect', async () => {
  const s = await startServer();
  servers.push(s);
  const c = client(s.ws, { clientId: 'refused-sub' });
  await c.connect();
  await c.subscribe(['state']);
  await assert.rejects(c.subscribe(['alert'], { max_fps: -1 }), (e: unknown) => e instanceof TablecastError && e.code === 'INVALID_FILTER');
  // Reconnect: only `state` is sent again.
  const reconnected = new Promise<void>((resolve) => c.onStatus((x) => x.type === 'connected' && x.reconnected && resolve()));
  s.server.hub.sessions.get('refused-sub')!.ws.terminate();
  await reconnected;
  await waitFor(() => s.server.hub.sessions.get('refused-sub')?.subscriptions.size === 1, 'the resubscribe');
  assert.deepEqual([...s.server.hub.sessions.get('refused-sub')!.subscriptions.keys()], ['state']);
  const errors: string[] = [];
  c.onStatus((x) => x.type === 'server_error' && errors.push(x.code));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(errors, [], 'no error from replaying the refused subscription');
});

test('once() gets only the next message; off() removes a handler (on or once)', async () => {
  const s = await startServer();
  servers.push(s);
  const c = client(s.ws);
  await c.connect();
  await c.subscribe(['alert']);
  const onceGot: string[] = [];
  const onGot: string[] = [];
  const removedGot: string[] = [];
  c.once('alert', (a) => onceGot.push(a.message));
  const handler = (a: { message: string }) => onGot.push(a.message);
  c.on('alert', handler);
  const removed = (a: { message: string }) => removedGot.push(a.message);
  c.once('alert', removed);
  assert.equal(c.off('alert', removed), true, 'a once handler can be removed before it ran');
  for (const m of ['one', 'two']) await s.server.publish('alert', { level: 'info', message: m, code: 'T' });
  await waitFor(() => onGot.length === 2, 'both alerts');
  assert.deepEqual(onceGot, ['one']);
  assert.deepEqual(removedGot, []);
  assert.equal(c.off('alert', handler), true);
  assert.equal(c.off('alert', handler), false, 'already removed');
  await s.server.publish('alert', { level: 'info', message: 'three', code: 'T' });
  await c.ping();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(onGot, ['one', 'two'], 'off stops delivery');
});
