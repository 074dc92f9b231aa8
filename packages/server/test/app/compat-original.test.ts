// Contract tests for the original system's own clients (issue 17, docs/COMPATIBILITY.md), written
// from their documented message forms and shapes: the web app's LiveView (`/api/v1/websocket/ws`,
// `{type, data: {streams: ['state']}}`) and VideoStore (`/api/v1/ws`, envelope with a client
// `timestamp`), the oldest single-stream subscribe, `?token=` with auth off, page reloads, the
// config store, the calibration page and the endpoint script's REST routes. Real servers, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { TABLE_W_BALLS, TABLE_W_BALLS_BALLS } from '../../../vision/test/fixtures.js';
import { tracked } from '../helpers/fixtures.js';
import { connect, type Msg, type TestClient } from '../helpers/ws-client.js';
import type { Started } from '../helpers/server.js';

const { server, clients } = tracked();
const open = async (s: Started, path: string, query: Record<string, string> = {}): Promise<TestClient> => {
  const c = await connect(s.url, query, { path });
  clients.push(c);
  return c;
};
/** The original web client's envelope: a client timestamp beside type and data. */
const original = (type: string, data: unknown) => ({ type, timestamp: new Date().toISOString(), data });
type Ball = { id: string; position: { x: number; y: number; scale: number[] }; radius: number };
const withBalls = (c: TestClient) => c.of('state').filter((m) => (m.data.balls as Ball[]).length > 0);

test('coordinates: the original\'s clients get positions and radii in the video frames\' pixels with scale to 4K; tablecast\'s own clients keep metres', async () => {
  const s = await server({ source: { spec: `image:${TABLE_W_BALLS}`, frames: true }, integration: { target_fps: 10 } });
  const live = await open(s, '/api/v1/websocket/ws'); // LiveView
  live.send({ type: 'subscribe', data: { streams: ['state'] } });
  const store = await open(s, '/api/v1/ws'); // VideoStore
  store.send(original('subscribe', { streams: ['state'] }));
  const ours = await open(s, '/api/v1/ws'); // tablecast's SDK form
  await ours.subscribe(['state']);
  for (const c of [live, store, ours]) await c.until(() => withBalls(c).length > 0, 30_000, 'a state with balls');
  // The frames the video endpoint serves.
  const jpeg = Buffer.from(await (await fetch(`${s.url}/api/v1/stream/video/frame`)).arrayBuffer());
  const { width, height } = await sharp(jpeg).metadata();
  assert.ok(width && height, 'the video endpoint serves a frame');
  for (const [name, c] of [['LiveView', live], ['VideoStore', store]] as const) {
    const balls = withBalls(c)[0]!.data.balls as Ball[];
    assert.equal(balls.length, TABLE_W_BALLS_BALLS.length, `${name}: every ball`);
    for (const b of balls) {
      assert.deepEqual(b.position.scale, [3840 / width!, 2160 / height!], `${name}: scale says these are video pixels`);
      assert.ok(b.radius > 5 && b.radius < 40, `${name}: radius ${b.radius} in pixels`);
    }
    // Every annotated ball centre of the photo has a ball within 3 px.
    for (const a of TABLE_W_BALLS_BALLS) {
      const d = Math.min(...balls.map((b) => Math.hypot(b.position.x - a.x, b.position.y - a.y)));
      assert.ok(d < 3, `${name}: ${a.what} at (${a.x}, ${a.y}) nearest ball ${d.toFixed(1)} px away`);
    }
  }
  const metres = withBalls(ours)[0]!.data.balls as Ball[];
  assert.ok(metres.every((b) => b.position.x < 2.6 && b.radius < 0.05 && b.position.scale[0] === 1), 'tablecast clients: metres');
  // An explicit choice wins on any path.
  const explicit = await open(s, '/api/v1/websocket/ws');
  await explicit.subscribe(['state'], { coordinates: 'table_m' });
  await explicit.until(() => withBalls(explicit).length > 0, 5000, 'a state');
  assert.ok((withBalls(explicit)[0]!.data.balls as Ball[]).every((b) => b.position.x < 2.6));
});

test('the VideoStore subscription: frame messages (base64 JPEG at the asked quality), states with cue.position and table.calibrated', async () => {
  const s = await server({ source: { spec: 'simulator' } });
  const store = await open(s, '/api/v1/ws');
  store.send(original('subscribe', { streams: ['frame', 'state', 'trajectory', 'metrics', 'alert'], filters: { quality: 'medium', frame_rate: 30 } }));
  const sub = await store.nextOf('subscribed');
  assert.deepEqual(sub.data.streams, ['frame', 'state', 'trajectory', 'metrics', 'alert']);
  await store.until(() => store.of('frame').length >= 3, 10_000, 'three frame messages');
  for (const f of store.of('frame').slice(0, 3)) {
    const img = Buffer.from(f.data.image as string, 'base64');
    const meta = await sharp(img).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, f.data.width);
    assert.equal(f.data.quality, 'medium');
    assert.ok((f.data.width as number) <= 1280, 'medium: at most 1280 px wide');
  }
  await store.until(() => store.of('state').length >= 5, 5000, 'states');
  for (const m of store.of('state')) {
    const cue = m.data.cue as { detected: boolean; position?: { x: number; y: number } } | null;
    if (cue) assert.ok(cue.position && typeof cue.position.x === 'number', 'a detected cue carries position');
    assert.equal(typeof m.data.table.calibrated, 'boolean');
  }
  assert.equal(store.of('state').at(-1)!.data.table.calibrated, true, 'the simulator\'s frames are calibrated');
  // Nobody subscribed: frames stop being published.
  store.send(original('unsubscribe', { streams: ['frame'] }));
  await store.nextOf('unsubscribed');
  const published = s.server.metrics.stream('frame').published;
  await new Promise((r) => setTimeout(r, 600));
  const more = s.server.metrics.stream('frame').published - published;
  assert.ok(more <= 10, `frames stop after the last unsubscribe (${more} more within 0.6 s)`);
});

