/**
 * Table metres -> original 3840x2160 camera pixels (`coordinates: pixels_4k`, PROTOCOL section 4).
 * With a camera calibration the homography maps table metres to image pixels scaled to 4K; without
 * one, the playing surface is mapped linearly onto the whole 4K frame.
 */

/** 4K frame size of the original camera, pixels. */
export const PIXELS_4K = { width: 3840, height: 2160 } as const;

/** Maps a point in table metres to 4K pixels. */
export type TableToPixels = (x: number, y: number) => { x: number; y: number };

/**
 * Builds a mapper.
 * @param table playing surface size, metres
 * @param homographyTableToImage optional 3x3 row-major homography table metres -> image pixels
 * @param imageSize size of the calibrated image, pixels (scaled to 3840x2160)
 */
export function tableToPixels4k(
  table: { width: number; height: number },
  homographyTableToImage?: number[] | null,
  imageSize?: { width: number; height: number } | null,
): TableToPixels {
  if (homographyTableToImage && homographyTableToImage.length === 9 && imageSize) {
    const h = homographyTableToImage;
    const sx = PIXELS_4K.width / imageSize.width;
    const sy = PIXELS_4K.height / imageSize.height;
    return (x, y) => {
      const w = h[6]! * x + h[7]! * y + h[8]!;
      return { x: ((h[0]! * x + h[1]! * y + h[2]!) / w) * sx, y: ((h[3]! * x + h[4]! * y + h[5]!) / w) * sy };
    };
  }
  const kx = PIXELS_4K.width / table.width;
  const ky = PIXELS_4K.height / table.height;
  return (x, y) => ({ x: x * kx, y: y * ky });
}
