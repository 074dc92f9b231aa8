/**
 * `quality` filter of the `frame` stream (PROTOCOL section 4): re-encodes the base64 JPEG at the
 * level's JPEG quality and maximum width. One encode per variant per frame (the hub shares it).
 */
import sharp from 'sharp';

/** JPEG quality (1-100) and maximum width (pixels) per quality level. */
export const FRAME_QUALITY_LEVELS = {
  low: { jpegQuality: 40, maxWidth: 640 },
  medium: { jpegQuality: 65, maxWidth: 1280 },
  high: { jpegQuality: 85, maxWidth: 3840 },
} as const;

/**
 * Re-encodes `data.image` (base64 JPEG) for `quality`; returns a new payload with width, height,
 * quality and size_bytes updated.
 * @throws Error when the image cannot be decoded (the hub then sends the original)
 */
export async function transcodeFrame(data: Record<string, unknown>, quality: 'low' | 'medium' | 'high'): Promise<Record<string, unknown>> {
  if (typeof data.image !== 'string') return data;
  const level = FRAME_QUALITY_LEVELS[quality];
  const { data: out, info } = await sharp(Buffer.from(data.image, 'base64'))
    .resize({ width: level.maxWidth, withoutEnlargement: true })
    .jpeg({ quality: level.jpegQuality })
    .toBuffer({ resolveWithObject: true });
  return { ...data, image: out.toString('base64'), width: info.width, height: info.height, quality, size_bytes: out.length };
}
