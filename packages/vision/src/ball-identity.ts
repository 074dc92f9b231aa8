/**
 * Ball identity from colour: the fraction of white, black and coloured pixels inside the ball's
 * disc and the dominant hue of the coloured ones.
 *
 * Standard pool ball colours (WPA / BCA convention): 1 yellow, 2 blue, 3 red, 4 purple, 5 orange,
 * 6 green, 7 maroon, 8 black; 9-15 are stripes of the same colours in the same order on white.
 * A cue ball is (almost) all white, the 8-ball mostly black, a stripe shows a large white share.
 */
import type { RgbImage } from './image.js';
import { upperMedian } from './order-statistics.js';

/** Ball identity as far as colour tells it. */
export interface BallIdentity {
  /** 0 = cue ball, 8 = eight ball, 1-7 solids, 9-15 stripes; null when not determined. */
  number: number | null;
  type: 'cue' | 'solid' | 'stripe' | 'eight' | 'unknown';
  /** Confidence of the identity, 0..1. */
  identityConfidence: number;
}

/** Colour statistics of a ball disc (exported for tests and tuning). */
export interface BallColourStats {
  /** Fractions of white, black and coloured pixels, 0..1. */
  white: number;
  black: number;
  colour: number;
  /** Dominant hue of the coloured pixels, degrees; NaN when there are none. */
  hue: number;
  /** Median value (brightness 0..1) of the coloured pixels of the dominant hue. */
  value: number;
  /** Median saturation of those pixels. */
  saturation: number;
}

/**
 * Reusable working memory of {@link ballColourStats} (hue histogram and per-pixel samples), so a
 * frame's balls share one set of arrays instead of allocating per ball.
 */
export class ColourScratch {
  readonly hist = new Float64Array(72);
  hue = new Float64Array(0);
  sat = new Float64Array(0);
  val = new Float64Array(0);

  /** Clears the histogram and makes room for n samples. */
  reset(n: number): void {
    this.hist.fill(0);
    if (this.hue.length < n) {
      this.hue = new Float64Array(n);
      this.sat = new Float64Array(n);
      this.val = new Float64Array(n);
    }
  }
}

/**
 * Measures white/black/colour shares inside 0.8 r of the centre (the rim is blurred into the cloth).
 * @param x centre, pixels
 * @param y centre, pixels
 * @param r radius, pixels
 * @param scratch working memory to reuse across calls (optional)
 */
export function ballColourStats(img: RgbImage, x: number, y: number, r: number, scratch = new ColourScratch()): BallColourStats {
  const ri = 0.8 * r;
  const step = r > 24 ? 2 : 1;
  let n = 0, white = 0, black = 0, colour = 0;
  // Coloured samples (hue, saturation, value), at most one per grid point of the disc's square.
  const side = Math.floor((2 * ri) / step) + 2;
  scratch.reset(side * side);
  const { hist, hue: sh, sat: ss, val: sv } = scratch;
  const { data, width, height } = img;
  for (let py = Math.ceil(y - ri); py <= y + ri; py += step) {
    if (py < 0 || py >= height) continue;
    for (let px = Math.ceil(x - ri); px <= x + ri; px += step) {
      if (px < 0 || px >= width || (px - x) ** 2 + (py - y) ** 2 > ri * ri) continue;
      const i = (py * width + px) * 3;
      const cr = data[i]!, cg = data[i + 1]!, cb = data[i + 2]!;
      // rgbToHsv inlined (same arithmetic), so the loop allocates nothing.
      const max = cr > cg ? (cr > cb ? cr : cb) : cg > cb ? cg : cb;
      const min = cr < cg ? (cr < cb ? cr : cb) : cg < cb ? cg : cb;
      const d = max - min;
      const v = max / 255;
      const s = max === 0 ? 0 : d / max;
      n++;
      if (v < 0.28 && s < 0.75) black++;
      else if (s < 0.32 && v > 0.5) white++;
      else if (s >= 0.3) {
        let h = 0;
        if (d > 0) {
          // |cg - cb| <= d, so rgbToHsv's "% 6" is the identity here (and a slow fmod call).
          if (max === cr) h = (cg - cb) / d;
          else if (max === cg) h = (cb - cr) / d + 2;
          else h = (cr - cg) / d + 4;
          h *= 60;
          if (h < 0) h += 360;
        }
        hist[((h / 5) | 0) % 72]! += s; // h >= 0: truncation is Math.floor
        sh[colour] = h; ss[colour] = s; sv[colour] = v;
        colour++;
      } else black++;
    }
  }
  if (n === 0) return { white: 0, black: 0, colour: 0, hue: NaN, value: 0, saturation: 0 };
  let best = -1, bestW = 0;
  for (let i = 0; i < 72; i++) {
    const w = hist[(i + 71) % 72]! + hist[i]! + hist[(i + 1) % 72]!;
    if (w > bestW) { bestW = w; best = i; }
  }
  let hue = NaN, value = 0, saturation = 0;
  if (best >= 0) {
    const centre = best * 5 + 2.5;
    // Circular mean of the hues near the peak; medians of their value and saturation (the
    // selected samples are moved to the front of sv / ss: m <= i, so nothing unread is overwritten).
    let m = 0, sx = 0, sy = 0;
    for (let i = 0; i < colour; i++) {
      const h = sh[i]!;
      if (Math.min(Math.abs(h - centre), 360 - Math.abs(h - centre)) > 12.5) continue;
      sx += Math.cos((h * Math.PI) / 180); sy += Math.sin((h * Math.PI) / 180);
      sv[m] = sv[i]!; ss[m] = ss[i]!;
      m++;
    }
    hue = ((Math.atan2(sy, sx) * 180) / Math.PI + 360) % 360;
    value = upperMedian(sv, m);
    saturation = upperMedian(ss, m);
  }
  return { white: white / n, black: black / n, colour: colour / n, hue, value, saturation };
}

