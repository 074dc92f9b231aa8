/**
 * One tracked ball: smoothed position, windowed velocity and the `is_moving` flag with hysteresis.
 *
 * Velocity is the displacement over the last {@link VELOCITY_WINDOW} samples divided by their time
 * span (with 1.5 mm measurement noise at 30 fps that keeps the noise near 0.013 m/s per axis), then
 * smoothed with an exponential moving average. A still ball's position is smoothed with a slow EMA
 * so measurement noise does not trigger state publishes; a moving ball follows the raw measurement.
 */

/** Samples in the velocity window. */
export const VELOCITY_WINDOW = 5;

/** Motion thresholds, m/s. */
export interface MotionThresholds {
  /** Speed above which a still ball starts moving (for `enterFrames` consecutive frames). */
  enterSpeed: number;
  /** Speed above which a ball is moving at once, without waiting for `enterFrames`. */
  instantSpeed: number;
  enterFrames: number;
  /** Speed below which a moving ball stops (for `exitFrames` consecutive frames). */
  exitSpeed: number;
  exitFrames: number;
  /** EMA weight of a new measurement for a still ball's position (0..1). */
  stillAlpha: number;
  /** EMA weight of a new velocity estimate (0..1). */
  velocityAlpha: number;
}

/** Defaults tuned for 1.5 mm noise at 15-60 fps. */
export const DEFAULT_MOTION: MotionThresholds = {
  enterSpeed: 0.06,
  instantSpeed: 0.3,
  enterFrames: 2,
  exitSpeed: 0.03,
  exitFrames: 3,
  stillAlpha: 0.1,
  velocityAlpha: 0.6,
};

/** Ball type from its number (0 cue, 8 eight, 1-7 solid, 9-15 stripe). */
export function typeOfNumber(n: number | null | undefined): 'cue' | 'solid' | 'stripe' | 'eight' | 'unknown' {
  if (n === 0) return 'cue';
  if (n === 8) return 'eight';
  if (n !== null && n !== undefined && n >= 1 && n <= 7) return 'solid';
  if (n !== null && n !== undefined && n >= 9 && n <= 15) return 'stripe';
  return 'unknown';
}

/** Whether a track is the cue ball: typed `cue`, number 0, or the id `cue` (the simulator's). */
export function isCueBall(t: { readonly type: string; readonly number: number | null; readonly id: string }): boolean {
  return t.type === 'cue' || t.number === 0 || t.id === 'cue';
}

/** A tracked ball. Positions in metres, velocities in m/s, times in microseconds since the epoch. */
export class BallTrack {
  x: number;
  y: number;
  vx = 0;
  vy = 0;
  moving = false;
  radius: number;
  confidence: number;
  number: number | null;
  type: 'cue' | 'solid' | 'stripe' | 'eight' | 'unknown';
  /** Frames since the ball was last detected (0 = seen in the latest frame). */
  missed = 0;
  lastSeenFrame: number;
  lastUpdateMicros: number;
  private readonly hx = new Float64Array(VELOCITY_WINDOW);
  private readonly hy = new Float64Array(VELOCITY_WINDOW);
  private readonly ht = new Float64Array(VELOCITY_WINDOW);
  private samples = 0;
  private enterCount = 0;
  private exitCount = 0;

  constructor(
    readonly id: string,
    readonly trackId: number,
    m: { x: number; y: number; radius: number; confidence: number; number?: number | null; type?: string },
    frame: number,
    micros: number,
    private readonly motion: MotionThresholds,
  ) {
    this.x = m.x;
    this.y = m.y;
    this.radius = m.radius;
    this.confidence = m.confidence;
    this.number = m.number ?? null;
    this.type = m.type && m.type !== 'unknown' ? (m.type as BallTrack['type']) : typeOfNumber(this.number);
    this.lastSeenFrame = frame;
    this.lastUpdateMicros = micros;
    this.pushSample(m.x, m.y, micros);
  }

  private pushSample(x: number, y: number, micros: number): void {
    const i = this.samples % VELOCITY_WINDOW;
    this.hx[i] = x;
    this.hy[i] = y;
    this.ht[i] = micros;
    this.samples++;
  }

  /** Applies a new measurement. `vx`/`vy` (m/s) are used when the source measured them. */
  update(
    m: { x: number; y: number; radius: number; confidence: number; number?: number | null; type?: string; vx?: number; vy?: number },
    frame: number,
    micros: number,
  ): void {
    this.pushSample(m.x, m.y, micros);
    let vx: number;
    let vy: number;
    if (m.vx !== undefined && m.vy !== undefined) {
      vx = m.vx;
      vy = m.vy;
    } else {
      const n = Math.min(this.samples, VELOCITY_WINDOW);
      const last = (this.samples - 1) % VELOCITY_WINDOW;
      const first = (this.samples - n) % VELOCITY_WINDOW;
      const dt = (this.ht[last]! - this.ht[first]!) / 1e6;
      vx = dt > 0 ? (this.hx[last]! - this.hx[first]!) / dt : 0;
      vy = dt > 0 ? (this.hy[last]! - this.hy[first]!) / dt : 0;
    }
    const a = this.motion.velocityAlpha;
    this.vx += a * (vx - this.vx);
    this.vy += a * (vy - this.vy);
    const speed = Math.hypot(this.vx, this.vy);
    // Until the window is full the velocity is too noisy for the low threshold (2 samples: ~0.06 m/s).
    const warm = this.samples >= VELOCITY_WINDOW;
    if (!this.moving) {
      this.enterCount = warm && speed > this.motion.enterSpeed ? this.enterCount + 1 : 0;
      if ((this.samples >= 3 && speed > this.motion.instantSpeed) || this.enterCount >= this.motion.enterFrames) {
        this.moving = true;
        this.exitCount = 0;
      }
    } else {
      this.exitCount = speed < this.motion.exitSpeed ? this.exitCount + 1 : 0;
      if (this.exitCount >= this.motion.exitFrames) {
        this.moving = false;
        this.enterCount = 0;
      }
    }
    if (this.moving) {
      this.x = m.x;
      this.y = m.y;
    } else {
      const s = this.motion.stillAlpha;
      this.x += s * (m.x - this.x);
      this.y += s * (m.y - this.y);
    }
    this.radius = m.radius;
    this.confidence = m.confidence;
    if (m.number !== undefined && m.number !== null) {
      this.number = m.number;
      this.type = typeOfNumber(m.number);
    }
    if (m.type && m.type !== 'unknown') this.type = m.type as BallTrack['type'];
    this.missed = 0;
    this.lastSeenFrame = frame;
    this.lastUpdateMicros = micros;
  }

  /** Marks a frame in which the ball was not detected. */
  miss(): void {
    this.missed++;
  }

  /** The latest measured x (metres): `x` without the smoothing applied while the ball is still. */
  get measuredX(): number {
    return this.hx[(this.samples - 1) % VELOCITY_WINDOW]!;
  }

  /** The latest measured y (metres), see {@link measuredX}. */
  get measuredY(): number {
    return this.hy[(this.samples - 1) % VELOCITY_WINDOW]!;
  }

  /** Current speed, m/s. */
  get speed(): number {
    return Math.hypot(this.vx, this.vy);
  }
}
