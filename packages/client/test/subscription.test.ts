// Subscription objects (client.subscription) and the debug log option against a real server: typed
// `message` events of its streams only, `ready()`, `subscribed` again after a reconnect, a refusal as
// `error` + a rejected ready(), `unsubscribe()` stopping delivery; debug lines for status changes,
// requests with their ids and the replies with the same ids, never the token.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { TablecastClient, TablecastError, type SubscriptionState } from '@tablecast/client';
import type { AlertPayload } from '@tablecast/protocol';
import { sleep, startServer, waitFor, type Started } from './helpers.js';

const servers: Started[] = [];
const clients: TablecastClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of servers) await s.server.close();
});

async function setup(): Promise<{ s: Started; c: TablecastClient; lines: { message: string; details?: Record<string, unknown> }[] }> {
  const s = await startServer();
  servers.push(s);
  const lines: { message: string; details?: Record<string, unknown> }[] = [];
  const c = new TablecastClient({
    url: s.ws, WebSocket: WebSocket as never, token: 'secret-token-xyz', reconnect: { initialMs: 50, maxMs: 200 },
    debug: (message, details) => lines.push({ message, ...(details ? { details } : {}) }),
  });
  clients.push(c);
  await c.connect();
  return { s, c, lines };
}

const alert = (message: string) => ({ level: 'info', message, code: 'T' });

test('a subscription object: ready(), typed messages of its streams, subscribed again after a reconnect, unsubscribe() stops it', async () => {
  const { s, c } = await setup();
  const sub = c.subscription(['alert']);
  const got: string[] = [];
  const acks: string[][] = [];
  const states: SubscriptionState[] = [];
  sub.on('message', (data: AlertPayload, env) => {
    got.push(data.message);
    assert.ok(env.sequence > 0);
  });
  sub.on('subscribed', (reply) => {
    acks.push(reply.streams);
    states.push(sub.state);
  });
  assert.equal(sub.state, 'subscribing');
  const reply = await sub.ready();
  assert.deepEqual(reply.streams, ['alert']);
  assert.equal(sub.state, 'subscribed');
  const other = c.subscription(['event']);
  await other.ready();
  await s.server.publish('alert', alert('one'));
  await s.server.publish('event', { event: 'shot_started', data: {} });
  await waitFor(() => got.length === 1, 'the alert');
  await sleep(50);
  assert.deepEqual(got, ['one'], 'only messages of its own streams');
  // The server drops the connection (4100): the client reconnects and resubscribes by itself.
  await fetch(`${s.http}/api/v1/websocket/connections/${c.clientId}/disconnect?code=4100`, { method: 'POST' });
  await waitFor(() => acks.length === 2, 'subscribed again after the reconnect');
  assert.deepEqual(states, ['subscribed', 'subscribed']);
  await s.server.publish('alert', alert('two'));
  await waitFor(() => got.length === 2, 'the alert after the reconnect');
  let unsubscribed = 0;
  sub.on('unsubscribed', () => unsubscribed++);
  await sub.unsubscribe();
  assert.equal(sub.state, 'unsubscribed');
  assert.equal(unsubscribed, 1);
  await s.server.publish('alert', alert('three'));
  await sleep(100);
  assert.deepEqual(got, ['one', 'two'], 'nothing after unsubscribe()');
  await sub.unsubscribe(); // idempotent
});

test('a refused subscription: error event and a rejected ready(); state failed', async () => {
  const { c } = await setup();
  const sub = c.subscription(['state'], { max_fps: -1 });
  const errors: string[] = [];
  sub.on('error', (e) => errors.push(e.code));
  await assert.rejects(sub.ready(), (e: unknown) => e instanceof TablecastError && e.code === 'INVALID_FILTER');
  assert.deepEqual(errors, ['INVALID_FILTER']);
  assert.equal(sub.state, 'failed');
});

test('debug: status changes, requests with ids and the replies with the same ids; no token', async () => {
  const { c, lines } = await setup();
  await c.subscribe(['alert']);
  await c.getStatus();
  const text = lines.map((l) => `${l.message} ${JSON.stringify(l.details ?? {})}`);
  assert.ok(text.some((t) => t.startsWith('status connecting')), text.join('\n'));
  assert.ok(text.some((t) => t.startsWith('status connected')));
  const sent = lines.find((l) => l.message === 'sent subscribe');
  const received = lines.find((l) => l.message === 'received subscribed');
  assert.ok(sent?.details?.id !== undefined && received?.details?.id === sent.details.id, 'the reply names the request');
  const status = lines.find((l) => l.message === 'received status');
  assert.equal(status?.details?.id, lines.find((l) => l.message === 'sent get_status')?.details?.id);
  assert.ok(!text.some((t) => t.includes('secret-token-xyz')), 'the token is never logged');
});
