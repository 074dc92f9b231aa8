// Request ids (PROTOCOL section 3, tablecast extension; protocol request-id.ts) over real sockets: an
// `id` beside `type` comes back unchanged in the reply or error to that message, JSON and msgpack,
// for the core messages and the server's own (join_group); a message without one is answered
// byte-for-byte as before (no `id` key); a bad id is refused with INVALID_MESSAGE before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracked } from '../helpers/fixtures.js';
import { pack } from 'msgpackr';
import type { Msg } from '../helpers/ws-client.js';

const fixtures = tracked();
const idOf = (m: Msg): unknown => (m as Msg & { id?: unknown }).id;

test('an id is echoed in the reply and in the error of that message', async () => {
  const s = await fixtures.server();
  const c = await fixtures.client(s);
  const pong = await c.request({ type: 'ping', id: 'p-1', data: {} }, 'pong');
  assert.equal(idOf(pong), 'p-1');
  const sub = await c.request({ type: 'subscribe', id: 7, data: { streams: ['alert'] } }, 'subscribed');
  assert.equal(sub.type, 'subscribed');
  assert.equal(idOf(sub), 7);
  const bad = await c.request({ type: 'subscribe', id: 8, data: { streams: ['alert'], filters: { max_fps: -1 } } }, 'subscribed');
  assert.equal(bad.type, 'error');
  assert.equal(bad.data.code, 'INVALID_FILTER');
  assert.equal(idOf(bad), 8, 'the error names the request it answers');
  const unknown = await c.request({ type: 'no_such_type', id: 'u' }, 'error');
  assert.equal(unknown.data.code, 'UNKNOWN_MESSAGE_TYPE');
  assert.equal(idOf(unknown), 'u');
  const status = await c.request({ type: 'get_status', id: 9 }, 'status');
  assert.equal(idOf(status), 9);
  const unsub = await c.request({ type: 'unsubscribe', id: 10, data: { streams: ['alert'] } }, 'unsubscribed');
  assert.equal(idOf(unsub), 10);
  const joined = await c.request({ type: 'join_group', id: 'g', data: { group: 'coaches' } }, 'group_joined');
  assert.equal(joined.type, 'group_joined');
  assert.equal(idOf(joined), 'g', "the server's own message types echo it too");
  // Stream messages never carry one.
  await c.request({ type: 'subscribe', id: 11, data: { streams: ['alert'] } }, 'subscribed');
  await s.server.publish('alert', { level: 'info', message: 'm', code: 'C' });
  const alert = await c.next((m) => m.type === 'alert');
  assert.equal('id' in alert, false);
});

test('without an id the reply is as before (no id key); a bad id is refused before the message runs', async () => {
  const s = await fixtures.server();
  const c = await fixtures.client(s);
  const pong = await c.request({ type: 'ping', data: {} }, 'pong');
  assert.doesNotMatch(pong.raw.toString('utf8'), /"id"/, 'no id key on the wire');
  for (const id of [{}, '', 'x'.repeat(129), 1.5, true, null]) {
    const r = await c.request({ type: 'subscribe', id, data: { streams: ['alert'] } }, 'subscribed');
    assert.equal(r.type, 'error', `id ${JSON.stringify(id)}`);
    assert.equal(r.data.code, 'INVALID_MESSAGE');
    assert.equal(r.data.details.path, 'id');
    assert.equal(idOf(r), undefined);
  }
  const status = await c.request({ type: 'get_status' }, 'status');
  assert.deepEqual(status.data.subscriptions, [], 'none of the refused subscribes ran');
});

test('msgpack connections get the id too', async () => {
  const s = await fixtures.server();
  const c = await fixtures.client(s, { encoding: 'msgpack' });
  c.send(pack({ type: 'ping', id: 42, data: {} }));
  const r = await c.nextOf('pong');
  assert.equal(r.binary, true);
  assert.equal(idOf(r), 42);
});
