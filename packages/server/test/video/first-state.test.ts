/**
 * Issue 18: the very first state after start is expressed in the calibration it names. The server
 * runs `--source image:` on each reference photo; clients subscribe right after the health route
 * answers (in metres and in `coordinates: pixels_4k`), and a late client subscribes after several
 * states. The first state with balls must agree with the later ones ball by ball, and its 4K
 * positions must be its own metres mapped through its own `table.calibration` (tolerance 0.01 px,
 * 1e-6 m).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHomography, invert3 } from '@tablecast/vision';
import { TABLE_W_BALLS, GRID } from '../../../vision/test/fixtures.js';
import { tracked } from '../helpers/fixtures.js';
import { connect, type Msg, type TestClient } from '../helpers/ws-client.js';

const { server, clients } = tracked();

type Ball = { id: string; position: { x: number; y: number } };
const byId = (m: Msg): Map<string, { x: number; y: number }> => new Map((m.data.balls as Ball[]).map((b) => [b.id, b.position]));
const withBalls = (c: TestClient): Msg[] => c.of('state').filter((m) => (m.data.balls as Ball[]).length > 0);

function assertSame(first: Msg, later: Msg, tol: number, what: string): void {
  const a = byId(first);
  const b = byId(later);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${what}: the same balls`);
  for (const [id, p] of a) {
    const q = b.get(id)!;
    assert.ok(Math.abs(p.x - q.x) <= tol && Math.abs(p.y - q.y) <= tol, `${what}: ${id} first (${p.x}, ${p.y}) vs later (${q.x}, ${q.y}), tolerance ${tol}`);
  }
}

for (const [name, photo] of [['table_w_balls.jpg', TABLE_W_BALLS], ['grid.jpg', GRID]] as const) {
  test(`${name}: the first state with balls is in the frame of reference of every later one (metres and pixels_4k)`, async () => {
    const s = await server({ source: { spec: `image:${photo}` }, integration: { target_fps: 10 } });
    const metres = await connect(s.ws);
    const pixels = await connect(s.ws);
    clients.push(metres, pixels);
    await Promise.all([metres.subscribe(['state']), pixels.subscribe(['state'], { coordinates: 'pixels_4k' })]);
    await metres.until(() => withBalls(metres).length >= 3, 30_000, 'three states with balls');
    await pixels.until(() => withBalls(pixels).length >= 3, 5000, 'three states with balls (pixels_4k)');
    const [m0, m2] = [withBalls(metres)[0]!, withBalls(metres)[2]!];
    const [p0, p2] = [withBalls(pixels).find((m) => m.sequence === m0.sequence)!, withBalls(pixels)[2]!];
    assert.ok(p0, 'the pixels_4k client got the same first state');
    assert.equal(m0.data.table.calibrated, true, 'the first state says it is calibrated');
    assertSame(m0, m2, 1e-6, 'metres');
    assertSame(p0, p2, 0.01, 'pixels_4k');
    // The 4K positions of the first state are its metres through its own calibration.
    const cal = m0.data.table.calibration as { homography: number[]; image_width: number; image_height: number };
    const toImage = invert3(cal.homography);
    const px = byId(p0);
    for (const [id, p] of byId(m0)) {
      const img = applyHomography(toImage, p);
      const want = { x: (img.x * 3840) / cal.image_width, y: (img.y * 2160) / cal.image_height };
      const got = px.get(id)!;
      assert.ok(Math.abs(got.x - want.x) < 0.01 && Math.abs(got.y - want.y) < 0.01, `${id}: pixels_4k (${got.x}, ${got.y}) vs its calibration (${want.x}, ${want.y})`);
    }
    // A client that subscribes later gets the newest state in the same frame of reference.
    const late = await connect(s.ws);
    clients.push(late);
    await late.subscribe(['state'], { coordinates: 'pixels_4k' });
    await late.until(() => withBalls(late).length >= 1, 5000, 'the late client\'s first state');
    assertSame(withBalls(late)[0]!, p2, 0.01, 'late pixels_4k');
  });
}
