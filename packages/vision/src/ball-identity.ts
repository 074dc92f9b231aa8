/**
 * Ball identity from colour: the fraction of white, black and coloured pixels inside the ball's
 * disc and the dominant hue of the coloured ones.
 *
 * Standard pool ball colours (WPA / BCA convention): 1 yellow, 2 blue, 3 red, 4 purple, 5 orange,
 * 6 green, 7 maroon, 8 black; 9-15 are stripes of the same colours in the same order on white.
 * A cue ball is (almost) all white, the 8-ball mostly black, a stripe shows a large white share.
 */
import { rgbToHsv } from './color.js';
import type { RgbImage } from './image.js';

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
 * Measures white/black/colour shares inside 0.8 r of the centre (the rim is blurred into the cloth).
 * @param x centre, pixels
 * @param y centre, pixels
 * @param r radius, pixels
 */
export function ballColourStats(img: RgbImage, x: number, y: number, r: number): BallColourStats {
  const ri = 0.8 * r;
  const step = r > 24 ? 2 : 1;
  const hist = new Float64Array(72);
  let n = 0, white = 0, black = 0, colour = 0;
  const samples: { h: number; s: number; v: number }[] = [];
  for (let py = Math.ceil(y - ri); py <= y + ri; py += step) {
    if (py < 0 || py >= img.height) continue;
    for (let px = Math.ceil(x - ri); px <= x + ri; px += step) {
      if (px < 0 || px >= img.width || (px - x) ** 2 + (py - y) ** 2 > ri * ri) continue;
      const i = (py * img.width + px) * 3;
      const c = rgbToHsv(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!);
      n++;
      if (c.v < 0.28 && c.s < 0.75) black++;
      else if (c.s < 0.32 && c.v > 0.5) white++;
      else if (c.s >= 0.3) {
        colour++;
        hist[Math.floor(c.h / 5) % 72]! += c.s;
        samples.push(c);
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
    const near = samples.filter((c) => Math.min(Math.abs(c.h - centre), 360 - Math.abs(c.h - centre)) <= 12.5);
    // Circular mean of the hues near the peak.
    let sx = 0, sy = 0;
    for (const c of near) { sx += Math.cos((c.h * Math.PI) / 180); sy += Math.sin((c.h * Math.PI) / 180); }
    hue = ((Math.atan2(sy, sx) * 180) / Math.PI + 360) % 360;
    const vs = near.map((c) => c.v).sort((a, b) => a - b);
    const ss = near.map((c) => c.s).sort((a, b) => a - b);
    value = vs[vs.length >> 1] ?? 0;
    saturation = ss[ss.length >> 1] ?? 0;
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
 */
export function classifyBall(img: RgbImage, x: number, y: number, r: number, clothValue = 128): BallIdentity {
  const st = ballColourStats(img, x, y, r);
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
