/**
 * The Broker conformance suite: one set of tests every Broker implementation must pass (the memory
 * broker and the Redis broker here; any other broker through `@tablecast/gateway/testing`).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Broker, BrokerMessage } from '../broker/broker.js';
import type { HistoryLimits } from '../broker/history.js';

/** Makes a fresh, empty broker with these history limits and clock (microseconds). */
export type BrokerFactory = (limits: HistoryLimits, now: () => number) => Promise<Broker>;

const LIMITS: HistoryLimits = { maxMessages: 100, maxAgeS: 60 };

async function until(pred: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Registers the conformance suite (node:test `describe`/`test`) for one Broker implementation:
 * sequencing, delivery, history, epochs and resume must behave alike in every broker.
 * @param name shown in the test names
 * @param factory returns a function making a fresh, empty broker (called per test, after setup)
 * @param options.skip a reason to skip the suite (e.g. a missing redis-server), or false
 */
export function brokerSuite(name: string, factory: () => BrokerFactory, options: { skip?: string | false } = {}): void {
  describe(`Broker suite: ${name}`, { skip: options.skip }, () => {
    const open: Broker[] = [];
    let clock = Date.now() * 1000;
    const now = () => clock;
    const make = async (limits: HistoryLimits = LIMITS) => {
      const b = await factory()(limits, now);
      open.push(b);
      return b;
    };
    after(async () => {
      for (const b of open) await b.close();
    });

    test('sequences are per stream, start at 1 and increase by 1', async () => {
      const b = await make();
      const ev = [];
      for (let i = 0; i < 5; i++) ev.push((await b.publish('event', { event: 'shot_started', i }, clock, true)).sequence);
      const al = [];
      for (let i = 0; i < 3; i++) al.push((await b.publish('alert', { level: 'info', code: 'X', message: String(i), details: {} }, clock, true)).sequence);
      const st = (await b.publish('state', { balls: [] }, clock, false)).sequence;
      assert.deepEqual(ev, [1, 2, 3, 4, 5]);
      assert.deepEqual(al, [1, 2, 3]);
      assert.equal(st, 1);
    });

    test('publish resolves with the sequenced message; its epoch is the position epoch', async () => {
      const b = await make();
      const m = await b.publish('event', { event: 'cue_detected', n: [1, 2], empty: [], nested: { a: null } }, 1_700_000_000_123_456, true);
      assert.equal(m.stream, 'event');
      assert.equal(m.sequence, 1);
      assert.equal(m.timestampMicros, 1_700_000_000_123_456);
      assert.deepEqual(m.data, { event: 'cue_detected', n: [1, 2], empty: [], nested: { a: null } });
      const pos = await b.position('event');
      assert.deepEqual(pos, { epoch: m.epoch, latest: 1 });
      assert.equal((await b.position('event')).epoch, pos.epoch, 'epoch is stable');
    });

    test('the subscribed handler gets every publication once, in sequence order, with the same data', async () => {
      const b = await make();
      const got: BrokerMessage[] = [];
      await b.subscribe('event', (m) => got.push(m), true);
      const n = 200;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => b.publish('event', { event: 'ball_pocketed', i, list: [] }, clock, true)));
      await until(() => got.length >= n, `${n} deliveries`);
      assert.deepEqual(got.map((m) => m.sequence), Array.from({ length: n }, (_, i) => i + 1));
      const bySeq = new Map(results.map((r) => [r.sequence, r.data]));
      for (const m of got) assert.deepEqual(m.data, bySeq.get(m.sequence));
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(got.length, n, 'no duplicate deliveries');
    });

    test('unsubscribe stops delivery; other streams are not delivered to a stream handler', async () => {
      const b = await make();
      const got: BrokerMessage[] = [];
      await b.subscribe('alert', (m) => got.push(m), true);
      await b.publish('event', { event: 'x' }, clock, true);
      await b.publish('alert', { level: 'info', code: 'A', message: 'a', details: {} }, clock, true);
      await until(() => got.length === 1, 'one alert');
      await b.unsubscribe('alert');
      await b.publish('alert', { level: 'info', code: 'B', message: 'b', details: {} }, clock, true);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(got.length, 1);
      assert.equal(got[0]!.stream, 'alert');
    });

    test('history after `since`: in order, recovered, with latest and epoch', async () => {
      const b = await make();
      for (let i = 1; i <= 10; i++) await b.publish('event', { event: 'e', i }, clock, true);
      const { epoch } = await b.position('event');
      const r = await b.history('event', 4, epoch, 100);
      assert.equal(r.recovered, true);
      assert.equal(r.latest, 10);
      assert.equal(r.epoch, epoch);
      assert.deepEqual(r.messages.map((m) => m.sequence), [5, 6, 7, 8, 9, 10]);
      assert.deepEqual(r.messages.map((m) => m.data.i), [5, 6, 7, 8, 9, 10]);
      const none = await b.history('event', 10, epoch, 100);
      assert.deepEqual({ n: none.messages.length, rec: none.recovered }, { n: 0, rec: true }, 'since == latest');
      const all = await b.history('event', 0, undefined, 100);
      assert.equal(all.recovered, true, 'since 0 without epoch');
      assert.equal(all.messages.length, 10);
    });

    test('not recovered: since ahead of latest, other epoch, more than the limit', async () => {
      const b = await make();
      for (let i = 1; i <= 10; i++) await b.publish('event', { event: 'e', i }, clock, true);
      const { epoch } = await b.position('event');
      assert.equal((await b.history('event', 11, epoch, 100)).recovered, false, 'since > latest');
      const other = await b.history('event', 5, 'someotherepoch00', 100);
      assert.equal(other.recovered, false, 'epoch mismatch');
      assert.equal(other.epoch, epoch, 'reports the current epoch');
      assert.equal((await b.history('event', 0, epoch, 3)).recovered, false, '10 missed, limit 3');
    });

    test('count bound: a gap older than history.max_messages is not recovered', async () => {
      const b = await make({ maxMessages: 10, maxAgeS: 60 });
      for (let i = 1; i <= 25; i++) await b.publish('event', { event: 'e', i }, clock, true);
      assert.equal((await b.history('event', 10, undefined, 10)).recovered, false, 'needs 11..25 (15 > 10)');
      const r = await b.history('event', 15, undefined, 10);
      assert.equal(r.recovered, true);
      assert.deepEqual(r.messages.map((m) => m.sequence), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    });

    test('age bound: messages older than history.max_age_s are not recovered', async () => {
      const b = await make({ maxMessages: 100, maxAgeS: 10 });
      const old = clock - 20e6;
      for (let i = 1; i <= 3; i++) await b.publish('event', { event: 'old', i }, old, true);
      for (let i = 4; i <= 5; i++) await b.publish('event', { event: 'new', i }, clock, true);
      assert.equal((await b.history('event', 0, undefined, 100)).recovered, false, 'messages 1..3 expired');
      const r = await b.history('event', 3, undefined, 100);
      assert.equal(r.recovered, true);
      assert.deepEqual(r.messages.map((m) => m.sequence), [4, 5]);
      clock += 15e6; // 15 s later the new ones (age 15 s > 10 s) expired too
      assert.equal((await b.history('event', 3, undefined, 100)).recovered, false);
    });

    test('latest-value streams are sequenced but not kept in history', async () => {
      const b = await make();
      for (let i = 0; i < 3; i++) await b.publish('state', { balls: [], i }, clock, false);
      assert.equal((await b.position('state')).latest, 3);
      assert.equal((await b.history('state', 1, undefined, 100)).recovered, false);
      assert.equal((await b.history('state', 3, undefined, 100)).recovered, true, 'nothing missed');
    });

    test('health reports the kind and a healthy status', async () => {
      const b = await make();
      const h = b.health();
      assert.equal(h.kind, b.kind);
      assert.equal(h.status, 'healthy');
    });
  });
}

