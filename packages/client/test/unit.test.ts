// Unit tests of the pure parts: full-jitter backoff, resume bookkeeping, rate meter, codec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, backoffCeiling, backoffDelay, createCodec, RateMeter, ResumeTracker } from '@tablecast/client';
import type { Envelope } from '@tablecast/protocol';
import { RequestQueue } from '../src/requests.js';

test('backoff ceiling doubles from 500 ms and is capped at 20 s', () => {
  const ceilings = Array.from({ length: 10 }, (_, i) => backoffCeiling(i));
  assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000, 20000]);
  assert.equal(backoffCeiling(10_000), 20_000, 'huge attempt numbers stay at the cap (exact)');
});

test('backoff delay is full jitter: uniform in [0, ceiling]', () => {
  assert.equal(backoffDelay(3, { random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { random: () => 0.5 }), 2000);
  assert.ok(backoffDelay(3, { random: () => 0.999999 }) <= 4000);
  // 2000 random draws at attempt 2: every value inside [0, 2000] ms, mean near 1000 (tolerance 10%)
  const draws = Array.from({ length: 2000 }, () => backoffDelay(2));
  assert.ok(draws.every((d) => d >= 0 && d <= 2000));
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  assert.ok(Math.abs(mean - 1000) < 100, `mean ${mean} within 100 ms of 1000 ms`);
  const distinct = new Set(draws.map((d) => Math.round(d))).size;
  assert.ok(distinct > 500, `jittered: ${distinct} distinct values`);
});

test('Backoff counts attempts, stays bounded and resets', () => {
  const b = new Backoff({ random: () => 1 });
  const delays = Array.from({ length: 12 }, () => b.next());
  assert.deepEqual(delays.slice(0, 7), [500, 1000, 2000, 4000, 8000, 16000, 20000]);
  assert.ok(delays.every((d) => d <= 20_000));
  assert.equal(b.attempt, 12);
  b.reset();
  assert.equal(b.attempt, 0);
  assert.equal(b.next(), 500);
  const floor = new Backoff({ random: () => 0, minMs: 100 });
  assert.equal(floor.next(), 100, 'minMs floor');
});

const env = (type: string, sequence: number): Envelope => ({ type, sequence, timestamp: '', data: { sequence } });

test('ResumeTracker de-duplicates, resumes with since and resets on a new epoch', () => {
  const t = new ResumeTracker();
  t.track('event');
  t.onSubscribed({ streams: ['event'], all_subscriptions: ['event'], epochs: { event: 'A' }, offsets: { event: 4 } }, {});
  assert.equal(t.lastSequence('event'), 4, 'fresh subscription starts at the latest offset');
  assert.deepEqual(t.accept('event', env('event', 5)).map((e) => e.sequence), [5]);
  assert.deepEqual(t.accept('event', env('event', 5)), [], 'duplicate dropped');
  assert.deepEqual(t.resumePoint(['event']), { since: { event: 5 }, epoch: { event: 'A' } });

  // reconnect, same epoch, recovered: buffered messages from before the reply are discarded (replayed next)
  t.beginResume(['event']);
  assert.deepEqual(t.accept('event', env('event', 6)), []);
  const same = t.onSubscribed(
    { streams: ['event'], all_subscriptions: ['event'], recovered: { event: true }, epochs: { event: 'A' }, offsets: { event: 7 } },
    { event: 5 },
  );
  assert.deepEqual(same.recovered, { event: true });
  assert.deepEqual(same.deliver, []);
  assert.deepEqual([6, 7, 6, 8].flatMap((n) => t.accept('event', env('event', n)).map((e) => e.sequence)), [6, 7, 8]);
  assert.equal(t.counters.duplicates, 2);

  // reconnect to a restarted server: new epoch, not recovered -> rewind from 0 in the new epoch
  t.beginResume(['event']);
  const restarted = t.onSubscribed(
    { streams: ['event'], all_subscriptions: ['event'], recovered: { event: false }, epochs: { event: 'B' }, offsets: { event: 3 } },
    { event: 8 },
  );
  assert.deepEqual(restarted.recovered, { event: false });
  assert.deepEqual(restarted.rewind, [{ stream: 'event', epoch: 'B' }]);
  assert.deepEqual(t.accept('event', env('event', 4)), [], 'held until the rewind reply');
  const rewound = t.onSubscribed(
    { streams: ['event'], all_subscriptions: ['event'], recovered: { event: true }, epochs: { event: 'B' }, offsets: { event: 4 } },
    { event: 0 },
  );
  assert.deepEqual(rewound.deliver, []);
  assert.deepEqual([1, 2, 3, 4, 4, 5].flatMap((n) => t.accept('event', env('event', n)).map((e) => e.sequence)), [1, 2, 3, 4, 5]);
  assert.deepEqual(t.resumePoint(['event']), { since: { event: 5 }, epoch: { event: 'B' } });
});

test('RateMeter reports events per second over a sliding 1 s window', () => {
  let now = 0;
  const m = new RateMeter(1000, 10, () => now);
  for (let i = 0; i < 30; i++) {
    m.add();
    now += 33;
  }
  assert.ok(Math.abs(m.rate - 30) <= 3, `rate ${m.rate} ~ 30/s (tolerance 3)`);
  now += 2000;
  assert.equal(m.rate, 0, 'window empties after 2 s');
});

test('codec round-trips JSON text frames and msgpack binary frames (msgpackr loaded on ready())', async () => {
  const json = createCodec('json');
  const msg = { type: 'state', timestamp: 't', sequence: 3, data: { balls: [{ id: 1 }] } };
  assert.deepEqual(json.decode(JSON.stringify(msg)), msg);
  const mp = createCodec('msgpack');
  assert.throws(() => mp.encode({ type: 'ping' }), /before ready/);
  await mp.ready();
  const bytes = mp.encode({ type: 'ping', data: { timestamp: 1 } });
  assert.ok(bytes instanceof Uint8Array);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  assert.deepEqual(mp.decode(copy), { type: 'ping', timestamp: '', sequence: 0, data: { timestamp: 1 } });
  assert.throws(() => json.decode('{nope'), /invalid JSON/);
});

test('requests carry ids; a reply with an id resolves exactly that request, one without resolves the oldest of its type', async () => {
  const q = new RequestQueue(1000);
  const a = q.add<{ n: string }>('subscribe');
  const b = q.add<{ n: string }>('subscribe');
  assert.notEqual(a.id, b.id, 'unique ids');
  assert.equal(q.resolve('subscribed', { n: 'x' }, 999), false, 'an unknown id resolves nothing');
  assert.equal(q.resolve('subscribed', { n: 'b' }, b.id), true);
  assert.deepEqual(await b.reply, { n: 'b' }, 'the later request got its own reply first');
  const c = q.add<unknown>('get_status');
  assert.equal(q.reject({ code: 'INVALID_FILTER', message: 'no' }, c.id), true, 'an error with an id rejects that request, whatever its code');
  await assert.rejects(c.reply, (e: Error & { code?: string }) => e.code === 'INVALID_FILTER');
  assert.equal(q.resolve('subscribed', { n: 'a' }), true, 'a reply without an id (an older server): the oldest of its type');
  assert.deepEqual(await a.reply, { n: 'a' });
});
