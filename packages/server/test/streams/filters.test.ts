// Every filter of PROTOCOL section 4 over real sockets: max_fps (and the frame_rate alias) sending the
// newest message when the interval passed, min_confidence, ball_ids, region, include/exclude_fields,
// conditions with each operator (and INVALID_FILTER with details.path for bad ones), quality for
// `frame` (a real JPEG re-encoded smaller), aggregation_window_ms batches, sample_rate, coordinates
// pixels_4k, and variant sharing between clients with identical content filters.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { connect, type Msg, type TestClient } from '../helpers/ws-client.js';
import { alertPayload, burst, eventPayload, performancePayload, startServer, statePayload, waitFor, type Started } from '../helpers/server.js';

let s: Started;
const clients: TestClient[] = [];
before(async () => {
  s = await startServer();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await s.close();
});

async function client(): Promise<TestClient> {
  const c = await connect(s.ws);
  clients.push(c);
  return c;
}

/** Closes the clients of a test (the server is shared by the file). */
async function done(...cs: TestClient[]): Promise<void> {
  await Promise.all(cs.map((c) => c.close()));
}

const BALLS = [
  { id: 'cue', number: 0, x: 0.5, y: 0.5, confidence: 0.99 },
  { id: 1, number: 1, x: 1.0, y: 0.3, confidence: 0.4 },
  { id: 2, number: 2, x: 2.0, y: 1.0, confidence: 0.8 },
  { id: 9, number: 9, x: 1.2, y: 0.9, confidence: 0.6 },
];

/** Publishes one state with BALLS and returns the message `c` receives for it. */
async function stateThrough(c: TestClient): Promise<Msg> {
  const r = await s.server.publish('state', statePayload(BALLS));
  return c.next((m) => m.type === 'state' && m.sequence === r.sequence);
}

test('max_fps on a latest-value stream: first at once, then only the newest when the interval passed', async () => {
  // Two streams without a last value, so the subscribe sends nothing at once.
  for (const [field, stream] of [['max_fps', 'trajectory'], ['frame_rate', 'performance']] as const) {
    const c = await client();
    await c.subscribe([stream], { [field]: 5 }); // 200 ms interval
    const payloads = Array.from({ length: 10 }, (_, i) => (stream === 'trajectory' ? { ball_id: 'cue', lines: [], collisions: [], i } : performancePayload(20 + i)));
    const t0 = performance.now();
    const seqs = await burst(s, stream, payloads);
    const first = await c.nextOf(stream);
    assert.equal(first.sequence, seqs[0], `${field}: the first message goes out at once`);
    const second = await c.nextOf(stream, 2000);
    assert.equal(second.sequence, seqs[9], `${field}: after the interval the newest is sent, not a backlog`);
    // Measured from before the first send (arrival times of the first message vary with load).
    const gap = second.at - t0;
    assert.ok(gap >= 180 && gap < 3000, `${field}: the newest follows one interval (200 ms) later (got ${gap.toFixed(0)} ms, tolerance 180..3000 for loaded machines)`);
    await c.barrier();
    assert.equal(c.of(stream).length, 2, `${field}: exactly two messages for ten publishes`);
    const st = await c.request({ type: 'get_status' }, 'status');
    assert.ok(st.data.dropped >= 8, `${field}: the skipped ones are counted as dropped (got ${st.data.dropped})`);
    const metrics = (await s.server.app.inject({ method: 'GET', url: '/api/v1/websocket/metrics' })).json();
    assert.ok(metrics.dropped_by_reason.throttled >= 8, 'and in the server metrics');
    await done(c);
  }
});

