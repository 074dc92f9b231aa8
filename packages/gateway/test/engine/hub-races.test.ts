// Two defects of the hub (issue 13), each reproduced with a fake broker or transport first:
// 1. a session that closes while `subscribe` awaits the broker's history read must not stay
//    registered for the streams the loop goes on to subscribe (it inflated subscriber counts and
//    kept the broker subscription);
// 2. a subscription that throws on the asynchronous filter path (the billiards server's `frame`
//    quality re-encoding) is counted as a failed send like on the plain path, never an unhandled
//    rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import client from 'prom-client';
import { ClientSession, GatewayMetrics, Hub, MemoryBroker, type FilterPlugin, type HistoryRange } from '../../src/index.js';
import { testCatalog } from '../helpers/catalog.js';

/** A memory broker whose history reads take real time, like the Redis broker's. */
class SlowHistoryBroker extends MemoryBroker {
  override async history(stream: string, since: number, epoch: string | undefined, limit: number): Promise<HistoryRange> {
    await new Promise((r) => setTimeout(r, 20));
    return super.history(stream, since, epoch, limit);
  }
}

/** A session over a fake transport: a discard-only socket for the pre-framed writes. */
function fakeSession(id: string): ClientSession {
  const socket = new Writable({ write: (_c, _e, cb) => cb() });
  return new ClientSession(id, { _socket: socket, readyState: 1, OPEN: 1, close: () => undefined, terminate: () => undefined } as never, '127.0.0.1', 'json', false,
    { maxQueueBytes: 1 << 20, highWaterBytes: 256 << 10, compressThreshold: 1024 },
    { onSent: () => undefined, onDrop: () => undefined });
}

test('a session closed while subscribe awaits the history read leaves no subscription behind', async () => {
  const metrics = new GatewayMetrics(new client.Registry(), () => 0);
  const broker = new SlowHistoryBroker({ maxMessages: 100, maxAgeS: 60 });
  const hub = new Hub({ broker, metrics, historyLimit: 100, catalog: testCatalog() });
  await hub.publish('alert', { message: 'a' });
  await hub.publish('event', { event: 'e' });
  const session = fakeSession('leaver');
  hub.add(session);
  const pending = hub.subscribe(session, ['alert', 'event'], {}, { alert: 0, event: 0 });
  await new Promise((r) => setTimeout(r, 5));
  // The socket closes mid-subscribe (what the gateway does on 'close').
  session.closed = true;
  hub.remove(session);
  const { deliver } = await pending;
  deliver();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(hub.sessions.size, 0);
  assert.equal(hub.subscriberCount('alert'), 0, 'alert');
  assert.equal(hub.subscriberCount('event'), 0, 'event: registered after the await, for a session already gone');
  assert.equal(session.subscriptions.size, 0);
});

/** An asynchronous content filter (like re-encoding a frame at a quality level). */
const quality: FilterPlugin = {
  name: 'quality',
  key: (f, stream) => (stream === 'frame' && f.quality ? f.quality : undefined),
  compile: (f) => ({ transformAsync: async (data) => ({ ...data, quality: f.quality }) }),
};

test('a subscription that throws on the asynchronous filter path is a counted failed send, not an unhandled rejection', async () => {
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);
  process.on('unhandledRejection', onRejection);
  try {
    const metrics = new GatewayMetrics(new client.Registry(), () => 0);
    const hub = new Hub({
      broker: new MemoryBroker({ maxMessages: 100, maxAgeS: 60 }), metrics, historyLimit: 100,
      catalog: testCatalog(), filterPlugins: [quality],
    });
    const good = fakeSession('good');
    const faulty = fakeSession('faulty');
    for (const s of [good, faulty]) {
      hub.add(s);
      (await hub.subscribe(s, ['frame'], { quality: 'low' })).deliver();
    }
    faulty.send = () => {
      throw new Error('injected failure');
    };
    const sent0 = good.messagesSent;
    await hub.publish('frame', { image: 'AAAA', width: 1, height: 1 });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(rejections, [], 'no unhandled rejection');
    assert.equal(metrics.failedSends, 1, 'counted like the plain path');
    assert.equal(good.messagesSent, sent0 + 1, 'the other subscriber got its frame');
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});
