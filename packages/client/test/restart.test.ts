// A server restart in the middle of a reliable stream: server A on port P is closed (clients get 1001),
// server B (a new instance, empty in-memory history, new epoch) starts on the same port while events
// keep being published. The SDK must reconnect by itself, resubscribe, report recovered:false honestly
// (B cannot know what A sent after the socket broke), replay what B published before it reconnected,
// and deliver every event once and in order.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { TablecastClient, type ClientStatus } from '@tablecast/client';
import { sleep, startServer, stateWith, waitFor, type Started } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

test('server restart mid-stream: reconnect, resubscribe, no reliable message lost or duplicated', async () => {
  const a = await startServer(0);
  let current: Started | null = a;
  cleanup.push(async () => current?.server.close());
  const port = a.port;

  const c = new TablecastClient({ url: a.ws, WebSocket, reconnect: { initialMs: 300, maxMs: 1000 }, pingIntervalMs: 200 });
  cleanup.push(() => c.close());
  const log: ClientStatus[] = [];
  c.onStatus((s) => log.push(s));
  const events: { n: number; server: string; seq: number }[] = [];
  c.on('event', (d, env) => events.push({ n: d.n as number, server: d.server as string, seq: env.sequence }));
  let states = 0;
  c.on('state', () => states++);
  await c.connect();
  await c.subscribe(['event']);
  await c.subscribe(['state'], { max_fps: 60 });

  // continuous publisher: one event every 5 ms on whichever server is up
  let n = 0;
  let publishing = true;
  const published: number[] = [];
  const publisher = (async () => {
    while (publishing) {
      const srv = current;
      if (srv) {
        const name = srv === a ? 'A' : 'B';
        const k = n++;
        try {
          await srv.server.publish('event', { event: 'tick', n: k, server: name });
          published.push(k);
        } catch {
          n--; // server closing: publish it on the next one
        }
      }
      await sleep(5);
    }
  })();

  await waitFor(() => events.length >= 30, '30 events from A');
  await a.server.publish('state', stateWith([{ id: 'cue', number: 0, x: 1, y: 0.5 }]));

  // restart: close A (1001 to clients), start B on the same port; publishing continues on B at once
  current = null;
  await a.server.close();
  const lastFromA = published.length;
  const b = await startServer(port);
  current = b;
  await waitFor(() => log.some((s) => s.type === 'resubscribed'), 'resubscribe on B', 8000);
  await waitFor(() => events.some((e) => e.server === 'B' && e.n >= lastFromA + 40), 'live events from B');
  publishing = false;
  await publisher;
  const total = published.length;
  await waitFor(() => events.length >= total, `all ${total} events`, 5000).catch((e) => { console.log(JSON.stringify({ lastFromA, total, events: events.map((x) => x.server + x.n + ':' + x.seq).join(' '), log }, null, 1)); throw e; });
  await sleep(50);

  const ns = events.map((e) => e.n);
  assert.deepEqual(ns, Array.from({ length: total }, (_, i) => i), 'every event published on A and B, once, in order');
  assert.ok(events.filter((e) => e.server === 'A').length === lastFromA, 'every event of A');
  assert.ok(events.some((e) => e.server === 'B' && e.seq === 1), 'B replayed from its first sequence');

  const disc = log.find((s) => s.type === 'disconnected');
  assert.ok(disc && disc.type === 'disconnected' && disc.code === 1001 && disc.willReconnect, '1001 from A, reconnect');
  assert.ok(log.some((s) => s.type === 'reconnecting'), 'reconnecting reported');
  const res = log.find((s) => s.type === 'resubscribed');
  assert.ok(res && res.type === 'resubscribed');
  assert.equal(res.recovered.event, false, 'recovered:false: B has a new history epoch and cannot vouch for the gap');
  assert.deepEqual(res.restarted, ['event']);
  assert.equal(c.state, 'connected');
  assert.equal(c.stats.duplicates, 0, 'the server sent no duplicates (the SDK would have dropped them)');

  // the latest-value stream is back too
  const before = states;
  await b.server.publish('state', stateWith([{ id: 'cue', number: 0, x: 1.2, y: 0.5 }]));
  await waitFor(() => states > before, 'state from B');
});
