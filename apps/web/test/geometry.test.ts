// Unit tests of the dashboard's pure parts (no browser): interpolation by timestamp, the homography
// used to align the video, and the top-down fallback corners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp } from '@tablecast/protocol';
import { StateInterpolator } from '../src/interpolation.js';
import { applyHomography, homographyFrom4, invertHomography, toCssMatrix3d } from '../src/homography.js';
import { imageCorners } from '../src/panels/video.js';
import { stateWith } from './helpers.js';
import type { GameSummary, ShotResult } from '@tablecast/protocol';
import { describeTurn } from '../src/panels/game.js';
import { describeDown, describeFoul, describeShot } from '../src/panels/shots.js';

const at = (ms: number) => formatTimestamp(ms * 1000);

test('interpolation renders 70 ms in the past, linearly between the bracketing states', () => {
  const it = new StateInterpolator({ delayMs: 70 });
  const t0 = 1_800_000_000_000; // server epoch ms
  const local = 5000; // local clock = server - (t0 - 5000), zero network delay
  const ball = (x: number) => stateWith([{ id: 'cue', number: 0, x, y: 0.5 }]);
  it.push(ball(1.0), at(t0), local);
  it.push(ball(1.1), at(t0 + 33), local + 33);
  it.push(ball(1.2), at(t0 + 66), local + 66);
  // at local 66 + 70 - 50 = 86 the render time is server t0 + 16: 16/33 of the way from 1.0 to 1.1
  const s = it.sample(local + 86)!;
  assert.ok(Math.abs(s.balls[0]!.x - (1.0 + 0.1 * (16 / 33))) < 1e-6, `x ${s.balls[0]!.x} (1e-6 m)`);
  // past the newest state: hold it
  assert.ok(Math.abs(it.sample(local + 1000)!.balls[0]!.x - 1.2) < 1e-9);
  // before the oldest: the oldest
  assert.ok(Math.abs(it.sample(local)!.balls[0]!.x - 1.0) < 1e-9);
});

test('over the video the balls of the picture\'s capture instant are drawn, by capture_timestamp, not publish time', () => {
  const it = new StateInterpolator({ delayMs: 70 });
  const t0 = 1_800_000_000_000;
  const local = 5000;
  // Captured every 33 ms, published after uneven processing times (2, 30, 5 ms).
  const ball = (x: number, captured: number) => ({ ...stateWith([{ id: 'cue', number: 0, x, y: 0.5 }]), capture_timestamp: at(captured) });
  it.push(ball(1.0, t0), at(t0 + 2), local + 2);
  it.push(ball(1.1, t0 + 33), at(t0 + 63), local + 63);
  it.push(ball(1.2, t0 + 66), at(t0 + 71), local + 71);
  const x = (ms: number) => it.sampleAtCapture(ms)!.balls[0]!.x;
  assert.ok(Math.abs(x(t0 + 33) - 1.1) < 1e-9, 'the state of that frame');
  assert.ok(Math.abs(x(t0 + 49.5) - 1.15) < 1e-9, 'between two frames: interpolated');
  assert.ok(Math.abs(x(t0 + 500) - 1.2) < 1e-9, 'a picture newer than every state: the newest state');
  assert.ok(Math.abs(x(t0 - 500) - 1.0) < 1e-9, 'older than every state: the oldest');
  // Without capture_timestamp the publish time stands in.
  const plain = new StateInterpolator();
  plain.push(stateWith([{ id: 'cue', number: 0, x: 2, y: 0.5 }]), at(t0), local);
  plain.push(stateWith([{ id: 'cue', number: 0, x: 3, y: 0.5 }]), at(t0 + 100), local + 100);
  assert.ok(Math.abs(plain.sampleAtCapture(t0 + 25)!.balls[0]!.x - 2.25) < 1e-9);
});

test('pocketed balls are not drawn; a ball new in the newer state appears at its position', () => {
  const it = new StateInterpolator({ delayMs: 0 });
  const a = stateWith([{ id: 1, number: 1, x: 1, y: 1 }]);
  const b = stateWith([
    { id: 1, number: 1, x: 2, y: 1 },
    { id: 2, number: 2, x: 0.5, y: 0.5 },
  ]);
  b.balls[0]!.is_pocketed = true;
  it.push(a, at(1000), 1000);
  it.push(b, at(1100), 1100);
  const s = it.sample(1050)!;
  assert.deepEqual(
    s.balls.map((d) => [d.id, d.x, d.y]),
    [['2', 0.5, 0.5]],
  );
});

