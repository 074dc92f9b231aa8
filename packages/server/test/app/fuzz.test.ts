// Fuzz (seeded, reproducible): a few thousand random and mutated frames (flipped types, deep nesting,
// huge numbers, NaN strings, random bytes, wrong field types, truncation, prototype keys) thrown at a
// live server over several connections, each frame followed by a ping barrier. Checks: the server never
// crashes or closes a fuzzing connection, every frame gets at most one reply, and a well-behaved client
// on another connection gets every published message, in sequence, while the fuzz runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { pack } from 'msgpackr';
import { STREAM_NAMES } from '@tablecast/protocol';
import { connect, REPLY_TYPES, type TestClient } from '../helpers/ws-client.js';
import { eventPayload, startServer, statePayload, type Started } from '../helpers/server.js';
import { prng } from '../../src/testing/index.js';

const SEED = Number(process.env.TABLECAST_FUZZ_SEED ?? 0x7ab1ec);
const FRAMES_PER_CONNECTION = 700;
const CONNECTIONS = 4;
const API_KEY = 'fuzz-test-publisher-key';

const servers: Started[] = [];
const clients: TestClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const WEIRD_VALUES: unknown[] = [
  null, true, false, 0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, 1e-320, 'NaN', 'Infinity', '-Infinity', '1e309', '',
  ' ', '\u0000', '\ud800', '💥', 'x'.repeat(3000), [], {}, [[[]]], { __proto__: { polluted: true } }, ['state'], { streams: ['state'] },
  { $gt: 1 }, 'state', 'alert', -2147483648, 4294967296,
];

/** Values a msgpack frame can hold that JSON cannot (fresh each call: Date and arrays are mutable). */
const MSGPACK_ONLY_VALUES = (): unknown[] => [2n ** 60n, -(2n ** 63n), 1n, new Date(0), new Uint8Array([1, 2, 3]), Number.NaN, Number.POSITIVE_INFINITY, undefined, [undefined], { n: 2n ** 62n }];

function randomString(r: Rand, max = 40): string {
  const n = int(r, 0, max);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCodePoint(pick(r, [int(r, 32, 126), int(r, 0, 31), int(r, 0x80, 0x7ff), int(r, 0x1f300, 0x1f5ff), int(r, 0x4e00, 0x9fff)]));
  return s;
}

function randomFilters(r: Rand): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  const keys = ['max_fps', 'frame_rate', 'min_confidence', 'ball_ids', 'region', 'include_fields', 'exclude_fields', 'conditions', 'quality', 'aggregation_window_ms', 'sample_rate', 'coordinates'];
  for (let i = int(r, 0, 4); i > 0; i--) {
    const k = pick(r, keys);
    const good: Record<string, () => unknown> = {
      max_fps: () => int(r, 1, 1000),
      frame_rate: () => r() * 60 + 0.1,
      min_confidence: () => r(),
      ball_ids: () => [int(r, 0, 15), 'cue'],
      region: () => ({ x: r(), y: r(), width: r() + 0.1, height: r() + 0.1 }),
      include_fields: () => ['balls', 'sequence', '__proto__'],
      exclude_fields: () => ['cue', 'constructor'],
      conditions: () => pick(r, [{ event: 'shot_started' }, { n: { gt: int(r, -5, 5) } }, { 'a.b.c': { in: [1, 2] } }, { tags: { contains: 'x' } }, { __proto__: 1 }, { x: { bogus: 1 } }]),
      quality: () => pick(r, ['low', 'medium', 'high', 'ultra']),
      aggregation_window_ms: () => int(r, 1, 200),
      sample_rate: () => int(r, 1, 5),
      coordinates: () => pick(r, ['table_m', 'pixels_4k', 'pixels_8k']),
    };
    f[k] = r() < 0.7 ? good[k]!() : pick(r, WEIRD_VALUES);
  }
  return f;
}

/** A valid (or nearly valid) client message. */
function baseMessage(r: Rand): Record<string, unknown> {
  const streams = () => Array.from({ length: int(r, 1, 3) }, () => (r() < 0.9 ? pick(r, STREAM_NAMES) : randomString(r, 10)));
  switch (int(r, 0, 7)) {
    case 0: return { type: 'ping', data: { timestamp: r() < 0.5 ? Date.now() : new Date().toISOString() } };
    case 1: return { type: 'heartbeat', data: { clientTime: Date.now() } };
    case 2: return { type: 'subscribe', data: { streams: streams(), ...(r() < 0.6 ? { filters: randomFilters(r) } : {}), ...(r() < 0.2 ? { since: { alert: int(r, 0, 50), event: int(r, 0, 50) } } : {}) } };
    case 3: return { type: 'unsubscribe', data: { streams: streams() } };
    case 4: return { type: 'get_status', data: { include_details: r() < 0.5 } };
    case 5: return { type: 'ack', data: { stream: pick(r, STREAM_NAMES), sequence: int(r, 0, 100) } };
    case 6: return { type: 'publish', data: { stream: pick(r, ['event', 'alert', 'state', 'bogus']), data: pick(r, [eventPayload('fuzz'), { level: 'info', message: 'fuzz' }, { balls: 'no' }, {}]) } };
    default: return { type: randomString(r, 12), data: {} };
  }
}

