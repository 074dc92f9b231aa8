// The source worker and its bounded hand-off: real worker threads running the replay source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { HandoffRing } from '../../src/sources/handoff-ring.js';
import { SourceHost, type SourceFailure } from '../../src/sources/source-host.js';
import { parseSourceSpec } from '../../src/sources/source.js';
import { createPipelineMetrics } from '../../src/metrics/pipeline-metrics.js';

const dir = mkdtempSync(join(tmpdir(), 'tablecast-handoff-'));
const log = pino({ level: 'silent' });

/** A recording of `n` state messages 1 ms apart; ball '1' at x = 0.1 + i/10000 m encodes i. */
function recording(n: number, corruptAt?: number, spacingMs = 1): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === corruptAt) {
      lines.push('{not json');
      continue;
    }
    const data = {
      balls: [{ id: '1', number: 1, position: { x: 0.1 + i / 10000, y: 0.5, scale: [1, 1] }, radius: 0.028575, confidence: 0.9 }],
      cue: null,
      table: null,
      frame_number: i + 1,
    };
    lines.push(JSON.stringify({ t: 1_800_000_000_000_000 + i * 1000 * spacingMs, msg: { type: 'state', timestamp: '', sequence: i + 1, data } }));
  }
  const file = join(dir, `rec-${n}-${corruptAt ?? 'ok'}-${spacingMs}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function host(spec: string, capacity: number, onFailure?: (f: SourceFailure) => void, backoff = { initial: 0.05, max: 0.2 }) {
  const registry = new Registry();
  const metrics = createPipelineMetrics(registry);
  const h = new SourceHost(
    spec,
    parseSourceSpec(spec),
    { fps: 30, speed: 1000 },
    { capacity, backoffInitialS: backoff.initial, backoffMaxS: backoff.max },
    metrics,
    log,
    onFailure,
  );
  return { h, registry };
}

test('ring: keeps the newest `capacity` items, drops the oldest and counts', () => {
  const r = new HandoffRing<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.equal(r.length, 3);
  assert.equal(r.dropped, 2);
  assert.deepEqual(r.drain(), [3, 4, 5]);
  assert.equal(r.length, 0);
  assert.throws(() => new HandoffRing(0), RangeError);
});

test('hand-off: a flooding source in a worker is bounded: oldest dropped and counted, newest kept', async () => {
  const n = 3000;
  const { h, registry } = host(`replay:${recording(n)}`, 4);
  await h.start();
  // The loop "falls behind": nothing is taken until the replay has ended.
  const deadline = Date.now() + 10_000;
  while (h.health().status !== 'ended' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.health().status, 'ended');
  const got = h.take();
  assert.equal(got.length, 4, 'never more than handoff_capacity buffered');
  const frames = got.map((d) => d.frameNumber);
  assert.deepEqual(frames, [...frames].sort((a, b) => a - b), 'oldest first');
  assert.equal(frames[3], n, 'the newest detection survives');
  const health = h.health();
  assert.ok(health.frames <= n && health.frames >= 4, `frames received ${health.frames}`);
  assert.equal(health.dropped_handoff, n - 4, 'every detection not delivered is counted as dropped');
  const metric = await registry.getSingleMetric('tablecast_handoff_dropped_total')!.get();
  const total = metric.values.reduce((s, v) => s + v.value, 0);
  assert.equal(total, n - 4);
  assert.equal(h.take().length, 0);
  await h.stop();
});

test('hand-off: when the loop keeps up nothing is dropped', async () => {
  const n = 200;
  const { h } = host(`replay:${recording(n, undefined, 3000)}`, 8); // 3 ms apart at speed 1000 -> 333 fps
  const got: number[] = [];
  const timer = setInterval(() => got.push(...h.take().map((d) => d.frameNumber)), 1);
  await h.start();
  const deadline = Date.now() + 10_000;
  while (h.health().status !== 'ended' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  got.push(...h.take().map((d) => d.frameNumber));
  // A consumer polling every ms keeps up with 333 fps: drops stay rare (tolerance: 5 % of frames).
  assert.ok(h.dropped() <= n * 0.05, `dropped ${h.dropped()}`);
  assert.equal(got.length + h.dropped(), n);
  await h.stop();
});

test('a throwing source is reported and restarted with exponential backoff; the host never hangs', async () => {
  const failures: (SourceFailure & { at: number })[] = [];
  const { h, registry } = host(`replay:${recording(50, 10)}`, 4, (f) => failures.push({ ...f, at: performance.now() }));
  await h.start();
  const deadline = Date.now() + 20_000;
  while (failures.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const health = h.health();
  await h.stop();
  assert.ok(failures.length >= 4, `failures ${failures.length}`);
  assert.match(failures[0]!.message, /line 11: not JSON/);
  assert.deepEqual(failures.slice(0, 4).map((f) => f.restartInS), [0.05, 0.1, 0.2, 0.2], 'initial x 2^n, capped at max');
  assert.deepEqual(failures.slice(0, 4).map((f) => f.attempt), [1, 2, 3, 4]);
  for (let i = 1; i < 4; i++) {
    const gap = (failures[i]!.at - failures[i - 1]!.at) / 1000;
    assert.ok(gap >= failures[i - 1]!.restartInS - 0.01, `restart ${i} waited the backoff (gap ${gap} s >= ${failures[i - 1]!.restartInS} s)`);
  }
  assert.ok(health.restarts >= 3);
  assert.match(String(health.last_error), /not JSON/);
  const failed = await registry.getSingleMetric('tablecast_source_failures_total')!.get();
  assert.ok(failed.values[0]!.value >= 4);
  const restarts = await registry.getSingleMetric('tablecast_source_restarts_total')!.get();
  assert.ok(restarts.values[0]!.value >= 3);
  assert.equal(h.health().status, 'stopped');
});

test('a source that cannot start (missing file) is reported, and "none" starts no worker', async () => {
  const failures: SourceFailure[] = [];
  const { h } = host(`replay:${join(dir, 'missing.ndjson')}`, 4, (f) => failures.push(f), { initial: 5, max: 5 });
  await h.start();
  assert.equal(failures.length, 1);
  assert.match(failures[0]!.message, /ENOENT/);
  assert.equal(h.health().status, 'failed');
  await h.stop();
  const none = host('none', 4).h;
  await none.start();
  assert.equal(none.health().status, 'none');
  assert.deepEqual(none.take(), []);
  await none.stop();
});