test('max_fps on a reliable stream loses nothing: the throttled messages arrive batched', async () => {
  const c = await client();
  await c.subscribe(['event'], { max_fps: 5 });
  const seqs = await burst(s, 'event', Array.from({ length: 6 }, (_, i) => eventPayload('shot_started', { i })));
  const first = await c.nextOf('event');
  assert.equal(first.sequence, seqs[0]);
  const batch = await c.nextOf('batch', 2000);
  assert.deepEqual(batch.data.messages.map((m: Msg) => m.sequence), seqs.slice(1));
  assert.ok(batch.data.messages.every((m: Msg) => m.type === 'event' && m.data.sequence === m.sequence));
  await done(c);
});

test('min_confidence, ball_ids (ids and numbers), region', async () => {
  const c1 = await client();
  await c1.subscribe(['state'], { min_confidence: 0.7 });
  const m1 = await stateThrough(c1);
  assert.deepEqual(m1.data.balls.map((b: { id: unknown }) => b.id), ['cue', 2], 'balls below 0.7 removed');
  assert.equal(m1.data.ball_count, 2, 'ball_count follows the filter');

  const c2 = await client();
  await c2.subscribe(['state'], { ball_ids: ['cue', 9] });
  const m2 = await stateThrough(c2);
  assert.deepEqual(m2.data.balls.map((b: { id: unknown }) => b.id), ['cue', 9]);

  const c3 = await client();
  await c3.subscribe(['state'], { region: { x: 0.9, y: 0.2, width: 0.5, height: 0.8 } }); // x 0.9..1.4, y 0.2..1.0
  const m3 = await stateThrough(c3);
  assert.deepEqual(m3.data.balls.map((b: { id: unknown }) => b.id), [1, 9], 'only balls inside the region');

  const c4 = await client();
  await c4.subscribe(['trajectory'], { ball_ids: ['cue'] });
  const r = await s.server.publish('trajectory', {
    ball_id: 'cue',
    lines: [
      { start: { x: 0.5, y: 0.5 }, end: { x: 1, y: 0.5 }, type: 'primary', ball_id: 'cue', confidence: 0.9 },
      { start: { x: 1, y: 0.5 }, end: { x: 2, y: 0.5 }, type: 'secondary', ball_id: 1, confidence: 0.9 },
    ],
    collisions: [
      { time: 0.5, position: { x: 1, y: 0.5 }, type: 'ball_ball', ball1_id: 'cue', ball2_id: 1, angle: 10 },
      { time: 0.9, position: { x: 2, y: 0.5 }, type: 'ball_cushion', ball1_id: 1, ball2_id: null, angle: 0 },
    ],
    pocketed: [1],
  });
  const t = await c4.next((m) => m.type === 'trajectory' && m.sequence === r.sequence);
  assert.equal(t.data.lines.length, 1);
  assert.equal(t.data.lines[0].ball_id, 'cue');
  assert.equal(t.data.collisions.length, 1, 'collisions that involve the ball are kept');
  assert.deepEqual(t.data.pocketed, []);
  assert.equal(t.data.line_count, 1);
  await done(c1, c2, c3, c4);
});

test('include_fields / exclude_fields keep or remove keys of data (sequence stays)', async () => {
  const inc = await client();
  await inc.subscribe(['state'], { include_fields: ['balls', 'frame_number'] });
  const exc = await client();
  await exc.subscribe(['state'], { exclude_fields: ['balls', 'table'] });
  const r = await s.server.publish('state', statePayload(BALLS, { frame_number: 77 }));
  const mi = await inc.next((m) => m.type === 'state' && m.sequence === r.sequence);
  assert.deepEqual(Object.keys(mi.data).sort(), ['balls', 'frame_number', 'sequence']);
  assert.equal(mi.data.sequence, r.sequence);
  const me = await exc.next((m) => m.type === 'state' && m.sequence === r.sequence);
  assert.equal('balls' in me.data, false);
  assert.equal('table' in me.data, false);
  assert.equal(me.data.frame_number, 77);
  assert.equal(me.data.sequence, r.sequence);
  await done(inc, exc);
});

