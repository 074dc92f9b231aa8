// The role x endpoint x stream matrix over real sockets: who may connect to which WebSocket channel
// (/api/v1/ws, /ws/detection, /ws/system-health, /ws/status, /ws/{user}), which streams each role
// may subscribe to and publish on, and proof by delivery that nobody receives a stream they may not
// read. Auth enabled with HS256 (issuer + audience), API keys, and per-role permissions that differ
// from the defaults; a second server checks the embedded-demo defaults (auth off).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { STREAM_NAMES, canonicalStream, type StreamName } from '@tablecast/protocol';
import type { TestClient } from '../helpers/ws-client.js';
import type { Started } from '../helpers/server.js';
import { KEYS, SAMPLE_PAYLOADS, ask, attempt, authSection, mint, startAuthServer, type Attempt } from '../helpers/auth-fixtures.js';

const clients: TestClient[] = [];
const servers: Started[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

// Permissions of the matrix server (admin keeps the built-in '*').
const PERMISSIONS = {
  subscriber: { subscribe: ['state', 'trajectory', 'event', 'alert', 'detection', 'status', 'system_health'], publish: [] },
  publisher: { subscribe: ['detection', 'status'], publish: ['detection', 'event', 'status'], channels: ['gateway', 'detection', 'status'] },
};
const ALL = [...STREAM_NAMES] as StreamName[];
const READS: Record<string, Set<string>> = {
  subscriber: new Set(PERMISSIONS.subscriber.subscribe),
  publisher: new Set(PERMISSIONS.publisher.subscribe),
  admin: new Set(ALL.map((s) => canonicalStream(s))),
};
const WRITES: Record<string, Set<string>> = {
  subscriber: new Set(),
  publisher: new Set(PERMISSIONS.publisher.publish),
  admin: new Set(ALL.map((s) => canonicalStream(s))),
};

type Role = 'anonymous' | 'subscriber' | 'publisher' | 'admin' | 'expired' | 'wrong_audience' | 'wrong_issuer' | 'bad_signature' | 'malformed' | 'unknown_key';
const SUBJECT: Record<Role, string> = {
  anonymous: 'nobody', subscriber: 'alice', publisher: 'pat', admin: 'root', expired: 'eve', wrong_audience: 'mallory',
  wrong_issuer: 'trudy', bad_signature: 'oscar', malformed: 'x', unknown_key: 'y',
};
const tokens: Partial<Record<Role, string>> = {};
let s: Started;

before(async () => {
  s = await startAuthServer(authSection({ permissions: PERMISSIONS }));
  servers.push(s);
  tokens.subscriber = await mint('alice', { role: 'subscriber' });
  tokens.publisher = await mint('pat', { roles: ['publisher'] });
  tokens.admin = await mint('root', { roles: ['admin', 'subscriber'] });
  tokens.expired = await mint('eve', { role: 'admin' }, { expiresInS: -60 });
  tokens.wrong_audience = await mint('mallory', { role: 'admin' }, { audience: 'someone-else' });
  tokens.wrong_issuer = await mint('trudy', { role: 'admin' }, { issuer: 'https://evil.example' });
  tokens.bad_signature = await mint('oscar', { role: 'admin' }, { secret: 'another-secret-that-is-long-enough-000' });
  tokens.malformed = 'eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln';
  tokens.unknown_key = 'not-a-configured-key';
});

async function open(role: Role, path: string): Promise<Attempt> {
  const a = await attempt(s, path, tokens[role]);
  if (a.open) clients.push(a.client);
  return a;
}

// Expected outcome per role and endpoint: 'open' or a close code. `/ws/self` is /ws/<own subject>,
// `/ws/other` someone else's user channel.
const ENDPOINTS = ['/api/v1/ws', '/ws/detection', '/ws/system-health', '/ws/status', '/ws/self', '/ws/other'] as const;
const BAD = { '/api/v1/ws': 4001, '/ws/detection': 'open', '/ws/system-health': 4001, '/ws/status': 4001, '/ws/self': 4001, '/ws/other': 4001 } as const;
const EXPECTED: Record<Role, Record<(typeof ENDPOINTS)[number], 'open' | number>> = {
  anonymous: BAD,
  subscriber: { '/api/v1/ws': 'open', '/ws/detection': 'open', '/ws/system-health': 'open', '/ws/status': 'open', '/ws/self': 'open', '/ws/other': 4003 },
  // The publisher role lists only gateway, detection and status channels.
  publisher: { '/api/v1/ws': 'open', '/ws/detection': 'open', '/ws/system-health': 4003, '/ws/status': 'open', '/ws/self': 4003, '/ws/other': 4003 },
  admin: { '/api/v1/ws': 'open', '/ws/detection': 'open', '/ws/system-health': 'open', '/ws/status': 'open', '/ws/self': 'open', '/ws/other': 4003 },
  expired: BAD,
  wrong_audience: BAD,
  wrong_issuer: BAD,
  bad_signature: BAD,
  malformed: BAD,
  unknown_key: BAD,
};

test('connect matrix: roles x endpoints (open, 4001 unauthorized, 4003 forbidden)', async () => {
  const failures: string[] = [];
  for (const role of Object.keys(EXPECTED) as Role[]) {
    for (const ep of ENDPOINTS) {
      const path = ep === '/ws/self' ? `/ws/${SUBJECT[role]}` : ep === '/ws/other' ? '/ws/somebody-else' : ep;
      const a = await open(role, path);
      const got = a.open ? 'open' : a.close.code;
      if (got !== EXPECTED[role][ep]) failures.push(`${role} ${path}: expected ${EXPECTED[role][ep]}, got ${got}${a.open ? '' : ` (${a.close.reason})`}`);
      if (a.open) {
        const expectedChannel = { '/api/v1/ws': 'gateway', '/ws/detection': 'detection', '/ws/system-health': 'system-health', '/ws/status': 'status', '/ws/self': 'user', '/ws/other': 'user' }[ep];
        if (a.welcome.channel !== expectedChannel) failures.push(`${role} ${path}: channel ${String(a.welcome.channel)}, expected ${expectedChannel}`);
        await a.client.close();
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('refusal reasons name the problem (expired, audience, issuer, signature, missing token)', async () => {
  const reasons: Record<string, RegExp> = { expired: /expired/, wrong_audience: /aud/, wrong_issuer: /iss/, bad_signature: /signature/, malformed: /malformed|invalid/, unknown_key: /unknown API key/ };
  for (const [role, re] of Object.entries(reasons)) {
    const a = await open(role as Role, '/api/v1/ws');
    assert.ok(!a.open && a.close.code === 4001 && re.test(a.close.reason), `${role}: ${a.open ? 'open' : `${a.close.code} ${a.close.reason}`}`);
  }
  const none = await open('anonymous', '/ws/system-health');
  assert.ok(!none.open && /needs a token/.test(none.close.reason));
});

test('Authorization: Bearer works like ?token= on upgrade', async () => {
  const a = await attempt(s, '/api/v1/ws', undefined, {}, { Authorization: `Bearer ${tokens.publisher}` });
  assert.ok(a.open, 'bearer header accepted');
  clients.push(a.client);
  assert.equal(a.welcome.role, 'publisher');
  const b = await attempt(s, '/api/v1/ws', undefined, {}, { Authorization: `Bearer ${tokens.expired}` });
  assert.ok(!b.open && b.close.code === 4001, 'expired bearer refused');
});

test('stream matrix on /api/v1/ws: subscribe and publish per role (FORBIDDEN where not allowed)', async () => {
  const failures: string[] = [];
  for (const role of ['subscriber', 'publisher', 'admin'] as const) {
    const a = await open(role, '/api/v1/ws');
    assert.ok(a.open, `${role} connects`);
    const c = a.client;
    for (const name of ALL) {
      const stream = canonicalStream(name);
      const sub = await ask(c, { type: 'subscribe', data: { streams: [name] } }, 'subscribed');
      const subOk = READS[role]!.has(stream);
      if (subOk ? sub.type !== 'subscribed' : !(sub.type === 'error' && sub.data.code === 'FORBIDDEN')) {
        failures.push(`${role} subscribe ${name}: ${sub.type} ${JSON.stringify(sub.data)}`);
      }
      const pub = await ask(c, { type: 'publish', data: { stream: name, data: SAMPLE_PAYLOADS[stream] } }, 'published');
      const pubOk = WRITES[role]!.has(stream);
      if (pubOk ? pub.type !== 'published' : !(pub.type === 'error' && pub.data.code === 'FORBIDDEN')) {
        failures.push(`${role} publish ${name}: ${pub.type} ${JSON.stringify(pub.data)}`);
      }
    }
    // A multi-stream subscribe with one forbidden stream subscribes nothing.
    if (READS[role]!.size < READS.admin!.size) {
      const mixed = await ask(c, { type: 'unsubscribe', data: { streams: ALL } }, 'unsubscribed');
      assert.equal(mixed.type, 'unsubscribed');
      const r = await ask(c, { type: 'subscribe', data: { streams: ['state', 'frame'] } }, 'subscribed');
      assert.ok(role === 'subscriber' ? r.type === 'error' && r.data.code === 'FORBIDDEN' : r.type === 'error', `${role} mixed subscribe refused`);
      const st = await ask(c, { type: 'get_status', data: {} }, 'status');
      assert.deepEqual(st.data.subscriptions, [], `${role}: nothing subscribed after a refused subscribe`);
    }
  }
  assert.deepEqual(failures, []);
});

test('delivery proof: each reader receives exactly the streams its role may read, channels only their stream', async () => {
  const readers = new Map<string, TestClient>();
  for (const role of ['subscriber', 'publisher', 'admin'] as const) {
    const a = await open(role, '/api/v1/ws');
    assert.ok(a.open);
    const allowed = ALL.filter((n) => n !== 'metrics' && READS[role]!.has(canonicalStream(n)));
    await a.client.subscribe(allowed);
    // Try to sneak in the rest one by one (all refused).
    for (const n of ALL) if (!READS[role]!.has(canonicalStream(n))) await ask(a.client, { type: 'subscribe', data: { streams: [n] } }, 'subscribed');
    readers.set(role, a.client);
  }
  const channelReaders: [string, TestClient, string][] = [];
  for (const [path, role, stream] of [['/ws/detection', 'anonymous', 'detection'], ['/ws/status', 'subscriber', 'status'], ['/ws/system-health', 'admin', 'system_health']] as const) {
    const a = await open(role, path);
    assert.ok(a.open, `${path} opens`);
    await a.client.nextOf('subscribed');
    // Channel connections may not add streams, whatever the role.
    const extra = await ask(a.client, { type: 'subscribe', data: { streams: ['state', 'alert'] } }, 'subscribed');
    assert.equal(extra.data.code, 'FORBIDDEN', `${path}: other streams are forbidden`);
    const pub = await ask(a.client, { type: 'publish', data: { stream: stream, data: SAMPLE_PAYLOADS[stream] } }, 'published');
    assert.equal(pub.data.code, 'FORBIDDEN', `${path}: channel connections never publish`);
    channelReaders.push([path, a.client, stream]);
  }
  const marks = new Map<TestClient, number>();
  for (const c of [...readers.values(), ...channelReaders.map((x) => x[1])]) marks.set(c, c.messages.length);
  // One message per canonical stream, published in-process.
  const published = new Map<string, number>();
  for (const n of ALL) {
    if (n === 'metrics') continue;
    const r = await s.server.publish(canonicalStream(n), { ...SAMPLE_PAYLOADS[n]!, marker: 'matrix' });
    published.set(n, r.sequence);
  }
  const streamsReceived = async (c: TestClient) => {
    await c.barrier();
    return new Set(c.messages.slice(marks.get(c)).filter((m) => m.data?.marker === 'matrix').map((m) => m.type));
  };
  for (const [role, c] of readers) {
    const got = await streamsReceived(c);
    const expected = new Set(ALL.filter((n) => n !== 'metrics' && READS[role]!.has(n)));
    assert.deepEqual([...got].sort(), [...expected].sort(), `${role} received exactly its readable streams`);
  }
  for (const [path, c, stream] of channelReaders) {
    const got = await streamsReceived(c);
    assert.deepEqual([...got], [stream], `${path} received only ${stream}`);
  }
});

test('user channel: subscribe per role policy, no publish; API keys carry their configured subject', async () => {
  const a = await open('subscriber', '/ws/alice');
  assert.ok(a.open);
  assert.equal(a.welcome.channel, 'user');
  assert.equal((await ask(a.client, { type: 'subscribe', data: { streams: ['state'] } }, 'subscribed')).type, 'subscribed');
  assert.equal((await ask(a.client, { type: 'subscribe', data: { streams: ['frame'] } }, 'subscribed')).data.code, 'FORBIDDEN');
  const k = await attempt(s, '/ws/key-sub', KEYS.subscriber);
  assert.ok(k.open, 'an API key opens the user channel of its subject');
  clients.push(k.client);
  const wrong = await attempt(s, '/ws/alice', KEYS.subscriber);
  assert.ok(!wrong.open && wrong.close.code === 4003, 'key subject != user id -> 4003');
  const adminKey = await attempt(s, '/api/v1/ws', KEYS.admin);
  assert.ok(adminKey.open && adminKey.welcome.role === 'admin');
  clients.push(adminKey.client);
});

test('auth off (embedded demo): anonymous reads all but system_health, never publishes; a token that does not verify is ignored', async () => {
  const demo = await startAuthServer({ api_keys: [{ key: KEYS.admin, role: 'admin' }] });
  servers.push(demo);
  const anon = await attempt(demo, '/api/v1/ws');
  assert.ok(anon.open);
  clients.push(anon.client);
  assert.equal(anon.welcome.role, 'anonymous');
  for (const n of ALL) {
    const r = await ask(anon.client, { type: 'subscribe', data: { streams: [n] } }, 'subscribed');
    assert.equal(r.type, n === 'system_health' ? 'error' : 'subscribed', `anonymous subscribe ${n}`);
  }
  const pub = await ask(anon.client, { type: 'publish', data: { stream: 'detection', data: SAMPLE_PAYLOADS.detection } }, 'published');
  assert.equal(pub.data.code, 'FORBIDDEN', 'anonymous may not publish');
  // The legacy publish.api_keys still give the publisher role.
  const legacy = await attempt(demo, '/api/v1/ws', KEYS.legacyPublish);
  assert.ok(legacy.open && legacy.welcome.role === 'publisher');
  clients.push(legacy.client);
  assert.equal((await ask(legacy.client, { type: 'publish', data: { stream: 'detection', data: SAMPLE_PAYLOADS.detection } }, 'published')).type, 'published');
  // /ws/system-health needs a token even with auth off; any valid one opens it.
  const sh = await attempt(demo, '/ws/system-health');
  assert.ok(!sh.open && sh.close.code === 4001);
  const shKey = await attempt(demo, '/ws/system-health', KEYS.legacyPublish);
  assert.ok(shKey.open);
  clients.push(shKey.client);
  const status = await attempt(demo, '/ws/status');
  assert.ok(status.open, '/ws/status is open to anonymous with auth off');
  clients.push(status.client);
  // As the original with no auth: a token that does not verify is ignored (the connection is
  // anonymous), never a reason to close; on /ws/system-health a valid one is still needed.
  for (const path of ['/api/v1/ws', '/ws/status', '/ws/detection']) {
    const bad = await attempt(demo, path, 'some-wrong-token');
    assert.ok(bad.open, `${path}: a token that does not verify is ignored with auth off`);
    clients.push(bad.client);
    assert.equal(bad.welcome.role, 'anonymous');
  }
  const badSh = await attempt(demo, '/ws/system-health', 'some-wrong-token');
  assert.ok(!badSh.open && badSh.close.code === 4001, '/ws/system-health still checks its token');
});
