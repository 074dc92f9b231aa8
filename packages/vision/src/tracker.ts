/**
 * Multi-ball tracker: one constant-velocity Kalman filter per ball ({@link KalmanCV}), optimal
 * frame-to-frame assignment (Hungarian, {@link hungarian}) with a distance gate, stable track ids,
 * identity by majority vote over the track's history, and tracks that survive a few missed
 * frames (occlusion by the cue or a hand) with their id.
 */
import type { Ball } from './balls.js';
import { hungarian } from './hungarian.js';
import { KalmanCV, type KalmanOptions } from './kalman.js';

/** A ball with its track. Positions metres, velocities m/s. */
export interface TrackedBall extends Ball {
  /** Stable id of the track, starting at 1 per tracker. */
  trackId: number;
  /** Filtered velocity, m/s. */
  vx: number;
  vy: number;
  /** Speed above the moving threshold. */
  isMoving: boolean;
  /** Frames since the ball was last detected (0 = seen in this frame). */
  missed: number;
  /** Frames the track has been detected in. */
  hits: number;
}

/** Options of {@link BallTracker}. */
export interface BallTrackerOptions extends KalmanOptions {
  /** Frames a track survives without a detection (default 5). */
  maxMissed?: number;
  /** Gate: base distance, metres, a detection may be from its prediction (default 0.12). */
  gate?: number;
  /** Speed above which a ball is moving, m/s (default 0.03). */
  movingThreshold?: number;
  /** Also report tracks not seen in this frame, at their predicted position (default false). */
  reportMissing?: boolean;
}

/**
 * Identity votes of one track: accumulated identity confidence per ball number, in order of first
 * vote (the order breaks ties, as a Map's insertion order did).
 */
class VoteTally {
  private readonly numbers: number[] = [];
  private readonly weights: number[] = [];

  /** Adds `weight` to `number`'s votes. */
  add(number: number, weight: number): void {
    const i = this.numbers.indexOf(number);
    if (i >= 0) this.weights[i] = this.weights[i]! + weight;
    else { this.numbers.push(number); this.weights.push(weight); }
  }

  /** Number with the largest accumulated confidence (the first of equals), or null. */
  best(): number | null {
    let best: number | null = null, w = 0;
    for (let i = 0; i < this.numbers.length; i++) if (this.weights[i]! > w) { w = this.weights[i]!; best = this.numbers[i]!; }
    return best;
  }
}

interface Track {
  id: number;
  kf: KalmanCV;
  last: Ball;
  missed: number;
  hits: number;
  votes: VoteTally;
}

/** Tracks balls across frames. One instance per video stream; not shared between streams. */
export class BallTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private lastMicros: number | null = null;
  private readonly opts: Required<Omit<BallTrackerOptions, keyof KalmanOptions>> & KalmanOptions;

  constructor(opts: BallTrackerOptions = {}) {
    this.opts = { maxMissed: 5, gate: 0.12, movingThreshold: 0.03, reportMissing: false, ...opts };
  }

  /** Number of live tracks (including ones currently missing). */
  get size(): number {
    return this.tracks.length;
  }

  /** Forgets all tracks (e.g. after the camera moved). */
  reset(): void {
    this.tracks = [];
    this.lastMicros = null;
  }

  /**
   * Feeds the detections of one frame.
   * @param balls detections in table metres
   * @param timestampMicros capture time of the frame, microseconds
   * @returns the tracked balls of this frame (plus missing ones when `reportMissing`)
   */
  update(balls: readonly Ball[], timestampMicros: number): TrackedBall[] {
    const dt = this.lastMicros === null ? 0 : Math.max(0, Math.min(1, (timestampMicros - this.lastMicros) / 1e6));
    this.lastMicros = timestampMicros;
    const tracks = this.tracks;
    const nt = tracks.length, nb = balls.length;
    // Per track: its gate and its voted identity, then the cost of each pairing.
    const cost: number[][] = new Array<number[]>(nt);
    for (let i = 0; i < nt; i++) {
      const t = tracks[i]!;
      t.kf.predict(dt);
      const gate = this.opts.gate + 3 * t.kf.positionStd + Math.hypot(t.kf.vx, t.kf.vy) * dt * 0.5;
      const tn = t.votes.best();
      const tx = t.kf.x, ty = t.kf.y;
      const row = new Array<number>(nb);
      for (let j = 0; j < nb; j++) {
        const b = balls[j]!;
        const d = Math.hypot(b.x - tx, b.y - ty);
        // Identity disagreement makes a pairing more expensive, never impossible (colour is noisy).
        row[j] = d > gate ? Infinity
          : d + (tn !== null && b.number !== null && b.identityConfidence > 0.5 && b.number !== tn ? 0.03 : 0);
      }
      cost[i] = row;
    }
    const assign = hungarian(cost);
    const used = new Uint8Array(nb);
    for (let i = 0; i < nt; i++) {
      const t = tracks[i]!, j = assign[i]!;
      if (j < 0 || !Number.isFinite(cost[i]![j]!)) { t.missed++; continue; }
      const b = balls[j]!;
      used[j] = 1;
      t.kf.update(b.x, b.y);
      t.last = b;
      t.missed = 0;
      t.hits++;
      if (b.number !== null) t.votes.add(b.number, b.identityConfidence);
    }
    // Drop expired tracks in place, then start a track for every unassigned detection.
    let live = 0;
    for (let i = 0; i < nt; i++) if (tracks[i]!.missed <= this.opts.maxMissed) tracks[live++] = tracks[i]!;
    tracks.length = live;
    for (let j = 0; j < nb; j++) {
      if (used[j]) continue;
      const b = balls[j]!;
      const votes = new VoteTally();
      if (b.number !== null) votes.add(b.number, b.identityConfidence);
      tracks.push({ id: this.nextId++, kf: new KalmanCV(b.x, b.y, this.opts), last: b, missed: 0, hits: 1, votes });
    }
    // Tracks are kept in creation order, so the output is in ascending trackId.
    const out: TrackedBall[] = [];
    for (const t of tracks) {
      if (t.missed > 0 && !this.opts.reportMissing) continue;
      out.push(this.view(t));
    }
    return out;
  }

  private view(t: Track): TrackedBall {
    const vote = t.votes.best();
    const number = vote === null ? t.last.number : vote;
    const type = number === null ? t.last.type : number === 0 ? 'cue' : number === 8 ? 'eight' : number > 8 ? 'stripe' : 'solid';
    const vx = t.kf.vx, vy = t.kf.vy;
    return {
      ...t.last,
      number,
      type,
      x: t.kf.x,
      y: t.kf.y,
      trackId: t.id,
      vx,
      vy,
      isMoving: Math.hypot(vx, vy) > this.opts.movingThreshold,
      missed: t.missed,
      hits: t.hits,
      confidence: t.last.confidence * Math.pow(0.8, t.missed),
    };
  }
}
