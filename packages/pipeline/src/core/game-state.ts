/**
 * The authoritative game state: tracked balls, the cue and the table, updated from validated
 * detections, and the `state` payload of PROTOCOL section 5 built from them.
 *
 * Ball identity: a detection's `id` is used as is; balls without one are associated with the
 * nearest existing track (greedy nearest neighbour on the position predicted from the velocity,
 * gated at {@link GameStateOptions.associationGateM}); unmatched balls start new tracks `t<n>`.
 * A track not detected for `dropAfterMissedFrames` frames is removed and reported (the events
 * module decides whether it was pocketed).
 */
import { formatTimestamp, type StatePayload, type Ball as WireBall, type Cue as WireCue, type Table as WireTable } from '@tablecast/protocol';
import type { DetectedCue, DetectedTable, Detection } from './detection.js';
import { BallTrack, DEFAULT_MOTION, type MotionThresholds } from './ball-track.js';

/** Tuning of the game state. */
export interface GameStateOptions {
  motion: MotionThresholds;
  /** Frames a ball may be missing before its track is removed. */
  dropAfterMissedFrames: number;
  /** Max distance (metres) between a predicted track position and an id-less detection. */
  associationGateM: number;
  /**
   * A ball that jumps farther than this (metres) plus what `maxBallSpeed` allows since its last
   * detection is re-tracked (re-rack, respot).
   */
  teleportM: number;
  /** Fastest plausible ball, m/s (a hard break is ~8 m/s). */
  maxBallSpeed: number;
}

/** Defaults: drop after 6 missed frames, 0.2 m gate, 0.35 m + 9 m/s teleport. */
export const DEFAULT_GAME_STATE_OPTIONS: GameStateOptions = {
  motion: DEFAULT_MOTION,
  dropAfterMissedFrames: 6,
  associationGateM: 0.2,
  teleportM: 0.35,
  maxBallSpeed: 9,
};

/** What one update changed. */
export interface StateUpdate {
  /** Tracks removed in this update (missing too long); their last known state. */
  removed: BallTrack[];
  /** Tracks created in this update. */
  added: BallTrack[];
}

/** See the module comment. */
export class GameState {
  private readonly tracks = new Map<string, BallTrack>();
  private nextTrackId = 1;
  private cueDetected: DetectedCue | null = null;
  private tableGeom: DetectedTable;
  private frame = 0;
  private captureMicros = 0;
  private cached: StatePayload | null = null;
  private readonly opts: GameStateOptions;
  private readonly matchedScratch = new Set<string>();

  /** @param table fallback table geometry (metres) used until a detection carries one */
  constructor(table: DetectedTable, options: Partial<GameStateOptions> = {}) {
    this.tableGeom = table;
    this.opts = { ...DEFAULT_GAME_STATE_OPTIONS, ...options };
  }

  /** Current table geometry (metres). */
  get table(): DetectedTable {
    return this.tableGeom;
  }
  /** Latest cue detection, or null. */
  get cue(): DetectedCue | null {
    return this.cueDetected;
  }
  /** Frame number of the latest detection. */
  get frameNumber(): number {
    return this.frame;
  }
  /** Capture time of the latest detection, microseconds since the epoch. */
  get captureTimestampMicros(): number {
    return this.captureMicros;
  }
  /** Tracked balls (including ones missing for fewer than `dropAfterMissedFrames` frames). */
  balls(): IterableIterator<BallTrack> {
    return this.tracks.values();
  }
  /** Number of tracked balls. */
  get ballCount(): number {
    return this.tracks.size;
  }
  /** A tracked ball by id. */
  ball(id: string): BallTrack | undefined {
    return this.tracks.get(id);
  }
  /** Whether any tracked ball is moving. */
  anyMoving(): boolean {
    for (const t of this.tracks.values()) if (t.moving) return true;
    return false;
  }

  /** Applies a validated detection. */
  update(d: Detection): StateUpdate {
    if (d.table) this.tableGeom = d.table;
    this.frame = d.frameNumber;
    this.captureMicros = d.captureTimestampMicros;
    this.cueDetected = d.cue;
    this.cached = null;
    const added: BallTrack[] = [];
    const matched = this.matchedScratch;
    matched.clear();
    const anonymous: typeof d.balls = [];
    for (const b of d.balls) {
      if (b.id === undefined) {
        anonymous.push(b);
        continue;
      }
      let t = this.tracks.get(b.id);
      if (t) {
        const reach = this.opts.teleportM + (this.opts.maxBallSpeed * Math.max(0, d.captureTimestampMicros - t.lastUpdateMicros)) / 1e6;
        if (Math.hypot(b.x - t.x, b.y - t.y) > reach) t = undefined;
      }
      if (t) t.update(b, d.frameNumber, d.captureTimestampMicros);
      else {
        t = new BallTrack(b.id, this.nextTrackId++, b, d.frameNumber, d.captureTimestampMicros, this.opts.motion);
        this.tracks.set(b.id, t);
        added.push(t);
      }
      matched.add(b.id);
    }
    if (anonymous.length > 0) this.associate(anonymous, d, matched, added);
    const removed: BallTrack[] = [];
    for (const [id, t] of this.tracks) {
      if (matched.has(id)) continue;
      t.miss();
      if (t.missed >= this.opts.dropAfterMissedFrames) {
        this.tracks.delete(id);
        removed.push(t);
      }
    }
    return { removed, added };
  }

