// The channel endpoints over real sockets: static routes win over /ws/{user_id}, /ws/detection is a
// read-only auto-subscribed feed (with `since` resume), system-health pushes on an interval and on a
// component change (also on the `status` stream and /ws/status), client groups (join_group /
// leave_group / ?groups=, REST and in-process broadcast), per-user targeted sends, and a publisher
// flood that is rate limited (RATE_LIMIT, then 1008) while subscribers keep every message in order.
import { test, before } from 'node:test';
import { tracked } from '../helpers/fixtures.js';
import assert from 'node:assert/strict';
import type { ComponentHealth } from '../../src/http/context.js';
import type { TestClient } from '../helpers/ws-client.js';
import { waitFor, type Started } from '../helpers/server.js';
import { KEYS, SAMPLE_PAYLOADS, ask, attempt, authSection, mint, startAuthServer } from '../helpers/auth-fixtures.js';

const { servers, clients } = tracked();

let s: Started;
before(async () => {
  s = await startAuthServer(authSection(), { channels: { system_health_interval_s: 0.3, health_check_interval_s: 0.05, health_lag_degraded_ms: 60_000 } });
  servers.push(s);
});

async function open(path: string, token?: string, query: Record<string, string> = {}): Promise<TestClient> {
  const a = await attempt(s, path, token, query);
  assert.ok(a.open, `${path} should open, got ${a.open ? '' : `${a.close.code} ${a.close.reason}`}`);
  clients.push(a.client);
  return a.client;
}

async function post(path: string, body: unknown, token: string = KEYS.admin): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('static channel paths never land in the dynamic /ws/{user_id} route', async () => {
  assert.deepEqual(s.server.upgrades.paths().filter((p) => p.startsWith('/ws/')).sort(), ['/ws/detection', '/ws/status', '/ws/system-health', '/ws/{user_id}'].sort());
  for (const name of ['detection', 'system-health', 'status']) {
    // A token whose subject equals the path segment would open the user channel if it were matched.
    const token = await mint(name, { role: 'subscriber' });
    for (const suffix of ['', '/']) {
      const c = await open(`/ws/${name}${suffix}`, token);
      assert.equal(c.welcome!.data.channel, name, `/ws/${name}${suffix} is the static channel`);
      const sub = await c.nextOf('subscribed');
      assert.deepEqual(sub.data.streams, [name.replace('-', '_')]);
      assert.equal(s.server.channels.users.connections(name).length, 0, `no user-channel registration for "${name}"`);
    }
    const r = await post(`/api/v1/users/${name}/send`, { data: { hello: 1 } });
    assert.equal(r.status, 404, `no user connection named ${name}`);
  }
  // /ws/system-health without a token is refused by the static route (the user route would say the same
  // code, so check the reason names the static channel).
  const refused = await attempt(s, '/ws/system-health');
  assert.ok(!refused.open && refused.close.code === 4001 && /system-health/.test(refused.close.reason), 'static route refuses');
  const user = await open('/ws/carol', await mint('carol', { role: 'subscriber' }));
  assert.equal(user.welcome!.data.channel, 'user');
  const nested = await attempt(s, '/ws/system-health/extra', KEYS.subscriber).catch((e: Error) => e);
  assert.ok(nested instanceof Error && /404/.test(nested.message), 'deeper paths match no route');
});

test('/ws/detection: no auth, auto-subscribed, read-only, resumable with ?since=', async () => {
  const before = await s.server.publish('detection', { ...SAMPLE_PAYLOADS.detection!, message: 'early' });
  const feed = await open('/ws/detection');
  assert.equal(feed.welcome!.data.role, 'anonymous');
  await feed.nextOf('subscribed');
  const pub = await open('/api/v1/ws', KEYS.publisher);
  const r = await ask(pub, { type: 'publish', data: { stream: 'detection', data: { event_type: 'chip_moved', severity: 'warning', message: 'stack 3' } } }, 'published');
  const got = await feed.next((m) => m.type === 'detection');
  assert.equal(got.sequence, r.data.sequence);
  assert.equal(got.data.event_type, 'chip_moved');
  // Read-only: no other streams, no publish, no groups; the token is ignored on this channel.
  assert.equal((await ask(feed, { type: 'subscribe', data: { streams: ['state'] } }, 'subscribed')).data.code, 'FORBIDDEN');
  assert.equal((await ask(feed, { type: 'publish', data: { stream: 'detection', data: SAMPLE_PAYLOADS.detection } }, 'published')).data.code, 'FORBIDDEN');
  assert.equal((await ask(feed, { type: 'join_group', data: { group: 'g' } }, 'group_joined')).data.code, 'FORBIDDEN');
  const withToken = await open('/ws/detection', KEYS.publisher);
  assert.equal((await ask(withToken, { type: 'publish', data: { stream: 'detection', data: SAMPLE_PAYLOADS.detection } }, 'published')).data.code, 'FORBIDDEN');
  // Resume from history.
  const resumed = await open('/ws/detection', undefined, { since: String(before.sequence - 1) });
  const sub = await resumed.nextOf('subscribed');
  assert.equal(sub.data.recovered.detection, true);
  const first = await resumed.next((m) => m.type === 'detection');
  assert.equal(first.sequence, before.sequence);
  assert.equal(first.data.message, 'early');
});