function nested(depth: number, r: Rand): string {
  const open = r() < 0.5 ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + '1' + close.repeat(depth);
}

/** Sets a random (possibly nested) field of `obj` to `value`. */
function setRandomField(r: Rand, obj: Record<string, unknown>, value: unknown): void {
  let cur: Record<string, unknown> = obj;
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(cur);
    if (keys.length === 0 || r() < 0.3) {
      cur[pick(r, ['type', 'data', 'streams', 'filters', 'since', 'stream', 'sequence', 'timestamp', randomString(r, 6)])] = value;
      return;
    }
    const k = pick(r, keys);
    const next = cur[k];
    if (next && typeof next === 'object' && !Array.isArray(next)) cur = next as Record<string, unknown>;
    else {
      cur[k] = value;
      return;
    }
  }
}

/** One fuzz frame: text (string) or binary (Buffer). */
function fuzzFrame(r: Rand): { frame: string | Buffer; binary: boolean; kind: string } {
  const msg = baseMessage(r);
  const kind = pick(r, ['valid', 'flip_type', 'deep_nesting', 'huge_number', 'nan_string', 'random_bytes', 'random_text', 'wrong_type', 'truncated', 'proto', 'msgpack_binary', 'msgpack_exotic', 'empty']);
  switch (kind) {
    case 'valid':
      return { frame: JSON.stringify(msg), binary: false, kind };
    case 'flip_type':
      msg.type = pick(r, [...WEIRD_VALUES, 'subscribe', 'publish', 'ack', 'ping']);
      return { frame: JSON.stringify(msg), binary: false, kind };
    case 'deep_nesting': {
      const depth = int(r, 50, 6000);
      const where = pick(r, ['data', 'filters', 'conditions', 'timestamp', 'clientTime', 'publish']);
      const n = nested(depth, r);
      if (where === 'data') return { frame: `{"type":${JSON.stringify(msg.type)},"data":${n}}`, binary: false, kind };
      if (where === 'filters') return { frame: `{"type":"subscribe","data":{"streams":["event"],"filters":${n}}}`, binary: false, kind };
      if (where === 'conditions') return { frame: `{"type":"subscribe","data":{"streams":["event"],"filters":{"conditions":{"n":${n}}}}}`, binary: false, kind };
      if (where === 'publish') return { frame: `{"type":"publish","data":{"stream":"event","data":{"event":"deep","x":${n}}}}`, binary: false, kind };
      if (where === 'timestamp') return { frame: `{"type":"ping","data":{"timestamp":${n}}}`, binary: false, kind };
      return { frame: `{"type":"heartbeat","data":{"clientTime":${n}}}`, binary: false, kind };
    }
    case 'huge_number': {
      const text = JSON.stringify(msg);
      const num = pick(r, ['1e309', '-1e309', '123456789012345678901234567890', '1e-400', '9007199254740993', '-0', '1.7976931348623157e308']);
      return { frame: text.replace(/-?\d+(\.\d+)?/, num), binary: false, kind };
    }
    case 'nan_string':
      setRandomField(r, msg, pick(r, ['NaN', 'Infinity', '-Infinity', 'undefined', 'null', '1e309']));
      return { frame: JSON.stringify(msg), binary: false, kind };
    case 'random_bytes': {
      const n = int(r, 0, 3000);
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(r, 0, 255);
      return { frame: b, binary: true, kind };
    }
    case 'random_text':
      return { frame: randomString(r, 500), binary: false, kind };
    case 'wrong_type':
      setRandomField(r, msg, pick(r, WEIRD_VALUES));
      return { frame: JSON.stringify(msg), binary: false, kind };
    case 'truncated': {
      const text = JSON.stringify(msg);
      return { frame: text.slice(0, int(r, 0, Math.max(0, text.length - 1))), binary: false, kind };
    }
    case 'proto':
      return { frame: pick(r, ['{"__proto__":{"type":"ping"}}', '{"type":"subscribe","data":{"__proto__":{"streams":["state"]}}}', '{"type":"subscribe","data":{"streams":["state"],"filters":{"__proto__":{"max_fps":1}}}}', '{"constructor":{"prototype":{"type":"x"}},"type":"get_status"}', '{"type":"subscribe","data":{"streams":["__proto__","constructor","toString"]}}']), binary: false, kind };
    case 'msgpack_binary':
      return { frame: pack(msg), binary: true, kind };
    case 'msgpack_exotic':
      // Values only msgpack can carry (int64 -> BigInt, timestamps -> Date, binary, NaN, undefined),
      // in any field, publish payloads included.
      setRandomField(r, msg, pick(r, MSGPACK_ONLY_VALUES()));
      {
        const payload = (msg.data as { data?: unknown } | undefined)?.data;
        if (msg.type === 'publish' && payload && typeof payload === 'object' && r() < 0.5) setRandomField(r, payload as Record<string, unknown>, pick(r, MSGPACK_ONLY_VALUES()));
      }
      return { frame: pack(msg), binary: true, kind };
    default:
      return { frame: '', binary: false, kind };
  }
}