  private associate(balls: Detection['balls'], d: Detection, matched: Set<string>, added: BallTrack[]): void {
    const dt = this.lastDtSeconds(d.captureTimestampMicros);
    const pairs: { dist: number; bi: number; id: string }[] = [];
    for (let bi = 0; bi < balls.length; bi++) {
      const b = balls[bi]!;
      for (const t of this.tracks.values()) {
        if (matched.has(t.id)) continue;
        const dist = Math.hypot(b.x - (t.x + t.vx * dt), b.y - (t.y + t.vy * dt));
        if (dist <= this.opts.associationGateM) pairs.push({ dist, bi, id: t.id });
      }
    }
    pairs.sort((a, b) => a.dist - b.dist);
    const used = new Set<number>();
    for (const p of pairs) {
      if (used.has(p.bi) || matched.has(p.id)) continue;
      used.add(p.bi);
      matched.add(p.id);
      this.tracks.get(p.id)!.update(balls[p.bi]!, d.frameNumber, d.captureTimestampMicros);
    }
    for (let bi = 0; bi < balls.length; bi++) {
      if (used.has(bi)) continue;
      const trackId = this.nextTrackId++;
      const t = new BallTrack(`t${trackId}`, trackId, balls[bi]!, d.frameNumber, d.captureTimestampMicros, this.opts.motion);
      this.tracks.set(t.id, t);
      matched.add(t.id);
      added.push(t);
    }
  }

  private lastDtSeconds(now: number): number {
    let last = 0;
    for (const t of this.tracks.values()) if (t.lastUpdateMicros > last && t.lastUpdateMicros < now) last = t.lastUpdateMicros;
    return last > 0 ? (now - last) / 1e6 : 0;
  }

  /** The `state` payload (PROTOCOL section 5) of the current state; cached until the next update. */
  toPayload(): StatePayload {
    if (this.cached) return this.cached;
    const stamps = new Map<number, string>();
    const stamp = (us: number): string => {
      let s = stamps.get(us);
      if (s === undefined) stamps.set(us, (s = formatTimestamp(us)));
      return s;
    };
    const balls: WireBall[] = [];
    for (const t of this.tracks.values()) {
      balls.push({
        id: t.id,
        number: t.number,
        type: t.type,
        position: { x: round(t.x), y: round(t.y), scale: [1, 1] },
        velocity: { x: round(t.vx), y: round(t.vy), scale: [1, 1] },
        radius: round(t.radius),
        is_moving: t.moving,
        is_pocketed: false,
        confidence: round(t.missed > 0 ? t.confidence * 0.5 : t.confidence, 3),
        track_id: t.trackId,
        last_update: stamp(t.lastUpdateMicros),
      });
    }
    this.cached = {
      balls,
      cue: cuePayload(this.cueDetected),
      table: tablePayload(this.tableGeom),
      ball_count: balls.length,
      frame_number: this.frame,
      capture_timestamp: stamp(this.captureMicros),
    };
    return this.cached;
  }
}

function round(v: number, digits = 5): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** The wire `cue` (null when no cue is detected). */
export function cuePayload(c: DetectedCue | null): WireCue | null {
  if (!c) return null;
  const tip = { x: round(c.tipX), y: round(c.tipY), scale: [1, 1] as [number, number] };
  return {
    detected: true,
    // `position` is what the original system's clients read (the cue tip); `tip_position` the same point.
    position: tip,
    tip_position: tip,
    angle: round(c.angleDeg, 3),
    length: round(c.length, 4),
    confidence: round(c.confidence, 3),
    ...(c.power !== undefined ? { power: round(c.power, 3) } : {}),
  };
}

/**
 * The wire `table`: pockets in metres (rounded to 10 µm like ball positions), corners of the playing
 * surface, calibration when known (homography and pixel corners unrounded).
 */
export function tablePayload(t: DetectedTable): WireTable {
  return {
    width: t.width,
    height: t.height,
    pockets: t.pockets.map((p) => ({ x: round(p.x), y: round(p.y), radius: round(p.radius) })),
    corners: [
      { x: 0, y: 0 },
      { x: t.width, y: 0 },
      { x: t.width, y: t.height },
      { x: 0, y: t.height },
    ],
    calibrated: Boolean(t.homography),
    calibration: t.homography
      ? { homography: t.homography, corners_px: t.cornersPx ?? null, image_width: t.imageWidth ?? null, image_height: t.imageHeight ?? null }
      : null,
  };
}
