/**
 * Colour helpers: RGB -> HSV conversion and the cloth colour model used to separate the playing
 * surface from balls, shadows, rails and pockets.
 *
 * HSV follows the usual hexcone definition (Smith, "Color gamut transform pairs", SIGGRAPH 1978):
 * hue in degrees 0..360, saturation and value 0..1.
 */

/** HSV triple: hue in degrees [0, 360), saturation and value in [0, 1]. */
export interface Hsv {
  h: number;
  s: number;
  v: number;
}

/**
 * Converts one 8-bit RGB pixel to HSV.
 * @param r red 0..255
 * @param g green 0..255
 * @param b blue 0..255
 * @returns hue in degrees (0 for greys), saturation and value 0..1
 */
export function rgbToHsv(r: number, g: number, b: number): Hsv {
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const d = max - min;
  const v = max / 255;
  const s = max === 0 ? 0 : d / max;
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h *= 60;
    if (h < 0) h += 360;
  }
  return { h, s, v };
}

/** Smallest absolute difference between two hues, degrees 0..180. */
export function hueDistance(a: number, b: number): number {
  const d0 = Math.abs(a - b);
  // Hues in [0, 360) need no reduction; the modulo is a slow fmod call, so only when required.
  const d = d0 < 360 ? d0 : d0 % 360;
  return d > 180 ? 360 - d : d;
}

/**
 * Statistical model of the cloth colour, measured from the image itself: mean chromaticity
 * (r, g, b divided by their sum) and mean brightness of cloth pixels.
 *
 * Shadows on the cloth keep its chromaticity but are darker (the shading model of
 * Finlayson et al., "On the removal of shadows from images", PAMI 2006, first order), so the
 * chromaticity distance rejects them while balls - white, coloured, black - differ in
 * chromaticity or are far darker.
 */
export interface ClothModel {
  /** Dominant cloth hue, degrees. */
  hue: number;
  /** Mean chromaticity r/(r+g+b), g/(r+g+b), b/(r+g+b) of cloth pixels. */
  cr: number;
  cg: number;
  cb: number;
  /** Mean brightness (r+g+b)/3 of cloth pixels, 0..255. */
  brightness: number;
}

/**
 * Scores how unlike the cloth one pixel is: 0 for cloth or cloth in shadow, growing with the
 * chromaticity distance; very dark pixels (black balls, pocket holes) score high as well.
 * @returns a dimensionless score; the detectors threshold it at about 0.06 (chromaticity units)
 */
export function clothDistance(model: ClothModel, r: number, g: number, b: number): number {
  const sum = r + g + b + 1;
  return chromaDistance(model, r, g, b, sum) + brightnessTerm(model, sum);
}

/** Chromaticity part of {@link clothDistance}; `sum` = r + g + b + 1. */
function chromaDistance(model: ClothModel, r: number, g: number, b: number, sum: number): number {
  const dr = r / sum - model.cr;
  const dg = g / sum - model.cg;
  const db = b / sum - model.cb;
  return Math.sqrt(dr * dr + dg * dg + db * db);
}

/** Brightness part of {@link clothDistance} (0 in the cloth's range); `sum` = r + g + b + 1. */
function brightnessTerm(model: ClothModel, sum: number): number {
  const rel = sum / 3 / (model.brightness + 1);
  // Darkness far beyond any cast shadow: black balls, dark-green balls in shade.
  if (rel < 0.35) return (0.35 - rel) * 0.6;
  // Brighter than the cloth ever is: white balls and highlights.
  if (rel > 1.35) return (rel - 1.35) * 0.3;
  return 0;
}

/**
 * {@link clothDistance} with its brightness part looked up by channel sum (it depends on nothing
 * else): two divisions fewer per pixel, same results. For loops that score many pixels against
 * one cloth model.
 */
export class ClothScorer {
  private readonly terms = new Float64Array(767);

  constructor(private readonly model: ClothModel) {
    for (let sum = 1; sum < 767; sum++) this.terms[sum] = brightnessTerm(model, sum);
  }

  /** Same value as `clothDistance(model, r, g, b)` for 8-bit r, g, b. */
  score(r: number, g: number, b: number): number {
    const sum = r + g + b + 1;
    return chromaDistance(this.model, r, g, b, sum) + this.terms[sum]!;
  }
}

/**
 * In the strip of bed shaded by the cushions: cloth-hued saturated pixels count as shadow, however
 * dark (a dark-green ball there is only found by its non-cloth-hued parts, or with an empty-table
 * background). Thresholds measured on the reference photos: shadow strips have hue within 12
 * degrees of the cloth and saturation above 0.78.
 */
export function isShadowLike(model: ClothModel, r: number, g: number, b: number): boolean {
  // rgbToHsv inlined (same arithmetic) to keep the coarse scans allocation-free.
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const d = max - min;
  const s = max === 0 ? 0 : d / max;
  if (!(s > 0.55)) return false;
  let h = 0;
  if (d > 0) {
    if (max === r) h = (g - b) / d; // |g - b| <= d: rgbToHsv's "% 6" is the identity
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h *= 60;
    if (h < 0) h += 360;
  }
  return hueDistance(h, model.hue) < 25;
}
