/**
 * Plays a recorded shot (protocol ShotReplay, from a `balls_stopped` event) back on the table: the
 * layout at the strike, each moving ball along its sampled path (linear between samples every
 * `interval_s`), a pocketed ball gone after its path ends. Produces the same frame shape as the live
 * interpolator, so the renderer draws a replay like the live table.
 */
import type { Ball, ShotReplay, StatePayload } from '@tablecast/protocol';
import type { DrawnBall, InterpolatedState } from './interpolation.js';

/** Standard pool ball radius, m (2.25 in). */
const BALL_RADIUS_M = 0.028575;

/** One shot being replayed. */
export class ShotReplayer {
  /** Replay length, seconds (the longest path). */
  readonly durationS: number;

  /**
   * @param replay the shot as recorded
   * @param base the live state whose table (and nothing else) the replay is drawn on
   * @param label what the page says while it plays (`shot 3`)
   */
  constructor(
    private readonly replay: ShotReplay,
    private readonly base: StatePayload | null,
    readonly label: string,
  ) {
    const longest = Math.max(1, ...Object.values(replay.paths).map((p) => p.length));
    this.durationS = (longest - 1) * replay.interval_s;
  }

  /** The frame `elapsedS` seconds into the shot (clamped to its end). */
  frameAt(elapsedS: number): InterpolatedState {
    const t = Math.max(0, Math.min(elapsedS, this.durationS)) / this.replay.interval_s;
    const balls: DrawnBall[] = [];
    for (const b of this.replay.layout) {
      const path = this.replay.paths[b.id];
      let x = b.x;
      let y = b.y;
      let moving = false;
      if (path && path.length > 0) {
        if (t > path.length - 1 && path.length - 1 < Math.floor(this.durationS / this.replay.interval_s)) continue; // pocketed: gone
        const i = Math.min(Math.floor(t), path.length - 1);
        const j = Math.min(i + 1, path.length - 1);
        const f = t - i;
        x = path[i]![0] + (path[j]![0] - path[i]![0]) * f;
        y = path[i]![1] + (path[j]![1] - path[i]![1]) * f;
        moving = j > i;
      }
      const ball: Ball = {
        id: b.id, number: b.number, type: b.type as Ball['type'],
        position: { x, y, scale: [1, 1] }, radius: BALL_RADIUS_M, is_moving: moving, confidence: 1,
      };
      balls.push({ id: b.id, x, y, ball });
    }
    return { balls, state: { balls: balls.map((d) => d.ball), cue: null, table: this.base?.table ?? null } };
  }

  /** Whether the replay has ended `elapsedS` seconds after it started (with a 1 s hold at the end). */
  done(elapsedS: number): boolean {
    return elapsedS > this.durationS + 1;
  }
}
