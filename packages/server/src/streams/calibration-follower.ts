/**
 * Keeps the `coordinates` filter's mappings (TablePixels) in step with the table calibration that `state`
 * messages carry (`data.table.calibration`: the pixel -> table homography and the image size), so
 * every state is converted with the calibration it names, from the very first one, on every node of
 * a cluster (a follower node has no pipeline of its own), and trajectories use the newest one.
 */
import { invert3 } from '@tablecast/vision';
import type { BrokerMessage } from '@tablecast/gateway';
import type { TablePixels } from './table-pixels.js';

interface WireCalibration {
  homography?: unknown;
  image_width?: unknown;
  image_height?: unknown;
}

/** See the module comment. Feed it every message (`HubOptions.observe`). */
export class CalibrationFollower {
  /** The calibration last applied, as text (homography, image and table size), or '' for none. */
  private applied = '';
  /** The `table` object last looked at: the same message is observed at publish and at fan-out. */
  private seen: unknown = null;

  /** @param pixels the mappings that follow the states */
  constructor(private readonly pixels: TablePixels) {}

  /** Applies the calibration of a `state` message when it differs from the last one applied. */
  observe(m: BrokerMessage): void {
    if (m.stream !== 'state') return;
    const table = m.data.table as { width?: unknown; height?: unknown; calibration?: WireCalibration | null } | null | undefined;
    if (!table || table === this.seen || typeof table.width !== 'number' || typeof table.height !== 'number') return;
    this.seen = table;
    const c = table.calibration;
    const h = c && Array.isArray(c.homography) && c.homography.length === 9 && c.homography.every((v) => typeof v === 'number') ? (c.homography as number[]) : null;
    const w = c && typeof c.image_width === 'number' ? c.image_width : null;
    const ht = c && typeof c.image_height === 'number' ? c.image_height : null;
    const key = `${table.width}x${table.height}|${h ? h.join(',') : '-'}|${w}x${ht}`;
    if (key === this.applied) return;
    this.applied = key;
    let toImage: number[] | null = null;
    if (h) {
      try {
        toImage = invert3(h);
      } catch {
        toImage = null; // a singular homography: the linear mapping, as without calibration
      }
    }
    this.pixels.setCalibration({ width: table.width, height: table.height }, toImage, w !== null && ht !== null ? { width: w, height: ht } : null);
  }
}
