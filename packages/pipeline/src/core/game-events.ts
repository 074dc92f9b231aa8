/**
 * Game events for the `event` stream, derived from the game state frame by frame:
 * `game_started`, `shot_started`, `ball_pocketed`, `scratch`, `balls_stopped`, `cue_detected`,
 * `cue_lost` (and, from eight-ball-rules.ts, `foul` and `game_over`). Each is `{event, frame_number,
 * capture_timestamp, ...fields}`; `balls_stopped` carries the shot's `replay` (shot-recorder.ts) and,
 * when it could be read, `first_contact`: the number of the object ball the cue ball hit first, or
 * null when it hit none (first-contact.ts), `rail_after_contact`: whether a ball reached a
 * cushion after that contact, and `balls_to_cushion`: how many object balls reached one
 * (rail-contact.ts).
 *
 * Debouncing (so measurement noise and missed detections do not cause event storms):
 * - a ball counts as pocketed only once its track was removed (missing for the game state's
 *   `dropAfterMissedFrames` frames) AND it was last seen within `pocketMarginM` of a pocket mouth,
 *   or heading into one: the pocket lies within `pocketMarginM` of the path it would have rolled in
 *   `pocketLookaheadS` at its last velocity (a ball at 3 m/s travels 10 cm between two frames and is
 *   often last seen 10-20 cm before the mouth); balls lost elsewhere (occlusion) produce no event;
 * - `balls_stopped` needs `stillFrames` consecutive frames without a moving ball, not counting
 *   frames in which a ball is missing at a pocket mouth (a slow ball dropping in is no longer
 *   "moving" but is pocketed only when its track is removed: its `ball_pocketed` belongs to the shot);
 * - `cue_detected` needs `cueOnFrames` consecutive frames with a cue, `cue_lost` `cueOffFrames`
 *   without one;
 * - `game_started` fires when a full rack (>= `rackMinBalls` balls) appears: on the first such
 *   frame, or when many tracks are (re)created at once (re-rack), or after the table emptied.
 */
import { formatTimestamp } from '@tablecast/protocol';
import type { GameState, StateUpdate } from './game-state.js';
import { isCueBall, type BallTrack } from './ball-track.js';
import { ShotRecorder } from './shot-recorder.js';
import { FirstContact } from './first-contact.js';
import { RailContact, type RailReading } from './rail-contact.js';
import { distanceToSegment } from './segment-distance.js';

/** One game event (the `data` of an `event` message). */
export interface GameEvent extends Record<string, unknown> {
  event: 'game_started' | 'shot_started' | 'ball_pocketed' | 'balls_stopped' | 'cue_detected' | 'cue_lost' | 'scratch' | 'foul' | 'game_over';
  frame_number: number;
  capture_timestamp: string;
}

/** Debounce settings. */
export interface GameEventOptions {
  stillFrames: number;
  cueOnFrames: number;
  cueOffFrames: number;
  /** Distance (metres) beyond a pocket's radius within which a vanished ball counts as pocketed. */
  pocketMarginM: number;
  /** How far ahead (seconds at its last velocity) a vanished moving ball's path is followed to a pocket. */
  pocketLookaheadS: number;
  rackMinBalls: number;
  /** Tracks created in one frame that signal a re-rack. */
  rerackAddedBalls: number;
}

/** Defaults: 5 still frames, cue on 3 / off 5 frames, 0.1 m pocket margin, 0.1 s look-ahead (3 frames at 30 fps), rack of >= 15 balls. */
export const DEFAULT_EVENT_OPTIONS: GameEventOptions = {
  stillFrames: 5,
  cueOnFrames: 3,
  cueOffFrames: 5,
  pocketMarginM: 0.1,
  pocketLookaheadS: 0.1,
  rackMinBalls: 15,
  rerackAddedBalls: 8,
};

const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
/** `{first_contact}` when the shot's first contact was read, else nothing. */
const firstContactField = (n: number | null | undefined): { first_contact?: number | null } => (n === undefined ? {} : { first_contact: n });
/** `{rail_after_contact, balls_to_cushion}`, each when it was read. */
const railFields = (r: RailReading): { rail_after_contact?: boolean; balls_to_cushion?: number } => ({
  ...(r.afterContact === undefined ? {} : { rail_after_contact: r.afterContact }),
  ...(r.objectBalls === undefined ? {} : { balls_to_cushion: r.objectBalls }),
});

/** See the module comment. One instance per game state. */
export class GameEventDetector {
  private readonly opts: GameEventOptions;
  private inShot = false;
  private shotStartFrame = 0;
  private shotStartMicros = 0;
  private pocketedInShot: string[] = [];
  private still = 0;
  private cueVisible = false;
  private cueOn = 0;
  private cueOff = 0;
  private rackPresent = false;
  private lastCueAngle: number | null = null;
  private readonly recorder = new ShotRecorder();
  private readonly contact = new FirstContact();
  private readonly rail = new RailContact();

  constructor(options: Partial<GameEventOptions> = {}) {
    this.opts = { ...DEFAULT_EVENT_OPTIONS, ...options };
  }

