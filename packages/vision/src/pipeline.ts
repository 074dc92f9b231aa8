/**
 * VisionPipeline: frame in, table-metre detections out. Calibrates on the first frame (or from
 * given corners), then per frame detects balls (reduced-resolution search + full-resolution
 * refinement), the cue, and tracks balls across frames.
 */
import { type Ball, type BallDetectionOptions, detectBalls } from './balls.js';
import { type CalibrationOptions, type TableCalibration, calibrateTable } from './calibration.js';
import { type Cue, type CueDetectionOptions, detectCue } from './cue.js';
import type { Frame, RgbImage } from './image.js';
import { BallTracker, type BallTrackerOptions, type TrackedBall } from './tracker.js';

/** Options of {@link VisionPipeline}. */
export interface VisionPipelineOptions {
  calibration?: CalibrationOptions;
  /** Empty-table image of the same view (improves ball detection, see {@link detectBalls}). */
  background?: RgbImage;
  balls?: Omit<BallDetectionOptions, 'background'>;
  cue?: CueDetectionOptions;
  tracker?: BallTrackerOptions;
  /** Detect the cue stick (default true). */
  detectCue?: boolean;
  /** Recalibrate when the frame size changes (always) or every n frames (default never). */
  recalibrateEvery?: number;
}

/** Result of one frame. */
export interface VisionResult {
  frameNumber: number;
  timestampMicros: number;
  /** Tracked balls, table metres and m/s. */
  balls: TrackedBall[];
  /** Raw detections of this frame before tracking. */
  detections: Ball[];
  cue: Cue | null;
  table: TableCalibration;
  /** Processing time of this frame, milliseconds (calibration included when it ran). */
  elapsedMs: number;
}

/** Stateful per-stream pipeline (owns a tracker); create one per video source. */
export class VisionPipeline {
  private cal: TableCalibration | null = null;
  private readonly tracker: BallTracker;
  private sinceCal = 0;

  constructor(private readonly opts: VisionPipelineOptions = {}) {
    this.tracker = new BallTracker(opts.tracker);
  }

  /** Current calibration, or null before the first frame. */
  get calibration(): TableCalibration | null {
    return this.cal;
  }

  /**
   * Processes one frame.
   * @throws Error from {@link calibrateTable} when the table cannot be found in the first frame
   */
  process(frame: Frame): VisionResult {
    const t0 = performance.now();
    const every = this.opts.recalibrateEvery ?? 0;
    if (!this.cal || this.cal.imageWidth !== frame.width || this.cal.imageHeight !== frame.height || (every > 0 && this.sinceCal >= every)) {
      this.cal = calibrateTable(frame, this.opts.calibration);
      this.sinceCal = 0;
    }
    this.sinceCal++;
    const cal = this.cal;
    const detections = detectBalls(frame, cal, { ...this.opts.balls, background: this.opts.background });
    const balls = this.tracker.update(detections, frame.timestampMicros);
    const cue = this.opts.detectCue === false ? null : detectCue(frame, cal, detections, this.opts.cue);
    return {
      frameNumber: frame.frameNumber,
      timestampMicros: frame.timestampMicros,
      balls,
      detections,
      cue,
      table: cal,
      elapsedMs: performance.now() - t0,
    };
  }

  /** Drops tracks and calibration (next frame recalibrates). */
  reset(): void {
    this.cal = null;
    this.tracker.reset();
  }
}
