/**
 * Detection overlay for the MJPEG stream (`overlay=1`): balls as circles with their track id or
 * number, the cue as a line from butt to tip and the table outline, drawn as an SVG and composited
 * onto the frame by sharp.
 */

import { applyHomography, invert3 } from '@tablecast/vision';

/** What to draw, in the pixel space of `width` x `height` (scaled to the frame when it differs). */
export interface OverlayData {
  /** Pixel space of the coordinates below (usually the camera frame size). */
  width: number;
  height: number;
  balls: { x: number; y: number; radius: number; label?: string; color?: string }[];
  /** Cue from butt to tip, pixels. */
  cue?: { x1: number; y1: number; x2: number; y2: number } | null;
  /** Playing-surface corners TL, TR, BR, BL, pixels. */
  corners?: { x: number; y: number }[];
}

const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Colours by ball number (0 cue, 8 black, 1-7 / 9-15 by suit). */
export function ballColor(n: number | null | undefined): string {
  if (n === null || n === undefined) return '#ff00ff';
  const suits = ['#ffffff', '#f5c518', '#1f4fd8', '#e02020', '#6a2ca0', '#ff7a00', '#0a8a3a', '#7a1010', '#000000'];
  return suits[n <= 8 ? n : n - 8] ?? '#ff00ff';
}

/**
 * Renders the overlay as an SVG document of the frame's size.
 * @param width frame width, pixels
 * @param height frame height, pixels
 */
export function overlaySvg(o: OverlayData, width: number, height: number): Buffer {
  const sx = width / (o.width || width), sy = height / (o.height || height);
  const sw = Math.max(1, Math.round(width / 640));
  const fs = Math.max(10, Math.round(width / 80));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`];
  if (o.corners && o.corners.length === 4) {
    const pts = o.corners.map((p) => `${(p.x * sx).toFixed(1)},${(p.y * sy).toFixed(1)}`).join(' ');
    parts.push(`<polygon points="${pts}" fill="none" stroke="#ffff00" stroke-width="${sw}" stroke-opacity="0.7"/>`);
  }
  for (const b of o.balls) {
    const x = b.x * sx, y = b.y * sy, r = b.radius * Math.sqrt(sx * sy);
    const c = esc(b.color ?? '#ff00ff');
    parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${(r + sw).toFixed(1)}" fill="none" stroke="${c}" stroke-width="${sw * 2}"/>`);
    if (b.label) {
      parts.push(`<text x="${(x + r + 2).toFixed(1)}" y="${(y - r).toFixed(1)}" font-family="sans-serif" font-size="${fs}" fill="#ffffff" stroke="#000000" stroke-width="${Math.max(1, fs / 8).toFixed(1)}" paint-order="stroke">${esc(b.label)}</text>`);
    }
  }
  if (o.cue) {
    const { x1, y1, x2, y2 } = o.cue;
    parts.push(`<line x1="${(x1 * sx).toFixed(1)}" y1="${(y1 * sy).toFixed(1)}" x2="${(x2 * sx).toFixed(1)}" y2="${(y2 * sy).toFixed(1)}" stroke="#00e5ff" stroke-width="${sw * 3}"/>`);
    parts.push(`<circle cx="${(x2 * sx).toFixed(1)}" cy="${(y2 * sy).toFixed(1)}" r="${sw * 4}" fill="#00e5ff"/>`);
  }
  parts.push('</svg>');
  return Buffer.from(parts.join(''));
}

/** The parts of a Detection the overlay needs (structurally compatible with pipeline/detection.ts). */
export interface OverlaySource {
  balls: { number?: number | null; trackId?: number; pixel?: { x: number; y: number; radius: number } }[];
  cue: { tipX: number; tipY: number; angleDeg: number; length: number } | null;
}

/**
 * Builds overlay data from the latest detection and the table geometry (pixel corners and the
 * pixel -> metre homography as sent in `Detection.table`). Balls without pixel positions (e.g. the
 * simulator's) are skipped; the cue is projected back to pixels through the inverse homography.
 * @returns null when there is nothing in pixel space to draw
 */
export function overlayFromDetection(
  d: OverlaySource,
  table: { cornersPx?: { x: number; y: number }[]; homography?: number[]; imageWidth?: number; imageHeight?: number } | null | undefined,
): OverlayData | null {
  if (!table?.imageWidth || !table.imageHeight) return null;
  const balls = d.balls.flatMap((b) => (b.pixel ? [{
    x: b.pixel.x, y: b.pixel.y, radius: b.pixel.radius,
    label: b.number === null || b.number === undefined ? `#${b.trackId ?? '?'}` : `${b.number}`,
    color: ballColor(b.number),
  }] : []));
  let cue: OverlayData['cue'] = null;
  const h = table.homography;
  if (d.cue && h && h.length === 9) {
    const inv = safeInvert(h);
    if (inv) {
      const a = (d.cue.angleDeg * Math.PI) / 180;
      const tip = applyHomography(inv, { x: d.cue.tipX, y: d.cue.tipY });
      const butt = applyHomography(inv, { x: d.cue.tipX - Math.cos(a) * d.cue.length, y: d.cue.tipY - Math.sin(a) * d.cue.length });
      cue = { x1: butt.x, y1: butt.y, x2: tip.x, y2: tip.y };
    }
  }
  return { width: table.imageWidth, height: table.imageHeight, balls, cue, corners: table.cornersPx };
}

function safeInvert(h: number[]): number[] | null {
  try {
    return invert3(h);
  } catch {
    return null;
  }
}

/** The parts of a `state` payload the overlay needs (metres in the table frame). */
export interface OverlayState {
  balls: { number?: number | null; track_id?: number | string; position: { x: number; y: number }; radius: number }[];
  cue: { tip_position?: { x: number; y: number }; angle?: number; length?: number } | null;
}

/**
 * Builds overlay data from the published `state` (metres) and the calibration: every ball and the
 * cue are projected to frame pixels through the inverse of the pixel -> metre homography.
 * @returns null without a calibrated camera (e.g. the simulator)
 */
export function overlayFromState(
  state: OverlayState,
  table: { cornersPx?: { x: number; y: number }[]; homography?: number[]; imageWidth?: number; imageHeight?: number } | null | undefined,
): OverlayData | null {
  if (!table?.imageWidth || !table.imageHeight || !table.homography || table.homography.length !== 9) return null;
  const inv = safeInvert(table.homography);
  if (!inv) return null;
  const balls = state.balls.map((b) => {
    const c = applyHomography(inv, b.position);
    const edge = applyHomography(inv, { x: b.position.x + b.radius, y: b.position.y });
    return {
      x: c.x, y: c.y, radius: Math.hypot(edge.x - c.x, edge.y - c.y),
      label: b.number === null || b.number === undefined ? `#${b.track_id ?? '?'}` : `${b.number}`,
      color: ballColor(b.number),
    };
  });
  let cue: OverlayData['cue'] = null;
  const tipM = state.cue?.tip_position;
  if (state.cue && tipM && typeof state.cue.angle === 'number') {
    const a = (state.cue.angle * Math.PI) / 180;
    const len = state.cue.length ?? 1;
    const tip = applyHomography(inv, tipM);
    const butt = applyHomography(inv, { x: tipM.x - Math.cos(a) * len, y: tipM.y - Math.sin(a) * len });
    cue = { x1: butt.x, y1: butt.y, x2: tip.x, y2: tip.y };
  }
  return { width: table.imageWidth, height: table.imageHeight, balls, cue, corners: table.cornersPx };
}