  /** Whether a shot is in progress (balls set in motion and not yet all stopped). */
  get shotInProgress(): boolean {
    return this.inShot;
  }

  /** Derives the events of the latest update. */
  process(state: GameState, update: StateUpdate): GameEvent[] {
    const out: GameEvent[] = [];
    const base = { frame_number: state.frameNumber, capture_timestamp: formatTimestamp(state.captureTimestampMicros) };
    const count = state.ballCount;

    if (count >= this.opts.rackMinBalls && (!this.rackPresent || update.added.length >= this.opts.rerackAddedBalls)) {
      this.rackPresent = true;
      this.inShot = false;
      this.still = 0;
      out.push({ event: 'game_started', ...base, ball_count: count });
    } else if (count <= 1) {
      this.rackPresent = false;
    }

    const cue = state.cue;
    if (cue) {
      this.cueOff = 0;
      this.lastCueAngle = cue.angleDeg;
      if (!this.cueVisible && ++this.cueOn >= this.opts.cueOnFrames) {
        this.cueVisible = true;
        out.push({ event: 'cue_detected', ...base, tip_position: { x: r4(cue.tipX), y: r4(cue.tipY), scale: [1, 1] }, angle: r4(cue.angleDeg), confidence: cue.confidence });
      }
    } else {
      this.cueOn = 0;
      if (this.cueVisible && ++this.cueOff >= this.opts.cueOffFrames) {
        this.cueVisible = false;
        out.push({ event: 'cue_lost', ...base });
      }
    }

    for (const t of update.removed) {
      const hit = this.nearestPocket(state, t);
      if (!hit) continue;
      const pocketed = {
        ball_id: t.id,
        number: t.number,
        type: t.type,
        position: { x: r4(t.x), y: r4(t.y), scale: [1, 1] },
        pocket: { index: hit.index, x: hit.x, y: hit.y },
        during_shot: this.inShot,
      };
      this.pocketedInShot.push(t.id);
      out.push({ event: 'ball_pocketed', ...base, ...pocketed });
      if (isCueBall(t)) out.push({ event: 'scratch', ...base, ...pocketed });
    }

    const moving = state.anyMoving();
    if (this.inShot) {
      this.recorder.sample(state); // every interval_s while the shot lasts
      this.contact.sample(state.balls());
      this.rail.sample(state.balls(), this.contact);
    }
    if (moving) {
      this.still = 0;
      if (!this.inShot) {
        this.inShot = true;
        this.shotStartFrame = state.frameNumber;
        this.shotStartMicros = state.captureTimestampMicros;
        this.pocketedInShot = [];
        this.recorder.begin(state);
        this.contact.begin(state.balls());
        this.rail.begin(state.balls(), state.table, this.contact);
        let first: BallTrack | undefined;
        for (const t of state.balls()) {
          if (!t.moving) continue;
          if (!first || isCueBall(t)) first = t;
        }
        out.push({
          event: 'shot_started',
          ...base,
          ball_id: first?.id ?? null,
          number: first?.number ?? null,
          position: first ? { x: r4(first.x), y: r4(first.y), scale: [1, 1] } : null,
          speed: first ? r4(first.speed) : null,
          cue_angle: this.lastCueAngle === null ? null : r4(this.lastCueAngle),
        });
      }
    } else if (this.inShot && !this.fallingIn(state) && ++this.still >= this.opts.stillFrames) {
      this.inShot = false;
      out.push({
        event: 'balls_stopped',
        ...base,
        shot_frames: state.frameNumber - this.shotStartFrame,
        duration_s: r4((state.captureTimestampMicros - this.shotStartMicros) / 1e6),
        pocketed: this.pocketedInShot,
        ball_count: count,
        ...firstContactField(this.contact.end(state.balls())),
        ...railFields(this.rail.end(state.balls())),
        replay: this.recorder.end(),
      });
      this.pocketedInShot = [];
    }
    return out;
  }

  /**
   * Whether a ball is missing at a pocket mouth: it may be dropping in (its track is removed, and
   * its `ball_pocketed` sent, only after `dropAfterMissedFrames`), so the shot has not ended yet.
   */
  private fallingIn(state: GameState): boolean {
    for (const t of state.balls()) if (t.missed > 0 && this.nearestPocket(state, t)) return true;
    return false;
  }

  /** The pocket `t` went into (see the module comment), or null. */
  private nearestPocket(state: GameState, t: BallTrack): { index: number; x: number; y: number } | null {
    let best: { index: number; x: number; y: number } | null = null;
    let bestGap = Infinity;
    const pockets = state.table.pockets;
    // The path it would have rolled: from its last position along its last velocity.
    const ax = t.moving ? t.vx * this.opts.pocketLookaheadS : 0;
    const ay = t.moving ? t.vy * this.opts.pocketLookaheadS : 0;
    for (let i = 0; i < pockets.length; i++) {
      const p = pockets[i]!;
      const gap = distanceToSegment(p.x, p.y, t.x, t.y, ax, ay) - p.radius;
      if (gap < bestGap) {
        bestGap = gap;
        best = { index: i, x: p.x, y: p.y };
      }
    }
    return bestGap <= this.opts.pocketMarginM ? best : null;
  }
}
