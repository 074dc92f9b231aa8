/**
 * End to end, as `tablecast serve --source image:table_w_balls.jpg` runs: the real photo (GPL-3.0,
 * from jchadwick/billiards-trainer) goes through the vision source in the worker, the core and the
 * gateway; a WebSocket client subscribed to `state` receives the 10 balls in table metres, and
 * mapped back through the published calibration they sit on the hand-annotated centres
 * (packages/vision/test/fixtures.ts; tolerance 3 px). The video endpoint serves the photo itself.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { applyHomography, invert3 } from '@tablecast/vision';
import { TABLE_W_BALLS, TABLE_W_BALLS_BALLS, EMPTY_TABLE } from '../../../vision/test/fixtures.js';
import { startServer, type Started } from '../helpers/server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';

let s: Started | null = null;
let c: TestClient | null = null;
after(async () => {
  await c?.close();
  await s?.close();
});

test('serve --source image: a state client gets the 10 balls in table metres, on the annotated centres (3 px)', async () => {
  s = await startServer({
    source: { spec: `image:${TABLE_W_BALLS}`, frames: true, background: EMPTY_TABLE },
    integration: { target_fps: 10 },
  });
  c = await connect(s.ws);
  await c.subscribe(['state']);
  const m = await c.next((x) => x.type === 'state' && Array.isArray(x.data.balls) && x.data.balls.length === 10, 30_000, 'a state with 10 balls');
  type Ball = { id: string; number: number | null; type: string; position: { x: number; y: number; scale: number[] }; radius: number };
  const balls = m.data.balls as Ball[];
  assert.equal(m.data.ball_count, 10);
  for (const b of balls) {
    assert.ok(b.position.x > 0 && b.position.x < 2.54 && b.position.y > 0 && b.position.y < 1.27, `${b.id} on the 9 ft table (metres)`);
    assert.deepEqual(b.position.scale, [1, 1]);
    assert.ok(Math.abs(b.radius - 0.028575) < 0.005, `${b.id} radius ${b.radius} m`);
  }
  assert.equal(balls.filter((b) => b.type === 'cue').length, 1, 'one cue ball');

  const cal = (await (await fetch(`${s.url}/api/v1/vision/calibration`)).json()) as { homography: number[]; imageWidth: number };
  assert.equal(cal.imageWidth, 1280);
  const toPixels = invert3(cal.homography);
  const unmatched = [...TABLE_W_BALLS_BALLS];
  for (const b of balls) {
    const p = applyHomography(toPixels, b.position);
    const i = unmatched.findIndex((a) => Math.hypot(a.x - p.x, a.y - p.y) <= 3);
    assert.ok(i >= 0, `ball ${b.id} at (${p.x.toFixed(1)}, ${p.y.toFixed(1)}) px matches an annotated centre within 3 px`);
    unmatched.splice(i, 1);
  }

  const frame = await fetch(`${s.url}/api/v1/stream/video/frame`);
  assert.equal(frame.status, 200);
  const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1280, 720]);
});
