/**
 * Cue stick detection. No reference photo shows a cue, so one is drawn onto the real
 * table_w_balls.jpg: a tapered wood-coloured polygon (10 px wide at the butt, 5 px at the tip)
 * from off the table over the bottom-left rail, aiming at the dark red ball at (431, 373) with the
 * tip 30 px short of the ball's edge. Truth is the drawn geometry.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type RgbImage, calibrateTable, decodeImage, decodeImageBuffer, detectBalls, detectCue, pixelToTable } from '../src/index.js';
import { EMPTY_TABLE, GRID, TABLE_W_BALLS } from './fixtures.js';

const BUTT = { x: 100, y: 700 };
const BALL = { x: 431.4, y: 373.1 };
const len = Math.hypot(BALL.x - BUTT.x, BALL.y - BUTT.y);
const U = { x: (BALL.x - BUTT.x) / len, y: (BALL.y - BUTT.y) / len };
const TIP = { x: BALL.x - U.x * 43.5, y: BALL.y - U.y * 43.5 };

let withCue: RgbImage;

before(async () => {
  const n = { x: -U.y, y: U.x };
  const p = (c: { x: number; y: number }, w: number, s: number) => `${(c.x + n.x * w * s).toFixed(1)},${(c.y + n.y * w * s).toFixed(1)}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720"><polygon fill="#d8b47a" points="${p(BUTT, 5, 1)} ${p(TIP, 2.5, 1)} ${p(TIP, 2.5, -1)} ${p(BUTT, 5, -1)}"/></svg>`;
  const jpeg = await sharp(TABLE_W_BALLS).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 90 }).toBuffer();
  withCue = await decodeImageBuffer(jpeg);
});

describe('cue detection', () => {
  it('finds the drawn cue: tip within 0.03 m, angle within 3 degrees, pointing at the ball', async () => {
    const cal = calibrateTable(await decodeImage(EMPTY_TABLE));
    const balls = detectBalls(withCue, cal);
    assert.equal(balls.length, 10, 'the cue does not hide or add balls');
    const cue = detectCue(withCue, cal, balls);
    assert.ok(cue, 'cue found');
    const tip = pixelToTable(cal, TIP);
    const err = Math.hypot(cue.tipX - tip.x, cue.tipY - tip.y);
    assert.ok(err <= 0.03, `tip error ${err.toFixed(3)} m`);
    const a = pixelToTable(cal, BUTT), b = pixelToTable(cal, TIP);
    const want = (Math.atan2(b.y - a.y, b.x - a.x) * 180) / Math.PI;
    const dAng = Math.abs(((cue.angleDeg - want + 540) % 360) - 180);
    assert.ok(dAng <= 3, `angle ${cue.angleDeg.toFixed(1)} vs ${want.toFixed(1)} deg`);
    assert.ok(cue.confidence > 0.5 && cue.confidence <= 1);
    assert.ok(cue.length > 0.3, `visible length ${cue.length.toFixed(2)} m`);
  });

  it('reports no cue on the photos without one', async () => {
    for (const path of [TABLE_W_BALLS, GRID]) {
      const img = await decodeImage(path);
      const cal = calibrateTable(img);
      assert.equal(detectCue(img, cal, detectBalls(img, cal)), null, path);
    }
  });
});
