/**
 * Table metres -> pixels (PROTOCOL section 4):
 * - `coordinates: pixels_4k`: the original 3840x2160 camera space. With a camera calibration the
 *   homography maps table metres to image pixels scaled to 4K; without one, the playing surface is
 *   mapped linearly onto the whole 4K frame.
 * - `coordinates: pixels`: the pixel space of the frames the video endpoint serves (the calibrated
 *   image), what the original system sent: `scale` is then `[3840 / width, 2160 / height]`, the
 *   factor from these pixels to 4K (the original's convention: `[2, 2]` for 1080p). Without a
 *   calibration it is the 4K space with `scale: [1, 1]`.
 */

/** 4K frame size of the original camera, pixels. */
export const PIXELS_4K = { width: 3840, height: 2160 } as const;

/** Maps a point in table metres to pixels. */
export type TableToPixels = (x: number, y: number) => { x: number; y: number };

/** A pixel space positions are sent in: the mapping and the `scale` that goes with every position. */
export interface PixelSpace {
  map: TableToPixels;
  /** Factor from these pixels to the 4K space, per axis. */
  scale: [number, number];
}

/**
 * The pixel space of the calibrated image (`coordinates: pixels`), or the 4K space when there is no
 * calibration.
 * @param table playing surface size, metres
 * @param homographyTableToImage optional 3x3 row-major homography table metres -> image pixels
 * @param imageSize size of the calibrated image, pixels
 */
export function tableToImagePixels(
  table: { width: number; height: number },
  homographyTableToImage?: number[] | null,
  imageSize?: { width: number; height: number } | null,
): PixelSpace {
  if (homographyTableToImage && homographyTableToImage.length === 9 && imageSize) {
    return { map: tableToPixels4k(table, homographyTableToImage, PIXELS_4K), scale: [PIXELS_4K.width / imageSize.width, PIXELS_4K.height / imageSize.height] };
  }
  return { map: tableToPixels4k(table), scale: [1, 1] };
}

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
