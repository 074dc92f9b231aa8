/**
 * Constant-velocity Kalman filter in two dimensions, state (x, y, vx, vy) in metres and m/s.
 * The axes are independent under this model (diagonal noise), so each is a 2-state filter.
 * Process noise: continuous white-noise acceleration (Bar-Shalom, Li & Kirubarajan, "Estimation
 * with Applications to Tracking and Navigation", 2001, section 6.2.2):
 * Q = q [dt^3/3, dt^2/2; dt^2/2, dt].
 */

/** One axis: position p (m), velocity v (m/s) and the 2x2 covariance [p00, p01, p11]. */
interface Axis {
  p: number;
  v: number;
  c00: number;
  c01: number;
  c11: number;
}

/** Tuning of {@link KalmanCV}. */
export interface KalmanOptions {
  /** Acceleration noise spectral density q, m^2/s^3 (default 4: balls change speed hard on impacts). */
  processNoise?: number;
  /** Measurement standard deviation, metres (default 0.004). */
  measurementStd?: number;
  /** Initial velocity standard deviation, m/s (default 1). */
  initialVelocityStd?: number;
}

/** Constant-velocity filter for one ball. */
export class KalmanCV {
  private readonly ax: Axis;
  private readonly ay: Axis;
  private readonly q: number;
  private readonly r: number;

  /** Starts at a measured position (metres) with zero velocity. */
  constructor(x: number, y: number, opts: KalmanOptions = {}) {
    this.q = opts.processNoise ?? 4;
    const ms = opts.measurementStd ?? 0.004;
    this.r = ms * ms;
    const vs = opts.initialVelocityStd ?? 1;
    this.ax = { p: x, v: 0, c00: this.r, c01: 0, c11: vs * vs };
    this.ay = { p: y, v: 0, c00: this.r, c01: 0, c11: vs * vs };
  }

  /** Position, metres. */
  get x(): number { return this.ax.p; }
  get y(): number { return this.ay.p; }
  /** Velocity, m/s. */
  get vx(): number { return this.ax.v; }
  get vy(): number { return this.ay.v; }
  /** Position standard deviation (mean of both axes), metres. */
  get positionStd(): number { return Math.sqrt((this.ax.c00 + this.ay.c00) / 2); }

  /** Predicts dt seconds ahead (dt >= 0). */
  predict(dt: number): void {
    this.predictAxis(this.ax, dt);
    this.predictAxis(this.ay, dt);
  }

  private predictAxis(a: Axis, dt: number): void {
    a.p += a.v * dt;
    const c00 = a.c00 + 2 * dt * a.c01 + dt * dt * a.c11 + (this.q * dt ** 3) / 3;
    const c01 = a.c01 + dt * a.c11 + (this.q * dt * dt) / 2;
    const c11 = a.c11 + this.q * dt;
    a.c00 = c00; a.c01 = c01; a.c11 = c11;
  }

  /** Position the filter expects after dt seconds, without changing the state. */
  peek(dt: number): { x: number; y: number } {
    return { x: this.ax.p + this.ax.v * dt, y: this.ay.p + this.ay.v * dt };
  }

  /** Corrects with a measured position (metres). */
  update(x: number, y: number): void {
    this.updateAxis(this.ax, x);
    this.updateAxis(this.ay, y);
  }

  private updateAxis(a: Axis, meas: number): void {
    const s = a.c00 + this.r;
    const k0 = a.c00 / s, k1 = a.c01 / s;
    const innov = meas - a.p;
    a.p += k0 * innov;
    a.v += k1 * innov;
    const c00 = (1 - k0) * a.c00;
    const c01 = (1 - k0) * a.c01;
    const c11 = a.c11 - k1 * a.c01;
    a.c00 = c00; a.c01 = c01; a.c11 = c11;
  }
}