test('conditions: every operator (eq ne gt ge lt le in not_in contains) and the {path: value} shorthand', async () => {
  const events = [
    eventPayload('ball_pocketed', { n: 1, tags: ['solid', 'corner'], name: 'one ball', meta: { pocket: 'top_left' } }),
    eventPayload('ball_pocketed', { n: 2, tags: ['stripe'], name: 'ten ball', meta: { pocket: 'side' } }),
    eventPayload('scratch', { n: 3, tags: [], name: 'cue ball', meta: { pocket: 'top_left' } }),
    eventPayload('shot_started', { n: 4, name: 'shot' }),
  ];
  const cases: [string, Record<string, unknown>, number[]][] = [
    ['shorthand eq', { event: 'ball_pocketed' }, [1, 2]],
    ['nested path', { 'meta.pocket': 'top_left' }, [1, 3]],
    ['eq', { n: { eq: 2 } }, [2]],
    ['ne', { n: { ne: 2 } }, [1, 3, 4]],
    ['gt', { n: { gt: 2 } }, [3, 4]],
    ['ge', { n: { ge: 2 } }, [2, 3, 4]],
    ['lt', { n: { lt: 2 } }, [1]],
    ['le', { n: { le: 2 } }, [1, 2]],
    ['range (two ops)', { n: { gt: 1, lt: 4 } }, [2, 3]],
    ['in', { event: { in: ['scratch', 'shot_started'] } }, [3, 4]],
    ['not_in', { event: { not_in: ['scratch', 'shot_started'] } }, [1, 2]],
    ['contains (array)', { tags: { contains: 'solid' } }, [1]],
    ['contains (string)', { name: { contains: 'ball' } }, [1, 2, 3]],
    ['missing path never gt', { missing: { gt: 0 } }, []],
  ];
  const subs: [string, TestClient, number[]][] = [];
  for (const [name, conditions, expected] of cases) {
    const c = await client();
    await c.subscribe(['event'], { conditions });
    subs.push([name, c, expected]);
  }
  for (const e of events) await s.server.publish('event', e);
  for (const [name, c, expected] of subs) {
    await c.barrier();
    assert.deepEqual(c.of('event').map((m) => m.data.n), expected, `conditions ${name}`);
  }
  await done(...subs.map((x) => x[1]));
});

test('bad filters -> INVALID_FILTER with details.path; the connection stays open', async () => {
  const c = await client();
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ conditions: { n: { regex: '.*' } } }, /conditions\.n\.regex/],
    [{ conditions: { event: { in: 'scratch' } } }, /conditions\.event\.in/],
    [{ conditions: { n: { gt: { x: 1 } } } }, /conditions\.n\.gt/],
    [{ conditions: { n: {} } }, /conditions\.n/],
    [{ conditions: { 'a..b': 1 } }, /conditions\.a\.\.b/],
    [{ max_fps: -1 }, /max_fps/],
    [{ max_fps: 'fast' }, /max_fps/],
    [{ min_confidence: 2 }, /min_confidence/],
    [{ quality: 'ultra' }, /quality/],
    [{ coordinates: 'pixels_8k' }, /coordinates/],
    [{ region: { x: 0, y: 0, width: 0, height: 1 } }, /region/],
    [{ sample_rate: 0 }, /sample_rate/],
    [{ aggregation_window_ms: 1.5 }, /aggregation_window_ms/],
    [{ unknown_filter: true }, /filters/],
  ];
  for (const [filters, path] of bad) {
    const r = await c.request({ type: 'subscribe', data: { streams: ['event'], filters } }, 'subscribed');
    assert.equal(r.type, 'error', `${JSON.stringify(filters)} is rejected`);
    assert.equal(r.data.code, 'INVALID_FILTER', `${JSON.stringify(filters)}: code`);
    assert.match(String(r.data.details?.path), path, `${JSON.stringify(filters)}: details.path ${r.data.details?.path}`);
  }
  const st = await c.request({ type: 'get_status' }, 'status');
  assert.deepEqual(st.data.subscriptions, [], 'nothing was subscribed by a rejected subscribe');
  assert.equal(c.closeInfo, null);
  await done(c);
});

