/**
 * Converts a {@link Prediction} into the `trajectory` stream payload (docs: /work/shared/PROTOCOL.md
 * section 5): line segments per ball, predicted collisions, pocketed balls and counts.
 */
import type { TrajectoryCollision, TrajectoryLine, TrajectoryPayload } from '@tablecast/protocol';
import type { Prediction } from './predict.js';

/** Confidence of a segment drops by this factor per collision the ball has had before it. */
export const CONFIDENCE_DECAY = 0.85;

/**
 * Builds the trajectory payload.
 *
 * - lines: consecutive path points as segments. Type 'primary' for the cue ball, 'secondary' for
 *   object balls, 'reflection' for any ball's segments after its first cushion contact. `confidence`
 *   is 0.85^(number of ball-ball / cushion collisions of that ball before the segment), min 0.1.
 * - collisions: ball_ball (ball1_id = striking ball, ball2_id = other, angle = cut angle),
 *   ball_cushion (ball2_id null, angle = incidence from the normal), ball_pocket (ball2_id null,
 *   angle = heading); time in s after the strike, position = centre of ball1 (m).
 * - pocketed, calculation_time_ms, line_count, collision_count.
 * - confidence: of the prediction as a whole, the confidence of the cue ball's last segment (the
 *   least certain part of the shot; 1 when there is no line), as the original's clients read it.
 */
export function predictionToTrajectory(prediction: Prediction): TrajectoryPayload {
  const lines: TrajectoryLine[] = [];
  for (const path of prediction.paths) {
    const hits = prediction.events
      .filter((e) => (e.type === 'ball_ball' || e.type === 'ball_cushion') && e.ballIds.includes(path.ballId))
      .map((e) => ({ time: e.time, cushion: e.type === 'ball_cushion' }));
    const firstCushion = hits.find((h) => h.cushion)?.time ?? Infinity;
    const base = path.ballId === prediction.cueBallId ? 'primary' : 'secondary';
    const pts = path.points;
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      const before = hits.filter((h) => h.time <= a.t).length;
      lines.push({
        start: { x: a.x, y: a.y },
        end: { x: b.x, y: b.y },
        type: a.t >= firstCushion ? 'reflection' : base,
        ball_id: path.ballId,
        confidence: Math.max(0.1, CONFIDENCE_DECAY ** before),
      });
    }
  }
  const collisions: TrajectoryCollision[] = [];
  for (const e of prediction.events) {
    if (e.type !== 'ball_ball' && e.type !== 'ball_cushion' && e.type !== 'ball_pocket') continue;
    const c: TrajectoryCollision = {
      time: e.time,
      position: { x: e.position.x, y: e.position.y },
      type: e.type,
      ball1_id: e.ballIds[0] ?? null,
      ball2_id: e.type === 'ball_ball' ? (e.ballIds[1] ?? null) : null,
    };
    if (e.angleDeg !== undefined) c.angle = e.angleDeg;
    collisions.push(c);
  }
  return {
    ball_id: prediction.cueBallId,
    lines,
    collisions,
    pocketed: [...prediction.pocketed],
    calculation_time_ms: prediction.calculationTimeMs,
    line_count: lines.length,
    collision_count: collisions.length,
    confidence: shotConfidence(lines, prediction.cueBallId),
  };
}

/** The lowest segment confidence of the cue ball's path (its last segment), or 1 without one. */
function shotConfidence(lines: readonly TrajectoryLine[], cueBallId: string): number {
  let min = 1;
  for (const l of lines) if (l.ball_id === cueBallId && typeof l.confidence === 'number' && l.confidence < min) min = l.confidence;
  return min;
}
