/**
 * Packed RGB images over typed arrays: the frame type every detector works on, decoding from
 * JPEG/PNG files (sharp) and box downsampling for the coarse candidate search.
 */
import sharp from 'sharp';

/** An 8-bit packed RGB image (3 bytes per pixel, row-major, no padding). Sizes in pixels. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** One captured frame: an RGB image plus its capture time and sequence number. */
export interface Frame extends RgbImage {
  /** Capture (or arrival) time, microseconds since the Unix epoch. */
  timestampMicros: number;
  /** Monotonic counter starting at 0 for each source. */
  frameNumber: number;
}

/**
 * Decodes a JPEG or PNG file (anything sharp reads) to packed RGB, dropping alpha.
 * @param path file path
 * @throws Error when the file is missing or not a decodable image (the message names the path)
 */
export async function decodeImage(path: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw new Error(`decodeImage(${path}): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Decodes an encoded image held in memory (JPEG, PNG, ...).
 * @throws Error when the bytes are not a decodable image
 */
export async function decodeImageBuffer(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/**
 * Encodes a packed RGB image as JPEG.
 * @param quality JPEG quality 1..100
 */
export async function encodeJpeg(img: RgbImage, quality = 80): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

/**
 * Box-filter downsampling by an integer factor (each output pixel is the mean of a k x k block).
 * Trailing rows/columns that do not fill a block are dropped.
 * @param k factor >= 1; 1 returns the input unchanged
 */
export function downsample(img: RgbImage, k: number): RgbImage {
  if (k <= 1) return img;
  const w = Math.floor(img.width / k);
  const h = Math.floor(img.height / k);
  const out = new Uint8Array(w * h * 3);
  const src = img.data;
  const sw = img.width;
  const acc = new Uint32Array(w * 3);
  const n = k * k;
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let dy = 0; dy < k; dy++) {
      let si = ((y * k + dy) * sw) * 3;
      for (let x = 0; x < w; x++) {
        let r = 0, g = 0, b = 0;
        for (let dx = 0; dx < k; dx++) {
          r += src[si]!; g += src[si + 1]!; b += src[si + 2]!;
          si += 3;
        }
        const o = x * 3;
        acc[o] = acc[o]! + r; acc[o + 1] = acc[o + 1]! + g; acc[o + 2] = acc[o + 2]! + b;
      }
    }
    const o = y * w * 3;
    for (let i = 0; i < w * 3; i++) out[o + i] = (acc[i]! / n + 0.5) | 0;
  }
  return { data: out, width: w, height: h };
}
