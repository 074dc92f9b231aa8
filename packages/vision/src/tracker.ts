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

interface Track {
  id: number;
  kf: KalmanCV;
  last: Ball;
  missed: number;
  hits: number;
  votes: Map<string, number>;
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
    for (const t of this.tracks) t.kf.predict(dt);
    const gateFor = (t: Track): number => this.opts.gate + 3 * t.kf.positionStd + Math.hypot(t.kf.vx, t.kf.vy) * dt * 0.5;
    const cost = this.tracks.map((t) => balls.map((b) => {
      const d = Math.hypot(b.x - t.kf.x, b.y - t.kf.y);
      if (d > gateFor(t)) return Infinity;
      // Identity disagreement makes a pairing more expensive, never impossible (colour is noisy).
      const tn = bestVote(t.votes);
      const penalty = tn !== null && b.number !== null && b.identityConfidence > 0.5 && String(b.number) !== tn ? 0.03 : 0;
      return d + penalty;
    }));
    const assign = hungarian(cost);
    const used = new Set<number>();
    assign.forEach((j, i) => {
      const t = this.tracks[i]!;
      if (j < 0 || !Number.isFinite(cost[i]![j]!)) { t.missed++; return; }
      const b = balls[j]!;
      used.add(j);
      t.kf.update(b.x, b.y);
      t.last = b;
      t.missed = 0;
      t.hits++;
      if (b.number !== null) t.votes.set(String(b.number), (t.votes.get(String(b.number)) ?? 0) + b.identityConfidence);
    });
    this.tracks = this.tracks.filter((t) => t.missed <= this.opts.maxMissed);
    balls.forEach((b, j) => {
      if (used.has(j)) return;
      const votes = new Map<string, number>();
      if (b.number !== null) votes.set(String(b.number), b.identityConfidence);
      this.tracks.push({ id: this.nextId++, kf: new KalmanCV(b.x, b.y, this.opts), last: b, missed: 0, hits: 1, votes });
    });
    const out: TrackedBall[] = [];
    for (const t of this.tracks) {
      if (t.missed > 0 && !this.opts.reportMissing) continue;
      out.push(this.view(t));
    }
    return out.sort((a, b) => a.trackId - b.trackId);
  }

  private view(t: Track): TrackedBall {
    const vote = bestVote(t.votes);
    const number = vote === null ? t.last.number : Number(vote);
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

/** Number with the largest accumulated confidence, or null. */
function bestVote(votes: Map<string, number>): string | null {
  let best: string | null = null, w = 0;
  for (const [k, v] of votes) if (v > w) { w = v; best = k; }
  return best;
}
