/**
 * Physical parameters of balls, cloth and cushions (SI units).
 *
 * Defaults follow pooltool (Kiefl, https://github.com/ekiefl/pooltool, `BallParams` and the
 * pocket-table defaults), which in turn takes them from Leckie & Greenspan (2006) "An event-based
 * pool physics simulator", Alciatore's technical proofs (TP A-14) and Han (2005) "Dynamics in
 * carom and three cushion billiards".
 */

/** Physical parameters used by the simulator. All SI: metres, kilograms, seconds, radians. */
export interface PhysicsParams {
  /** Ball radius R in metres (pooltool: 0.028575 m = 2.25 in / 2). */
  R: number;
  /** Ball mass in kilograms (pooltool: 0.170097 kg = 6 oz). */
  m: number;
  /** Gravitational acceleration in m/s^2. */
  g: number;
  /** Ball-cloth sliding friction coefficient u_s (dimensionless, pooltool 0.2). */
  u_s: number;
  /** Ball-cloth rolling friction coefficient u_r (dimensionless, pooltool 0.01). */
  u_r: number;
  /**
   * Ball-cloth spinning friction coefficient u_sp (dimensionless). pooltool uses
   * u_sp = u_sp_proportionality * R with proportionality 10 * 2 / 5 / 9 = 0.444 per metre, so the
   * default is 0.444 * R.
   */
  u_sp: number;
  /** Ball-ball coefficient of restitution e_b (pooltool 0.95). */
  e_b: number;
  /**
   * Ball-ball friction coefficient u_b used by the frictional collision model. `null` selects
   * Alciatore's TP A-14 fit u_b = 9.951e-3 + 0.108 exp(-1.088 |v_rel|) (v_rel in m/s), the
   * fit pooltool also offers; a number fixes it.
   */
  u_b: number | null;
  /** Ball-cushion coefficient of restitution e_c (pooltool 0.85). */
  e_c: number;
  /** Ball-cushion friction coefficient f_c for the Han 2005 model (pooltool 0.2). */
  f_c: number;
  /** Height of the cushion nose above the cloth in metres (pooltool: 0.64 * 2R). */
  cushionHeight: number;
}

/** Ball radius of a standard pool ball in metres (2.25 in diameter). */
export const BALL_RADIUS = 0.028575;

/** pooltool's spinning-friction proportionality constant, per metre: u_sp = 0.444 * R. */
export const SPIN_FRICTION_PROPORTIONALITY = (10 * 2) / 5 / 9;

/** Default physics parameters (pooltool defaults, see {@link PhysicsParams} for each source). */
export const DEFAULT_PHYSICS: Readonly<PhysicsParams> = Object.freeze({
  R: BALL_RADIUS,
  m: 0.170097,
  g: 9.81,
  u_s: 0.2,
  u_r: 0.01,
  u_sp: SPIN_FRICTION_PROPORTIONALITY * BALL_RADIUS,
  e_b: 0.95,
  u_b: null,
  e_c: 0.85,
  f_c: 0.2,
  cushionHeight: 0.64 * 2 * BALL_RADIUS,
});

/**
 * Numerical tolerances of the event engine. Lengths in metres, speeds in m/s, times in seconds.
 * They are far below anything measurable on a real table (a 1e-9 m nudge is a nanometre).
 */
export const NUMERIC = Object.freeze({
  /** Speeds below this are treated as zero (m/s); angular speeds use this / R (rad/s). */
  speedEps: 1e-9,
  /** Extra gap left between touching balls and between a ball and a cushion after an event (m). */
  separation: 1e-10,
  /**
   * Minimum separation speed of two balls along the line of centres after a collision (m/s).
   * Without it a slow ball creeping along another (or pushed into it by its own spin) produces
   * thousands of ever smaller collisions (inelastic collapse). 2 mm/s rolls 0.02 mm before
   * stopping, so the added energy is invisible.
   */
  minSeparationSpeed: 2e-3,
  /** Contact-point slip below this counts as rolling (m/s); snapping avoids microsecond slide phases. */
  slipEps: 1e-6,
  /** Minimum outward normal speed after a cushion bounce (m/s); prevents Zeno bounce chains. */
  minBounceSpeed: 1e-4,
  /** Default cap on the number of events per simulation. */
  maxEvents: 20000,
  /** Default cap on simulated time (s). */
  maxTime: 120,
});

/**
 * Merges user overrides into the defaults and validates them.
 *
 * If `R` is overridden but `u_sp` / `cushionHeight` are not, those follow the new radius
 * (u_sp = 0.444 R, cushion height = 1.28 R) as in pooltool.
 *
 * @throws RangeError when a parameter is not finite or is out of its physical range
 *   (R, m, g > 0; friction coefficients >= 0; restitution in [0, 1]; cushion height in (R, 2R)).
 */
export function resolvePhysics(overrides: Partial<PhysicsParams> = {}): PhysicsParams {
  const R = overrides.R ?? DEFAULT_PHYSICS.R;
  const p: PhysicsParams = {
    ...DEFAULT_PHYSICS,
    u_sp: SPIN_FRICTION_PROPORTIONALITY * R,
    cushionHeight: 0.64 * 2 * R,
    ...stripUndefined(overrides),
  };
  const positive: (keyof PhysicsParams)[] = ['R', 'm', 'g'];
  for (const k of positive) {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`physics.${k} must be a positive number`);
  }
  for (const k of ['u_s', 'u_r', 'u_sp', 'f_c'] as const) {
    if (!Number.isFinite(p[k]) || p[k] < 0) throw new RangeError(`physics.${k} must be >= 0`);
  }
  if (p.u_s === 0 || p.u_r === 0 || p.u_sp === 0) {
    throw new RangeError('physics.u_s, u_r and u_sp must be > 0 (balls would never stop)');
  }
  for (const k of ['e_b', 'e_c'] as const) {
    if (!Number.isFinite(p[k]) || p[k] < 0 || p[k] > 1) throw new RangeError(`physics.${k} must be in [0, 1]`);
  }
  if (p.u_b !== null && (!Number.isFinite(p.u_b) || p.u_b < 0)) throw new RangeError('physics.u_b must be >= 0 or null');
  if (!(p.cushionHeight > p.R && p.cushionHeight < 2 * p.R)) {
    throw new RangeError('physics.cushionHeight must be between R and 2R');
  }
  return p;
}

/** Drops keys whose value is `undefined` so they do not shadow defaults. */
function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * Ball-ball friction for a given relative surface speed (m/s): the fixed `u_b` if set, otherwise
 * Alciatore's TP A-14 fit u_b = 9.951e-3 + 0.108 exp(-1.088 v).
 */
export function ballBallFriction(p: PhysicsParams, relativeSurfaceSpeed: number): number {
  if (p.u_b !== null) return p.u_b;
  return 9.951e-3 + 0.108 * Math.exp(-1.088 * relativeSurfaceSpeed);
}