test('system health: pushed every interval with cpu/memory/lag/connections/broker/source; gateway subscribers get it', async () => {
  const c = await open('/ws/system-health', KEYS.subscriber);
  await c.nextOf('subscribed');
  const first = await c.nextOf('system_health', 2000);
  for (const k of ['status', 'cpu', 'memory', 'event_loop', 'connections', 'broker', 'source', 'components', 'uptime_s']) assert.ok(k in first.data, `snapshot has ${k}`);
  assert.equal(typeof first.data.cpu.process_percent, 'number');
  assert.ok(first.data.memory.rss_mb > 0);
  // The first message can be the stream's latest value, taken before this connection existed
  // (latest-value delivery on subscribe); the next interval push counts it.
  const counted = await c.next((m) => m.type === 'system_health' && m.data.connections.by_channel['system-health'] >= 1, 2000);
  assert.ok(counted.data.connections.total >= 1, 'connections counted by channel');
  const ticks = [];
  for (let i = 0; i < 2; i++) ticks.push(await c.next((m) => m.type === 'system_health' && m.data.reason === 'interval', 2000));
  const gapMs = ticks[1]!.at - ticks[0]!.at;
  assert.ok(Math.abs(gapMs - 300) < 150, `interval pushes ${gapMs.toFixed(0)} ms apart (300 +/- 150)`);
  assert.ok(ticks[1]!.sequence > ticks[0]!.sequence);
  const gw = await open('/api/v1/ws', await mint('ops', { role: 'subscriber' }));
  await gw.subscribe(['system_health']);
  await gw.next((m) => m.type === 'system_health', 2000);
});

test('a component status change is pushed at once: system_health (reason change) and status (/ws/status)', async () => {
  const statusFeed = await open('/ws/status', KEYS.subscriber);
  await statusFeed.nextOf('subscribed');
  const health = await open('/ws/system-health', KEYS.subscriber);
  await health.nextOf('subscribed');
  let camera: ComponentHealth['status'] = 'healthy';
  s.server.components.set('camera', () => ({ status: camera, fps: 30 }));
  const up = await statusFeed.next((m) => m.type === 'status' && m.data.component === 'camera', 2000);
  assert.deepEqual([up.data.status, up.data.previous], ['healthy', null]);
  const t0 = Date.now();
  camera = 'degraded';
  const change = await statusFeed.next((m) => m.type === 'status' && m.data.component === 'camera', 2000);
  assert.deepEqual([change.data.status, change.data.previous, change.data.details.fps], ['degraded', 'healthy', 30]);
  const pushed = await health.next((m) => m.type === 'system_health' && m.data.reason === 'change' && m.data.status === 'degraded', 2000);
  assert.ok(Date.now() - t0 < 250, `change pushed within 250 ms (check interval 50 ms), took ${Date.now() - t0}`);
  assert.equal(pushed.data.components.camera, 'degraded');
  s.server.components.delete('camera');
});

test('groups: join_group / leave_group / ?groups=, REST and in-process broadcast; original messages still work', async () => {
  const a = await open('/api/v1/ws', await mint('a', { role: 'subscriber' }));
  const b = await open('/api/v1/ws', undefined, { token: await mint('b', { role: 'subscriber' }), groups: 'table-1,lobby' });
  const outsider = await open('/api/v1/ws', await mint('c', { role: 'subscriber' }));
  const joined = await ask(a, { type: 'join_group', data: { group: 'table-1' } }, 'group_joined');
  assert.deepEqual(joined.data, { group: 'table-1', groups: ['table-1'] });
  await b.next((m) => m.type === 'group_joined' && m.data.group === 'lobby');
  assert.equal((await ask(a, { type: 'ping', data: {} }, 'pong')).type, 'pong', 'original message types unchanged');

  const r = await post('/api/v1/groups/table-1/broadcast', { data: { text: 'new hand' } });
  assert.deepEqual([r.status, r.body.recipients, r.body.type], [200, 2, 'message']);
  for (const c of [a, b]) {
    const m = await c.next((x) => x.type === 'message');
    assert.deepEqual([m.sequence, m.data.text], [0, 'new hand']);
  }
  const alert = await post('/api/v1/groups/table-1/broadcast', { stream: 'alert', data: { level: 'warning', message: 'dealer change' } });
  assert.equal(alert.body.type, 'alert');
  const am = await a.next((x) => x.type === 'alert');
  assert.equal(am.sequence, 0, 'targeted messages are outside the stream sequence');
  // Stream-shaped payloads are validated; reserved types refused; nothing is sent then.
  const bad = await post('/api/v1/groups/table-1/broadcast', { stream: 'alert', data: { level: 'loud', message: 'x' } });
  assert.deepEqual([bad.status, (bad.body.error as { details: { path: string } }).details.path], [400, 'data.level']);
  assert.equal((await post('/api/v1/groups/table-1/broadcast', { type: 'error', data: { code: 'FAKE' } })).status, 400);

  const left = await ask(a, { type: 'leave_group', data: { group: 'table-1' } }, 'group_left');
  assert.deepEqual(left.data.groups, []);
  const inProcess = s.server.channels.broadcastToGroup('table-1', { type: 'round', data: { n: 2 } });
  assert.deepEqual(inProcess, { type: 'round', recipients: 1 });
  await b.next((x) => x.type === 'round');
  for (const c of [a, outsider]) {
    await c.barrier();
    assert.equal(c.of('round').length, 0, 'non-members receive nothing');
  }
  assert.equal(outsider.of('message').length, 0);
  assert.deepEqual(s.server.channels.listGroups().sort((x, y) => x.group.localeCompare(y.group)), [{ group: 'lobby', members: 1 }, { group: 'table-1', members: 1 }]);
  const badName = await ask(a, { type: 'join_group', data: { group: 'has space' } }, 'group_joined');
  assert.equal(badName.data.code, 'INVALID_MESSAGE');
  await b.close();
  await waitFor(() => s.server.channels.listGroups().length === 0, 'groups emptied on disconnect');
});