/** White share above which a coloured ball is a stripe. */
const STRIPE_WHITE = 0.225;

/** Maps a dominant hue (and brightness) to the solid number 1-7 with a confidence. */
function hueToSuit(hue: number, relValue: number): { n: number; conf: number } {
  // Hue bands measured on the reference photos (data/billiards), degrees. Red and maroon share a
  // hue; maroon is darker relative to the cloth (relValue = ball value / cloth value).
  if (hue >= 345 || hue < 15) return relValue < 1.45 ? { n: 7, conf: 0.5 } : { n: 3, conf: 0.6 };
  if (hue < 45) return { n: 5, conf: 0.7 };
  if (hue < 75) return { n: 1, conf: 0.8 };
  if (hue < 170) return { n: 6, conf: 0.75 };
  if (hue < 245) return { n: 2, conf: 0.8 };
  if (hue < 300) return { n: 4, conf: 0.8 };
  return { n: 7, conf: 0.5 };
}

/**
 * Classifies a ball from the pixels of its disc.
 * @param x centre, pixels
 * @param y centre, pixels
 * @param r fitted radius, pixels
 * @param clothValue mean cloth brightness 0..255 (lighting reference); default 128
 * @param scratch working memory to reuse across calls (optional)
 */
export function classifyBall(img: RgbImage, x: number, y: number, r: number, clothValue = 128, scratch?: ColourScratch): BallIdentity {
  const st = ballColourStats(img, x, y, r, scratch);
  // The cue ball shows only specks of colour (its red/blue dots); a stripe turned white side up
  // still shows a coloured band edge.
  if (st.white > 0.9 && st.colour < 0.07) return { number: 0, type: 'cue', identityConfidence: Math.min(1, 0.5 + (st.white - 0.9) * 5) };
  if (st.black > 0.45 && st.black > st.colour) return { number: 8, type: 'eight', identityConfidence: Math.min(1, 0.4 + st.black * 0.6) };
  if (Number.isNaN(st.hue) || st.colour < 0.1) return { number: null, type: 'unknown', identityConfidence: 0 };
  const suit = hueToSuit(st.hue, st.value / (clothValue / 255));
  // White share: solids 0.03-0.21 (number disc, highlights), stripes 0.24-0.9 on the reference
  // photos; the split is close, so the confidence falls near it.
  const stripe = st.white > STRIPE_WHITE;
  const margin = Math.min(1, Math.abs(st.white - STRIPE_WHITE) / 0.1);
  return {
    number: stripe ? suit.n + 8 : suit.n,
    type: stripe ? 'stripe' : 'solid',
    identityConfidence: suit.conf * (0.5 + 0.5 * margin),
  };
}
