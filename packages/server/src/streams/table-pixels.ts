/**
 * The current table-metres -> pixels mappings of one server, for the `coordinates` filter: the 4K
 * camera space and the video frames' own pixel space. Starts with a 2.54 x 1.27 m (9 ft) playing
 * surface mapped linearly onto 3840 x 2160 and follows the calibration the states carry
 * (calibration-follower.ts). One per server: no global state.
 */
import { tableToImagePixels, tableToPixels4k, type PixelSpace, type TableToPixels } from './coordinates.js';

/** 9 ft playing surface, metres (WPA equipment specifications: 100 x 50 in). */
const DEFAULT_TABLE = { width: 2.54, height: 1.27 } as const;

/** Mutable holder of the mappings; the filter reads them at render time. */
export class TablePixels {
  /** Table metres -> 4K pixels (`coordinates: pixels_4k`). */
  toPixels4k: TableToPixels = tableToPixels4k(DEFAULT_TABLE);
  /** Table metres -> the video frames' pixels, with the scale to 4K (`coordinates: pixels`). */
  toImage: PixelSpace = tableToImagePixels(DEFAULT_TABLE);

  /**
   * Applies a table size and camera calibration.
   * @param table playing surface, metres
   * @param homography 3x3 row-major table metres -> image pixels, or null for the linear mapping
   * @param imageSize the calibrated image's size, pixels
   */
  setCalibration(table: { width: number; height: number }, homography?: number[] | null, imageSize?: { width: number; height: number } | null): void {
    this.toPixels4k = tableToPixels4k(table, homography, imageSize);
    this.toImage = tableToImagePixels(table, homography, imageSize);
  }
}