test('per-user channel: targeted sends reach every /ws/{user} connection of that user only', async () => {
  const t = await mint('dana', { role: 'subscriber' });
  const u1 = await open('/ws/dana', t);
  const u2 = await open('/ws/dana', t);
  const sameUserGateway = await open('/api/v1/ws', t);
  const other = await open('/ws/erin', await mint('erin', { role: 'subscriber' }));
  const r = await post('/api/v1/users/dana/send', { data: { text: 'your turn' } });
  assert.deepEqual([r.status, r.body.recipients], [200, 2]);
  for (const c of [u1, u2]) assert.equal((await c.next((m) => m.type === 'message')).data.text, 'your turn');
  assert.deepEqual(s.server.channels.sendToUser('dana', { stream: 'event', data: { event: 'turn', seat: 3 } }), { type: 'event', recipients: 2 });
  assert.equal((await u1.next((m) => m.type === 'event')).data.seat, 3);
  for (const c of [sameUserGateway, other]) {
    await c.barrier();
    assert.equal(c.of('message').length + c.of('event').length, 0, 'only the user channel of that user receives');
  }
  assert.equal((await post('/api/v1/users/dana/send', { data: { x: 1 } }, KEYS.publisher)).status, 403, 'admin only');
});

test('publisher flood: RATE_LIMIT errors then close 1008, subscribers keep every message in sequence', async () => {
  const fl = await startAuthServer(authSection(), { websocket: { publisher_rate_limit_per_min: 40, rate_limit_violations_before_close: 5 } });
  servers.push(fl);
  const conn = async (path: string, token?: string) => {
    const a = await attempt(fl, path, token);
    assert.ok(a.open);
    clients.push(a.client);
    return a.client;
  };
  const feed = await conn('/ws/detection');
  await feed.nextOf('subscribed');
  const gw = await conn('/api/v1/ws', KEYS.subscriber);
  await gw.subscribe(['detection']);
  const flooder = await conn('/api/v1/ws', KEYS.publisher);
  const polite = await conn('/api/v1/ws', await mint('polite', { role: 'publisher' }));

  const floodDone = (async () => {
    for (let i = 0; i < 120 && flooder.ws.readyState === flooder.ws.OPEN; i++) {
      flooder.send({ type: 'publish', data: { stream: 'detection', data: { event_type: 'flood', severity: 'info', message: `f${i}` } } });
    }
    return flooder.closed;
  })();
  // Meanwhile a well-behaved publisher keeps publishing.
  const politeSeqs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await ask(polite, { type: 'publish', data: { stream: 'detection', data: { event_type: 'polite', severity: 'info', message: `p${i}` } } }, 'published');
    assert.equal(r.type, 'published');
    politeSeqs.push(r.data.sequence as number);
  }
  const closed = await floodDone;
  assert.equal(closed.code, 1008, 'flooder closed with 1008');
  const published = flooder.of('published');
  const limited = flooder.of('error').filter((m) => m.data.code === 'RATE_LIMIT');
  assert.equal(published.length, 40, '40 messages per minute accepted');
  assert.equal(limited.length, 5, 'then 5 RATE_LIMIT errors before the close');
  const total = published.length + politeSeqs.length;
  for (const c of [feed, gw]) {
    await c.until(() => c.of('detection').length >= total, 3000, 'every published detection');
    const seqs = c.of('detection').map((m) => m.sequence);
    assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1), 'gapless, in order');
  }
});