test(`fuzz: ${CONNECTIONS * FRAMES_PER_CONNECTION} random/mutated frames; at most one reply each; others unaffected (seed ${SEED})`, async () => {
  const s = await startServer({ publish: { api_keys: [API_KEY] }, websocket: { max_payload_bytes: 64 * 1024 } });
  servers.push(s);
  const good = await connect(s.ws, { client_id: 'well-behaved' });
  clients.push(good);
  await good.subscribe(['event', 'state']);

  // A publisher keeps publishing while the fuzz runs.
  let publishing = true;
  let published = 0;
  const publisher = (async () => {
    while (publishing) {
      await s.server.publish('event', eventPayload('tick', { n: published }));
      await s.server.publish('state', statePayload([{ id: 1, x: 1 + (published % 100) / 100, y: 0.5 }]));
      published++;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();

  const kinds = new Map<string, number>();
  const failures: string[] = [];
  const fuzzers = Array.from({ length: CONNECTIONS }, async (_, ci) => {
    const r = prng(SEED + ci * 7919);
    // One of the connections has the publisher role so publish paths are exercised too.
    const c = await connect(s.ws, ci === 0 ? { token: API_KEY } : {});
    clients.push(c);
    for (let i = 0; i < FRAMES_PER_CONNECTION; i++) {
      const { frame, binary, kind } = fuzzFrame(r);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      const from = c.messages.length;
      c.send(frame, { binary });
      let barrier: number;
      try {
        barrier = await c.barrier(5000);
      } catch (err) {
        failures.push(`connection ${ci} frame ${i} (${kind}): ${(err as Error).message}; frame ${String(frame).slice(0, 200)}`);
        return;
      }
      const replies = c.messages.slice(from, barrier).filter((m) => REPLY_TYPES.has(m.type) && m.sequence === 0);
      if (replies.length > 1) {
        failures.push(`connection ${ci} frame ${i} (${kind}) got ${replies.length} replies: ${replies.map((m) => m.type)}; frame ${String(frame).slice(0, 200)}`);
      }
      const internal = replies.find((m) => m.type === 'error' && m.data.code === 'INTERNAL');
      if (internal) failures.push(`connection ${ci} frame ${i} (${kind}) INTERNAL error: ${internal.data.message}; frame ${String(frame).slice(0, 200)}`);
    }
    assert.equal(c.closeInfo, null, `fuzz connection ${ci} stays open`);
  });
  await Promise.all(fuzzers);
  publishing = false;
  await publisher;
  const byKind = new Map<string, number>();
  for (const f of failures) {
    const key = /\((\w+)\)/.exec(f)?.[1] ?? '?';
    byKind.set(key, (byKind.get(key) ?? 0) + 1);
  }
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failures by kind ${JSON.stringify(Object.fromEntries(byKind))}`);
  assert.ok(kinds.size >= 10, `all mutation kinds ran: ${JSON.stringify(Object.fromEntries(kinds))}`);

  // The server is alive and healthy; the well-behaved client got every event, in sequence.
  const health = await s.server.app.inject({ method: 'GET', url: '/api/v1/health' });
  assert.equal(health.statusCode, 200);
  const latestEvent = (await s.server.hub.broker.position('event')).latest;
  const latestState = (await s.server.hub.broker.position('state')).latest;
  await good.until(() => good.of('event').at(-1)?.sequence === latestEvent && good.of('state').at(-1)?.sequence === latestState, 5000, 'the last event and state');
  const events = good.of('event').map((m) => m.sequence);
  assert.deepEqual(events, Array.from({ length: latestEvent }, (_, i) => i + 1), 'every event 1..latest, in order, no gaps');
  const states = good.of('state').map((m) => m.sequence);
  assert.ok(states.every((q, i) => i === 0 || q > states[i - 1]!), 'state sequences strictly increasing');
  assert.ok(published > 10, `the publisher ran during the fuzz (${published} rounds)`);
  assert.equal(good.closeInfo, null);
  const fresh = await connect(s.ws);
  clients.push(fresh);
  assert.equal((await fresh.request({ type: 'ping' }, 'pong')).type, 'pong', 'new connections are served');
});
