// The server's event-loop delay monitor: a stall shows in the window it happened in, and the
// following quiet window replaces it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopLagMonitor } from '@tablecast/gateway';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('loop lag: a 150 ms stall is reported in its window, then a quiet window replaces it', async (t) => {
  const monitor = new LoopLagMonitor(10, 400);
  t.after(() => monitor.close());
  await sleep(50);
  block(150);
  await sleep(450); // the window holding the stall has rolled
  const stalled = monitor.recent();
  assert.ok(stalled.samples > 0);
  assert.ok(stalled.max >= 120, `max ${stalled.max} ms`);
  await sleep(900); // two quiet windows
  const quiet = monitor.recent();
  assert.ok(quiet.max < 100, `quiet window max ${quiet.max} ms`);
  monitor.close();
  monitor.close();
});