test('subscribe: unknown streams are listed in `rejected`, the known ones subscribed; the single-stream form is accepted', async () => {
  const s = await server();
  const c = await open(s, '/api/v1/ws');
  const r = await c.request({ type: 'subscribe', data: { streams: ['state', 'bogus'] } }, 'subscribed');
  assert.equal(r.type, 'subscribed');
  assert.deepEqual(r.data.streams, ['state']);
  assert.deepEqual(r.data.rejected.map((x: { stream: string; code: string }) => [x.stream, x.code]), [['bogus', 'INVALID_STREAM']]);
  assert.deepEqual(r.data.all_subscriptions, ['state']);
  const only = await c.request({ type: 'subscribe', data: { streams: ['bogus'] } }, 'subscribed');
  assert.equal(only.type, 'error', 'nothing known: an error');
  assert.equal(only.data.code, 'INVALID_STREAM');
  const old = await c.request({ type: 'subscribe', stream: 'alert' }, 'subscribed');
  assert.equal(old.type, 'subscribed');
  assert.deepEqual(old.data.streams, ['alert']);
  const alert = await s.server.publish('alert', { level: 'info', message: 'x', code: 'T' });
  await c.until(() => c.of('alert').some((m) => m.sequence === alert.sequence), 3000, 'the alert');
});

test('auth off: a ?token= is ignored (the original accepted any); page reloads on /api/v1/ws never hit the connection limit', async () => {
  const s = await server({ websocket: { connections_per_ip_per_min: 10 } });
  for (let i = 0; i < 14; i++) {
    const c = await open(s, '/api/v1/ws', { token: `test_token_${i}` });
    assert.equal(c.welcome?.type, 'connection', `connection ${i + 1} with a made-up token`);
    await c.close();
  }
});

test('the oldest clients\' /ws path is the gateway', async () => {
  const s = await server();
  const c = await open(s, '/ws');
  const r = await c.request({ type: 'subscribe', data: { streams: ['state'] } }, 'subscribed');
  assert.equal(r.type, 'subscribed');
});

test('config store and calibration page: values, PUT (CORS), reset, export, import (JSON and file), playing area', async () => {
  const s = await server({ server: { cors_origins: ['http://localhost:3000'] } });
  const json = (r: Response) => r.json() as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = await json(await fetch(`${s.url}/api/v1/config`));
  assert.equal(get.values.websocket.ping_interval_s, 30, 'values, as the config store reads them');
  assert.ok(get.timestamp && get.schema_version && get.is_valid === true);
  const pre = await fetch(`${s.url}/api/v1/config`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'PUT' } });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);
  const put = await fetch(`${s.url}/api/v1/config`, { method: 'PUT', headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' }, body: JSON.stringify({ integration: { target_fps: 24 } }) });
  const pb = await json(put);
  assert.equal(put.status, 200, JSON.stringify(pb));
  assert.deepEqual([pb.success, pb.updated_fields, pb.restart_required], [true, ['integration.target_fps'], true]);
  assert.equal((await json(await fetch(`${s.url}/api/v1/config?section=integration`))).values.integration.target_fps, 24);
  const bad = await fetch(`${s.url}/api/v1/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ websocket: { ping_interval_s: -1 } }) });
  assert.equal(bad.status, 400);
  assert.match((await json(bad)).error.message, /websocket\.ping_interval_s/);
  const exp = await json(await fetch(`${s.url}/api/v1/config/export`));
  assert.equal(exp.format, 'json');
  assert.equal(exp.data.integration.target_fps, 24);
  assert.match(exp.checksum, /^[0-9a-f]{64}$/);
  assert.equal((await fetch(`${s.url}/api/v1/config/reset`, { method: 'POST' })).status, 400, 'reset needs confirm');
  assert.equal((await fetch(`${s.url}/api/v1/config/reset?confirm=true`, { method: 'POST' })).status, 200);
  assert.equal((await json(await fetch(`${s.url}/api/v1/config`))).values.integration.target_fps, 30);
  const imp = await fetch(`${s.url}/api/v1/config/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ history: { max_messages: 500 } }) });
  assert.equal(imp.status, 200, await imp.clone().text());
  const form = new FormData();
  form.append('file', new Blob([JSON.stringify({ history: { max_messages: 700 } })], { type: 'application/json' }), 'config.json');
  const file = await fetch(`${s.url}/api/v1/config/import?merge_strategy=merge`, { method: 'POST', body: form });
  assert.equal(file.status, 200, await file.clone().text());
  assert.equal((await json(await fetch(`${s.url}/api/v1/config`))).values.history.max_messages, 700);
  // The calibration page saves and reads back its corners in its own canvas coordinates.
  const corners = [{ x: 100, y: 80 }, { x: 860, y: 82 }, { x: 858, y: 470 }, { x: 102, y: 468 }];
  const save = await fetch(`${s.url}/api/v1/config/table/playing-area`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ corners, marker_dots: [{ x: 480, y: 90 }], calibration_resolution_width: 960, calibration_resolution_height: 540 }),
  });
  const sb = await json(save);
  assert.equal(save.status, 200, JSON.stringify(sb));
  assert.equal(sb.success, true);
  const area = await json(await fetch(`${s.url}/api/v1/config/table/playing-area`));
  assert.deepEqual([area.corners, area.count, area.calibrated, area.calibration_resolution_width], [corners, 4, true, 960]);
  const three = await fetch(`${s.url}/api/v1/config/table/playing-area`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ corners: corners.slice(0, 3) }) });
  assert.equal(three.status, 400);
  assert.match((await json(three)).error.message, /Expected 4 corners, got 3/);
});

