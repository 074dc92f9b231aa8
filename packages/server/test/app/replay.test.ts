// Replay round trip: a real server running the simulator pipeline -> recordToFile over WebSocket ->
// NDJSON -> the replay source in a worker -> the same states as detections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { StatePayload } from '@tablecast/protocol';
import { startServer } from '../helpers/server.js';
import { createPipelineMetrics, parseSourceSpec, recordToFile, SourceHost, type Detection, type RecordedLine } from '@tablecast/pipeline';

test('record a live gateway to NDJSON, replay it as detections at 2x speed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tablecast-replay-'));
  const file = join(dir, 'session.ndjson');
  const srv = await startServer({ source: { spec: 'simulator', frames: false, seed: 4 }, integration: { state_heartbeat_s: 0.2 } });
  let recorded: RecordedLine[];
  try {
    const rec = await recordToFile(srv.ws, file, ['state', 'event']);
    await new Promise((r) => setTimeout(r, 2500));
    await rec.close();
    assert.ok(rec.count > 10, `recorded ${rec.count} messages`);
    recorded = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedLine);
    assert.equal(recorded.length, rec.count);
  } finally {
    await srv.close();
  }
  for (const l of recorded) {
    assert.equal(typeof l.t, 'number');
    assert.ok(l.t > 1.7e15 && l.t < 2.2e15, 'receive time in microseconds since the epoch');
    assert.equal(typeof l.msg.type, 'string');
  }
  const states = recorded.filter((l) => l.msg.type === 'state');
  assert.ok(states.length >= 10, `${states.length} states`);
  assert.ok(recorded.some((l) => l.msg.type === 'event'), 'events recorded too');
  const first = states[0]!.msg.data as StatePayload;
  assert.equal(first.balls.length, 16);
  assert.match(String(first.capture_timestamp), /\.\d{6}\+00:00$/);

  // Replay at 2x in a real worker; a consumer drains the hand-off every 2 ms.
  const spec = `replay:${file}`;
  const host = new SourceHost(spec, parseSourceSpec(spec), { fps: 30, speed: 2 }, { capacity: 16, backoffInitialS: 0.1, backoffMaxS: 1 }, createPipelineMetrics(new Registry()), pino({ level: 'silent' }));
  const got: { d: Detection; at: number }[] = [];
  const timer = setInterval(() => {
    for (const d of host.take()) got.push({ d, at: performance.now() });
  }, 2);
  await host.start();
  const deadline = Date.now() + 10_000;
  while (host.health().status !== 'ended' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 10));
  clearInterval(timer);
  for (const d of host.take()) got.push({ d, at: performance.now() });
  await host.stop();
  assert.equal(host.health().status, 'ended', 'done resolved at the end of the file');
  assert.equal(got.length, states.length, 'every recorded state replayed');
  assert.equal(host.dropped(), 0);
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!.msg.data as StatePayload;
    const d = got[i]!.d;
    assert.equal(d.frameNumber, s.frame_number);
    assert.equal(d.balls.length, s.balls.length);
    for (let k = 0; k < s.balls.length; k++) {
      assert.equal(d.balls[k]!.id, String(s.balls[k]!.id));
      assert.equal(d.balls[k]!.x, s.balls[k]!.position.x);
      assert.equal(d.balls[k]!.y, s.balls[k]!.position.y);
    }
    assert.equal(!!d.cue, !!s.cue);
  }
  // Pace: the replay spans half the recorded time (tolerance 30 % + 60 ms for polling).
  const recordedSpanMs = (states[states.length - 1]!.t - states[0]!.t) / 1000;
  const replaySpanMs = got[got.length - 1]!.at - got[0]!.at;
  assert.ok(Math.abs(replaySpanMs - recordedSpanMs / 2) < recordedSpanMs * 0.15 + 60, `replay ${replaySpanMs} ms vs recorded ${recordedSpanMs} ms / 2`);
});
