/**
 * Validation of detections before they reach the game state. Rejected parts are never published:
 * - `nan`: a ball or cue value that is not a finite number (NaN, Infinity, missing);
 * - `off_table`: a ball centre beyond the table plus `toleranceM`;
 * - `duplicate_id`: a second ball with an id already seen in the same detection (the first is kept);
 * - `bad_radius`: a radius outside `minRadiusM..maxRadiusM` (pool balls are 0.028575 m, WPA);
 * - `bad_confidence`: a confidence outside 0..1;
 * - `bad_frame`: the detection itself has a non-finite frame number or capture timestamp (whole
 *   detection rejected).
 * Bad balls are removed one by one so one glitch does not blank the whole frame.
 */
import type { DetectedBall, DetectedCue, Detection } from './detection.js';

/** Why something was rejected. */
export type RejectReason = 'nan' | 'off_table' | 'duplicate_id' | 'bad_radius' | 'bad_confidence' | 'bad_frame' | 'cue_nan';

/** One rejected item. */
export interface Rejection {
  reason: RejectReason;
  /** Ball id (or `cue`, or `frame`) and a short description. */
  subject: string;
  detail: string;
}

/** Validation limits. */
export interface ValidationLimits {
  /** Playing-surface size, metres. */
  width: number;
  height: number;
  /** How far beyond the cushion nose a centre may be (pocket mouths, calibration error), metres. */
  toleranceM: number;
  /** Allowed radius range, metres. */
  minRadiusM: number;
  maxRadiusM: number;
}

/** Defaults: 5 cm tolerance, radius 0.02..0.04 m. */
export const DEFAULT_LIMITS: Omit<ValidationLimits, 'width' | 'height'> = { toleranceM: 0.05, minRadiusM: 0.02, maxRadiusM: 0.04 };

/** Result of validating one detection. */
export interface ValidationResult {
  /** The detection with bad parts removed, or null when the whole detection was rejected. */
  detection: Detection | null;
  rejections: Rejection[];
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkBall(b: DetectedBall, limits: ValidationLimits): Rejection | null {
  const subject = b.id ?? `#${String(b.number ?? '?')}`;
  if (!finite(b.x) || !finite(b.y) || !finite(b.radius) || (b.vx !== undefined && !finite(b.vx)) || (b.vy !== undefined && !finite(b.vy))) {
    return { reason: 'nan', subject, detail: `non-finite value (x=${b.x}, y=${b.y}, r=${b.radius})` };
  }
  if (!finite(b.confidence) || b.confidence < 0 || b.confidence > 1) {
    return { reason: 'bad_confidence', subject, detail: `confidence ${b.confidence} outside 0..1` };
  }
  const t = limits.toleranceM;
  if (b.x < -t || b.y < -t || b.x > limits.width + t || b.y > limits.height + t) {
    return { reason: 'off_table', subject, detail: `(${b.x.toFixed(3)}, ${b.y.toFixed(3)}) m outside ${limits.width}x${limits.height} m + ${t} m` };
  }
  if (b.radius < limits.minRadiusM || b.radius > limits.maxRadiusM) {
    return { reason: 'bad_radius', subject, detail: `radius ${b.radius} m outside ${limits.minRadiusM}..${limits.maxRadiusM} m` };
  }
  return null;
}

function cueOk(c: DetectedCue): boolean {
  return finite(c.tipX) && finite(c.tipY) && finite(c.angleDeg) && finite(c.length) && finite(c.confidence) && (c.power === undefined || finite(c.power));
}

/**
 * Validates a detection against the table limits.
 * @returns the cleaned detection (a new object only when something was removed) and the rejections
 */
export function validateDetection(d: Detection, limits: ValidationLimits): ValidationResult {
  if (!finite(d.frameNumber) || !finite(d.captureTimestampMicros) || !Array.isArray(d.balls)) {
    return { detection: null, rejections: [{ reason: 'bad_frame', subject: 'frame', detail: `frame ${d.frameNumber} at ${d.captureTimestampMicros} us` }] };
  }
  const rejections: Rejection[] = [];
  let kept: DetectedBall[] | null = null;
  const seen = new Set<string>();
  for (let i = 0; i < d.balls.length; i++) {
    const b = d.balls[i]!;
    let rej = checkBall(b, limits);
    if (!rej && b.id !== undefined) {
      if (seen.has(b.id)) rej = { reason: 'duplicate_id', subject: b.id, detail: `id ${b.id} appears more than once` };
      else seen.add(b.id);
    }
    if (rej) {
      rejections.push(rej);
      kept ??= d.balls.slice(0, i);
    } else if (kept) kept.push(b);
  }
  let cue = d.cue;
  if (cue && !cueOk(cue)) {
    rejections.push({ reason: 'cue_nan', subject: 'cue', detail: 'non-finite cue value' });
    cue = null;
  }
  if (!kept && cue === d.cue) return { detection: d, rejections };
  return { detection: { ...d, balls: kept ?? d.balls, cue }, rejections };
}