test('the endpoint script\'s routes: 15 of its 16 answer 2xx (the 16th, POST /api/v1/calibration, does not exist in the original either)', async () => {
  const s = await server({ source: { spec: 'simulator' } });
  // Wait for a state so /game/state has one.
  await new Promise<void>((resolve) => {
    const t = setInterval(() => { if (s.server.hub.latest('state')) { clearInterval(t); resolve(); } }, 20);
  });
  const routes: [string, string][] = [
    ['GET', '/api/v1/health/'], ['GET', '/api/v1/health/version'], ['GET', '/api/v1/health/metrics'], ['GET', '/api/v1/health/ready'],
    ['GET', '/api/v1/health/live'], ['GET', '/api/v1/config/'], ['GET', '/api/v1/config/schema'], ['GET', '/api/v1/config/export'],
    ['GET', '/api/v1/game/state'], ['GET', '/api/v1/game/history'], ['GET', '/api/v1/game/stats'], ['GET', '/api/v1/calibration/'],
    ['GET', '/api/v1/websocket/health'], ['GET', '/api/v1/websocket/connections'], ['GET', '/api/v1/websocket/metrics'],
    ['GET', '/api/v1/vision/performance'],
  ];
  const failed: string[] = [];
  for (const [method, path] of routes) {
    const r = await fetch(`${s.url}${path}`, { method });
    if (r.status < 200 || r.status > 299) failed.push(`${method} ${path}: ${r.status}`);
  }
  assert.deepEqual(failed, []);
  const health = (await (await fetch(`${s.url}/api/v1/health`)).json()) as { timestamp: string; components: Record<string, { message: string; name: string }> };
  assert.ok(!Number.isNaN(Date.parse(health.timestamp)), 'health has a timestamp');
  for (const [name, c] of Object.entries(health.components)) assert.ok(c.message && c.name === name, `component ${name} has a message`);
  const state = (await (await fetch(`${s.url}/api/v1/game/state`)).json()) as { balls: unknown[]; game_type: string; is_valid: boolean; events: unknown[] };
  assert.ok(Array.isArray(state.balls) && state.balls.length > 0 && state.game_type && state.is_valid === true && Array.isArray(state.events));
  assert.equal((await fetch(`${s.url}/api/v1/calibration`, { method: 'POST', body: '{"type":"geometric"}', headers: { 'content-type': 'application/json' } })).status, 404);
});

test('trajectory messages carry confidence; the simulator\'s video runs at the target rate', async (t) => {
  const s = await server({ source: { spec: 'simulator' } });
  const c = await open(s, '/api/v1/ws');
  await c.subscribe(['trajectory']);
  await c.until(() => c.of('trajectory').length > 0, 15_000, 'a trajectory');
  const traj: Msg = c.of('trajectory')[0]!;
  assert.ok(typeof traj.data.confidence === 'number' && traj.data.confidence > 0 && traj.data.confidence <= 1, `confidence ${traj.data.confidence}`);
  // MJPEG: count parts over 2 s.
  const res = await fetch(`${s.url}/api/v1/stream/video`);
  const reader = res.body!.getReader();
  const start = Date.now();
  let parts = 0;
  while (Date.now() - start < 2000) {
    const { value, done } = await reader.read();
    if (done) break;
    parts += (Buffer.from(value).toString('latin1').match(/--frame/g) ?? []).length;
  }
  await reader.cancel();
  t.diagnostic(`MJPEG at ${(parts / 2).toFixed(1)} fps`);
  assert.ok(parts / 2 > 15, `MJPEG at ${(parts / 2).toFixed(1)} fps (the original's streaming test wants more than 15)`);
});