test('homography from 4 points maps them exactly and inverts', () => {
  const src = [
    { x: 12, y: 30 },
    { x: 900, y: 22 },
    { x: 930, y: 510 },
    { x: 5, y: 520 },
  ];
  const dst = [
    { x: 0, y: 0 },
    { x: 2.54, y: 0 },
    { x: 2.54, y: 1.27 },
    { x: 0, y: 1.27 },
  ];
  const h = homographyFrom4(src, dst);
  src.forEach((p, i) => {
    const q = applyHomography(h, p);
    assert.ok(Math.abs(q.x - dst[i]!.x) < 1e-9 && Math.abs(q.y - dst[i]!.y) < 1e-9, `corner ${i} (1e-9)`);
  });
  const back = applyHomography(invertHomography(h), { x: 2.54, y: 1.27 });
  assert.ok(Math.abs(back.x - 930) < 1e-6 && Math.abs(back.y - 510) < 1e-6, 'inverse (1e-6 px)');
  assert.match(toCssMatrix3d(h), /^matrix3d\((-?[\d.e-]+,){15}-?[\d.e-]+\)$/);
  assert.throws(() => homographyFrom4(src.slice(0, 3), dst.slice(0, 3)));
});

test('video corners come from calibration corners, else the homography, else a top-down layout', () => {
  const table = { width: 2.54, height: 1.27 };
  const corners = [
    { x: 1, y: 2 },
    { x: 3, y: 4 },
    { x: 5, y: 6 },
    { x: 7, y: 8 },
  ];
  assert.deepEqual(imageCorners({ cornersPx: corners }, 960, 540, table), corners);
  const h = homographyFrom4(corners.map((c, i) => ({ x: c.x * 100 + i, y: c.y * 50 + (i % 2) * 30 })), [
    { x: 0, y: 0 },
    { x: 2.54, y: 0 },
    { x: 2.54, y: 1.27 },
    { x: 0, y: 1.27 },
  ]);
  const fromH = imageCorners({ homography: [...h] }, 960, 540, table);
  assert.ok(Math.abs(fromH[2]!.x - 502) < 1e-6 && Math.abs(fromH[2]!.y - 300) < 1e-6, 'BR corner from the homography (1e-6 px)');
  // 960x540 top-down render: rail 43 px, scale min(874/2.54, 454/1.27) = 344.09 px/m
  const td = imageCorners(null, 960, 540, table);
  assert.ok(Math.abs(td[0]!.x - 43) < 0.01 && Math.abs(td[1]!.x - 917) < 0.01, `x span 43..917 px: ${td[0]!.x}, ${td[1]!.x}`);
  assert.ok(Math.abs(td[0]!.y - (540 - 1.27 * (874 / 2.54)) / 2) < 0.01);
});

test('the game panel says "(break)" only before the first shot of a full rack (a game joined in progress has none)', () => {
  const fresh = (): GameSummary => ({
    game_type: 'eight_ball',
    players: [{ name: 'Player 1', group: null, fouls: 0, pocketed: [] }, { name: 'Player 2', group: null, fouls: 0, pocketed: [] }],
    turn: 0, shots: 0, balls_left: { solids: 7, stripes: 7, eight: true }, last_shot: null, winner: null,
  });
  assert.equal(describeTurn(fresh()), 'Player 1 to shoot (break)');
  assert.equal(describeTurn({ ...fresh(), balls_left: { solids: 5, stripes: 4, eight: true } }), 'Player 1 to shoot');
  assert.equal(describeTurn({ ...fresh(), shots: 1, turn: 1 }), 'Player 2 to shoot');
});

test('fouls in words: scratch, no ball hit, wrong ball first with the ball, no rail after contact', () => {
  assert.equal(describeFoul('scratch'), 'scratch');
  assert.equal(describeFoul('no_contact', null), 'no ball hit');
  assert.equal(describeFoul('wrong_ball_first', 12), 'wrong ball first (12)');
  assert.equal(describeFoul('no_rail'), 'no rail after contact');
  assert.equal(describeFoul(undefined), 'foul');
});

test('what a shot pocketed, in words: a ball number is never read as a count; an illegal break says so', () => {
  assert.equal(describeDown([4]), 'ball 4 down');
  assert.equal(describeDown([5, 15]), 'balls 5, 15 down');
  assert.equal(describeDown([0]), 'nothing down', 'the cue ball is a scratch, not a ball down');
  assert.equal(describeDown([]), 'nothing down');
  const shot = (r: Partial<ShotResult>): string => describeShot({ sequence: 1, replay: null, durationS: 2, result: { shot: 1, shooter: 0, pocketed: [], foul: false, foul_reason: null, turn_kept: false, ...r } });
  assert.equal(shot({ legal_break: false, balls_to_cushion: 2 }), 'Shot 1 · Player 1 · nothing down · illegal break (2 to a cushion) · turn passes');
  assert.equal(shot({ legal_break: true, balls_to_cushion: 6 }), 'Shot 1 · Player 1 · nothing down · break (6 to a cushion) · turn passes');
  assert.equal(shot({ balls_to_cushion: 2 }), 'Shot 1 · Player 1 · nothing down · turn passes', 'not a break: no count');
});
