/**
 * The billiards streams plugged into the gateway engine: the stream catalog and the content
 * filters that know balls, table coordinates and video frames.
 */
import type { FilterPlugin } from '@tablecast/gateway';
import { ballSelectionFilter } from './ball-filter.js';
import { coordinatesFilter } from './coordinates-filter.js';
import { frameQualityFilter, type FrameTranscoder } from './quality-filter.js';
import type { TablePixels } from './table-pixels.js';

export { billiardsCatalog } from './catalog.js';
export { TablePixels } from './table-pixels.js';
export { CalibrationFollower } from './calibration-follower.js';

/** The content filters, in the order they apply: selection (metres), then coordinates, then quality. */
export function billiardsFilters(pixels: TablePixels, transcode: FrameTranscoder): FilterPlugin[] {
  return [ballSelectionFilter(), coordinatesFilter(pixels), frameQualityFilter(transcode)];
}
