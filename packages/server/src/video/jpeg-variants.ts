/**
 * Per-frame JPEG variants for the video endpoints: the original bytes when nothing is asked,
 * otherwise one sharp re-encode per (quality, overlay) variant per frame, shared by every viewer
 * that asks for the same variant (N viewers cost one encode). Entries live as long as the frame
 * object (WeakMap), so no cache grows without bound.
 */
import sharp from 'sharp';
import type { JpegFrame } from '@tablecast/pipeline';
import { type OverlayData, overlaySvg } from './overlay.js';
import { FRAME_QUALITY_LEVELS } from './frame-quality.js';

/** A requested variant: JPEG quality 1-100 and maximum width (pixels), and whether to overlay. */
export interface VariantSpec {
  /** Undefined = keep the source encoding (unless an overlay forces a re-encode). */
  jpegQuality?: number;
  maxWidth?: number;
  overlay: boolean;
}

/** Parsed `quality` parameter: a named level or a number 1-100; null when absent. */
export function parseQuality(raw: unknown): { jpegQuality: number; maxWidth?: number } | null | 'invalid' {
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string') return 'invalid';
  if (raw === 'low' || raw === 'medium' || raw === 'high') return { ...FRAME_QUALITY_LEVELS[raw] };
  if (!/^\d{1,3}$/.test(raw)) return 'invalid';
  const n = Number(raw);
  return n >= 1 && n <= 100 ? { jpegQuality: n } : 'invalid';
}

/** Cache of encoded variants keyed by frame object. One instance per route registration. */
export class JpegVariants {
  private readonly cache = new WeakMap<JpegFrame, Map<string, Promise<Buffer>>>();
  /** Re-encodes performed (for tests and metrics). */
  encodes = 0;

  /**
   * The JPEG bytes of `frame` for `spec`.
   * @param overlay called once per frame and variant when `spec.overlay` (detections to draw)
   */
  get(frame: JpegFrame, spec: VariantSpec, overlay?: () => OverlayData | null): Promise<Buffer> {
    const wantOverlay = spec.overlay && overlay !== undefined;
    if (spec.jpegQuality === undefined && !wantOverlay) return Promise.resolve(frame.jpeg);
    const key = `${spec.jpegQuality ?? 80}|${spec.maxWidth ?? 0}|${wantOverlay ? 1 : 0}`;
    let m = this.cache.get(frame);
    if (!m) {
      m = new Map();
      this.cache.set(frame, m);
    }
    let p = m.get(key);
    if (!p) {
      p = this.encode(frame, spec.jpegQuality ?? 80, spec.maxWidth, wantOverlay ? overlay!() : null);
      m.set(key, p);
      p.catch(() => m!.delete(key));
    }
    return p;
  }

  private async encode(frame: JpegFrame, quality: number, maxWidth: number | undefined, ov: OverlayData | null): Promise<Buffer> {
    this.encodes++;
    let img = sharp(frame.jpeg);
    let w = frame.width, h = frame.height;
    if (maxWidth && maxWidth < frame.width) {
      w = maxWidth;
      h = Math.round((frame.height * maxWidth) / frame.width);
      img = img.resize({ width: w, height: h, fit: 'fill' });
    }
    // sharp composites after resizing: the overlay is drawn at the output size.
    if (ov) img = img.composite([{ input: overlaySvg(ov, w, h), left: 0, top: 0 }]);
    return img.jpeg({ quality }).toBuffer();
  }
}
