/**
 * Lookup table of the "not cloth" decision for the coarse candidate masks: 6 bits per channel
 * (262,144 entries, one byte each), built once per cloth model and threshold and cached on the
 * model object. Replaces a square root and three divisions per pixel by one table read; the
 * quantisation (4 levels per step) only affects the coarse search, refinement uses the exact
 * {@link clothDistance}.
 */
import { type ClothModel, clothDistance } from './color.js';

const cache = new WeakMap<ClothModel, Map<number, Uint8Array>>();

/**
 * Table indexed by `((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2)`: 1 where the colour (bin
 * centre) is farther than `threshold` from the cloth, else 0.
 */
export function notClothLut(model: ClothModel, threshold: number): Uint8Array {
  let byT = cache.get(model);
  if (!byT) {
    byT = new Map();
    cache.set(model, byT);
  }
  let lut = byT.get(threshold);
  if (lut) return lut;
  lut = new Uint8Array(1 << 18);
  for (let r = 0; r < 64; r++) {
    for (let g = 0; g < 64; g++) {
      for (let b = 0; b < 64; b++) {
        lut[(r << 12) | (g << 6) | b] = clothDistance(model, r * 4 + 2, g * 4 + 2, b * 4 + 2) > threshold ? 1 : 0;
      }
    }
  }
  byT.set(threshold, lut);
  return lut;
}
