/**
 * Seeded pseudo-random numbers for deterministic sources (the simulator): mulberry32 for uniforms
 * and the Box-Muller transform for gaussians. No module state: each source owns its generator.
 *
 * mulberry32: Tommy Ettinger's 32-bit generator (public domain), period 2^32, good enough for
 * simulation noise; Box-Muller: G. E. P. Box and M. E. Muller, Ann. Math. Statist. 29 (1958).
 */

/** A seeded generator. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Gaussian with the given mean and standard deviation (same unit as `sd`). */
  gaussian(mean?: number, sd?: number): number;
  /** True with probability `p` (0..1). */
  chance(p: number): boolean;
}

/**
 * Creates a deterministic generator: the same seed yields the same sequence.
 * @param seed any integer (only the low 32 bits are used)
 */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    gaussian(mean = 0, sd = 1) {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return mean + sd * s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => next() < p,
  };
}
