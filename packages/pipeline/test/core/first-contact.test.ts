// The first object ball the cue ball hits, read from the tracks (first-contact.ts), against the
// simulator's truth: minutes of simulated play (physics, ~1.5 mm detection noise, 1 % missed
// detections) through the real core, each shot's `first_contact` compared with the ball the truth
// shows moving first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTable } from '@tablecast/physics';
import { SimulatorSession, type SimFrame } from '../../src/sources/simulator/simulator-session.js';
import { observe } from '../../src/sources/simulator/simulator-source.js';
import { createRng } from '../../src/sources/simulator/rng.js';
import { PipelineCore } from '../../src/loop/pipeline-core.js';
import { FirstContact, type ContactTrack } from '../../src/core/first-contact.js';

const FPS = 30;

/** The truth of one shot: the object ball that moved first (null: none), or 'tie' when two did in one frame. */
function truthFirstContact(frames: SimFrame[]): number | null | 'tie' {
  let cueMoved = false;
  for (let i = 1; i < frames.length; i++) {
    const prev = new Map(frames[i - 1]!.balls.map((b) => [b.id, b]));
    const moved = frames[i]!.balls.filter((b) => {
      const p = prev.get(b.id);
      return p !== undefined && Math.hypot(b.x - p.x, b.y - p.y) > 1e-6;
    });
    if (!cueMoved) cueMoved = moved.some((b) => b.number === 0);
    if (!cueMoved) continue;
    const objects = moved.filter((b) => b.number !== 0);
    if (objects.length > 0) return objects.length === 1 ? objects[0]!.number : 'tie';
  }
  return null;
}

test('first_contact agrees with the simulator\'s truth on every shot it judges, and judges nearly all', () => {
  const session = new SimulatorSession(createTable('9ft'), createRng(11));
  const noise = createRng(11 ^ 0x5eed5eed);
  let clockMs = 0;
  const core = new PipelineCore({ preset: '9ft', planner: { angleThresholdDeg: 0.5, positionThresholdM: 0.005, maxFps: FPS, now: () => clockMs } });
  /** Each struck shot: the frame it was struck in and its truth. */
  const truth: { frame: number; first: number | null | 'tie' }[] = [];
  /** Each shot the core saw: the frame its shot_started came in and the reading. */
  const seen: { frame: number; first: number | null | undefined }[] = [];
  let shotFrames: SimFrame[] | null = null;
  let lastShots = 0;
  let startedAt = 0;
  for (let i = 1; i <= 600 * FPS; i++) {
    clockMs += 1000 / FPS;
    const f = session.step(1 / FPS);
    if (f.shots !== lastShots) {
      if (shotFrames) truth.at(-1)!.first = truthFirstContact(shotFrames);
      truth.push({ frame: i, first: null });
      shotFrames = [];
      lastShots = f.shots;
    }
    shotFrames?.push(f);
    for (const e of core.ingest(observe(f, i, i * 33_333, noise, 0.0015, 0.01)).events) {
      if (e.event === 'shot_started') startedAt = i;
      if (e.event === 'balls_stopped') seen.push({ frame: startedAt, first: e.first_contact as number | null | undefined });
    }
  }
  if (shotFrames) truth.at(-1)!.first = truthFirstContact(shotFrames);
  // Each strike the tracks saw start within 5 frames; a break (the truth: several balls in one
  // frame) is left out, the rules do not judge it.
  let clear = 0;
  let judged = 0;
  const wrong: string[] = [];
  for (const t of truth) {
    if (t.first === 'tie') continue;
    clear++;
    const s = seen.find((x) => x.frame >= t.frame && x.frame - t.frame <= 5);
    if (!s || s.first === undefined) continue;
    judged++;
    if (s.first !== t.first) wrong.push(`shot at frame ${t.frame}: read ${s.first}, truth ${t.first}`);
  }
  const summary = `${judged}/${clear} judged; wrong: ${wrong.join('; ') || 'none'}`;
  assert.ok(clear >= 30, `${clear} shots played`);
  assert.deepEqual(wrong, [], summary);
  assert.ok(judged >= clear * 0.9, summary);
});

const track = (id: string, number: number, x: number, y: number, moving = false): ContactTrack => ({ id, type: number === 0 ? 'cue' : number < 8 ? 'solid' : 'stripe', number, x, y, moving });

test('FirstContact: nothing hit, a soft touch seen only in the layout, two balls at once, a shot not started by the cue ball', () => {
  const fc = new FirstContact();
  const still = [track('cue', 0, 1, 0.5), track('a', 3, 1.5, 0.5), track('b', 12, 2, 0.3)];
  fc.begin([{ ...still[0]!, moving: true }, still[1]!, still[2]!]);
  fc.sample([{ ...still[0]!, x: 1.2, moving: true }, still[1]!, still[2]!]);
  assert.equal(fc.end([{ ...still[0]!, x: 1.3 }, still[1]!, still[2]!]), null, 'nothing hit');

  fc.begin([{ ...still[0]!, moving: true }, still[1]!, still[2]!]);
  assert.equal(fc.end([still[0]!, { ...still[1]!, x: 1.52 }, { ...still[2]!, x: 2.004 }]), 3, 'ball 3 moved 2 cm without being tracked as moving; 4 mm is noise');

  fc.begin([{ ...still[0]!, moving: true }, still[1]!, still[2]!]);
  fc.sample([{ ...still[0]!, moving: true }, { ...still[1]!, moving: true }, { ...still[2]!, moving: true }]);
  assert.equal(fc.end(still), undefined, 'two object balls started in one frame: not judged');

  fc.begin([still[0]!, { ...still[1]!, moving: true }, still[2]!]);
  fc.sample([still[0]!, still[1]!, { ...still[2]!, moving: true }]);
  assert.equal(fc.end(still), undefined, 'the cue ball did not start it');

  fc.begin([{ ...still[0]!, moving: true }, still[1]!, still[2]!]);
  fc.sample([{ ...still[0]!, moving: true }, still[1]!, { ...still[2]!, moving: true }]);
  fc.sample([{ ...still[0]!, moving: true }, { ...still[1]!, moving: true }, { ...still[2]!, moving: true }]);
  assert.equal(fc.end([still[0]!, still[1]!]), 12, 'ball 12 first (then pocketed); ball 3 later');
});

test('the simulated players play their own group: few wrong-ball fouls once groups are taken (a random player earned one every third shot)', () => {
  const session = new SimulatorSession(createTable('9ft'), createRng(1));
  const noise = createRng(1 ^ 0x5eed5eed);
  let clockMs = 0;
  const core = new PipelineCore({ preset: '9ft', planner: { angleThresholdDeg: 0.5, positionThresholdM: 0.005, maxFps: FPS, now: () => clockMs } });
  let withGroups = 0;
  let wrong = 0;
  for (let i = 1; i <= 1200 * FPS; i++) {
    clockMs += 1000 / FPS;
    for (const e of core.ingest(observe(session.step(1 / FPS), i, i * 33_333, noise, 0.0015, 0.01)).events) {
      if (e.event === 'shot_started' && core.rules.current().players[0]!.group !== null) withGroups++;
      if (e.event === 'foul' && e.reason === 'wrong_ball_first') wrong++;
    }
  }
  assert.ok(withGroups >= 30, `${withGroups} shots with groups taken`);
  assert.ok(wrong <= withGroups * 0.15, `${wrong} wrong-ball fouls in ${withGroups} shots with groups`);
});