test('quality for `frame`: a real JPEG is re-encoded; low gives a smaller width than the original', async () => {
  const jpeg = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: { r: 20, g: 110, b: 50 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const low = await client();
  await low.subscribe(['frame'], { quality: 'low' });
  const medium = await client();
  await medium.subscribe(['frame'], { quality: 'medium' });
  const full = await client();
  await full.subscribe(['frame']);
  const r = await s.server.publish('frame', { image: jpeg.toString('base64'), width: 1920, height: 1080, format: 'jpeg', quality: 90, fps: 30, size_bytes: jpeg.length });
  const ml = await low.next((m) => m.type === 'frame' && m.sequence === r.sequence, 5000);
  const mm = await medium.next((m) => m.type === 'frame' && m.sequence === r.sequence, 5000);
  const mf = await full.next((m) => m.type === 'frame' && m.sequence === r.sequence, 5000);
  assert.equal(mf.data.width, 1920);
  const lowMeta = await sharp(Buffer.from(ml.data.image, 'base64')).metadata();
  assert.ok(ml.data.width <= 640 && ml.data.width < 1920, `low width ${ml.data.width} <= 640`);
  assert.equal(lowMeta.width, ml.data.width, 'width field matches the JPEG');
  assert.equal(lowMeta.format, 'jpeg');
  assert.ok(mm.data.width <= 1280 && mm.data.width > ml.data.width, `medium width ${mm.data.width}`);
  assert.equal(ml.data.quality, 'low');
  assert.ok(ml.data.size_bytes < jpeg.length, 'fewer bytes than the original');
  assert.equal(ml.data.sequence, r.sequence);
  assert.equal(ml.timestamp, r.timestamp, 'the transcoded variant keeps the publish timestamp');
  await done(low, medium, full);
});

test('aggregation_window_ms batches a window of messages into one `batch {messages}`', async () => {
  const c = await client();
  await c.subscribe(['alert'], { aggregation_window_ms: 150 });
  const seqs = await burst(s, 'alert', Array.from({ length: 5 }, (_, i) => alertPayload(`w${i}`)));
  const b = await c.nextOf('batch', 2000);
  assert.equal(b.sequence, 0);
  assert.deepEqual(b.data.messages.map((m: Msg) => m.sequence), seqs);
  assert.deepEqual(b.data.messages.map((m: Msg) => m.data.message), ['w0', 'w1', 'w2', 'w3', 'w4']);
  assert.ok(b.data.messages.every((m: Msg) => m.type === 'alert' && /\+00:00$/.test(m.timestamp)));
  await c.barrier();
  assert.equal(c.of('alert').length, 0, 'no unbatched copies');
  await done(c);
});

test('sample_rate n sends every n-th message', async () => {
  const c = await client();
  await c.subscribe(['event'], { sample_rate: 3 });
  const seqs: number[] = [];
  for (let i = 0; i < 9; i++) seqs.push((await s.server.publish('event', eventPayload('tick', { i }))).sequence);
  await c.barrier();
  assert.deepEqual(c.of('event').map((m) => m.sequence), [seqs[0], seqs[3], seqs[6]]);
  const metrics = (await s.server.app.inject({ method: 'GET', url: '/api/v1/websocket/metrics' })).json();
  assert.equal(metrics.dropped_by_reason.sampled, 6, 'the skipped ones are counted');
  await done(c);
});

test('coordinates pixels_4k: positions scaled to 3840x2160 with scale [1, 1]', async () => {
  // A table without a camera calibration: the linear mapping, playing surface -> whole 4K frame.
  await s.server.publish('state', statePayload([], { table: { width: 2.54, height: 1.27, pockets: [] } }));
  const px = await client();
  await px.subscribe(['state', 'trajectory'], { coordinates: 'pixels_4k' });
  const m = await client();
  await m.subscribe(['state']);
  const r = await s.server.publish('state', statePayload([{ id: 'cue', number: 0, x: 1.27, y: 0.635, vx: 0.254, vy: 0 }, { id: 1, x: 2.54, y: 1.27 }]));
  const got = await px.next((x) => x.type === 'state' && x.sequence === r.sequence);
  const [cue, one] = got.data.balls;
  assert.ok(Math.abs(cue.position.x - 1920) < 1e-6 && Math.abs(cue.position.y - 1080) < 1e-6, `centre -> (1920, 1080) ±1e-6 px, got ${JSON.stringify(cue.position)}`);
  assert.deepEqual(cue.position.scale, [1, 1]);
  assert.ok(Math.abs(one.position.x - 3840) < 1e-6 && Math.abs(one.position.y - 2160) < 1e-6, 'far corner -> (3840, 2160) ±1e-6 px');
  assert.ok(Math.abs(cue.velocity.x - 384) < 1e-6 && Math.abs(cue.velocity.y) < 1e-6, 'velocity scaled too (0.254 m/s -> 384 px/s ±1e-6)');
  assert.deepEqual(cue.velocity.scale, [1, 1]);
  const metres = await m.next((x) => x.type === 'state' && x.sequence === r.sequence);
  assert.equal(metres.data.balls[0].position.x, 1.27, 'other clients still get metres');
  const tr = await s.server.publish('trajectory', {
    ball_id: 'cue',
    lines: [{ start: { x: 0, y: 0 }, end: { x: 2.54, y: 1.27 }, type: 'primary' }],
    collisions: [{ time: 1, position: { x: 1.27, y: 0 }, type: 'ball_cushion' }],
  });
  const t = await px.next((x) => x.type === 'trajectory' && x.sequence === tr.sequence);
  assert.ok(Math.abs(t.data.lines[0].end.x - 3840) < 1e-6 && Math.abs(t.data.lines[0].end.y - 2160) < 1e-6);
  assert.ok(Math.abs(t.data.collisions[0].position.x - 1920) < 1e-6);
  await done(px, m);
});

test('clients with identical content filters share one variant (one serialization, identical bytes)', async () => {
  const variantsOf = (stream: string): Map<string, { subs: Set<unknown> }> =>
    (s.server.hub as unknown as { variants: Map<string, Map<string, { subs: Set<unknown> }>> }).variants.get(stream) ?? new Map();
  const a = await client();
  const b = await client();
  const c = await client();
  const d = await client();
  // Same content filters in a different key/array order, different delivery filters: one variant.
  await a.subscribe(['state'], { min_confidence: 0.5, ball_ids: [1, 'cue'] });
  await b.subscribe(['state'], { ball_ids: ['cue', 1], min_confidence: 0.5, max_fps: 500 });
  await c.subscribe(['state'], { min_confidence: 0.5, ball_ids: [1, 'cue'], sample_rate: 1 });
  await d.subscribe(['state'], { min_confidence: 0.995, ball_ids: [1, 'cue'] });
  const variants = variantsOf('state');
  assert.equal(variants.size, 2, 'two distinct content filters -> two variants');
  const sizes = [...variants.values()].map((v) => v.subs.size).sort();
  assert.deepEqual(sizes, [1, 3]);
  const r = await s.server.publish('state', statePayload(BALLS));
  const [ma, mb, mc, md] = await Promise.all([a, b, c, d].map((x) => x.next((m) => m.type === 'state' && m.sequence === r.sequence)));
  assert.equal(ma!.raw.toString(), mb!.raw.toString(), 'identical bytes for the shared variant');
  assert.equal(ma!.raw.toString(), mc!.raw.toString(), 'identical bytes for the shared variant');
  assert.notEqual(ma!.raw.toString(), md!.raw.toString(), 'another content filter, other bytes');
  await done(a, b, c, d);
  await waitFor(() => variantsOf('state').size === 0, 'variants go away with their last subscriber');
});
