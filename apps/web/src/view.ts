/**
 * The view transform of the dashboard: table metres (origin top-left of the playing surface, x along
 * the long rail, y down) to canvas CSS pixels, with room for the rails around the playing surface.
 */
import type { Table } from '@tablecast/protocol';

/** Table geometry the renderer needs (metres). */
export interface TableGeometry {
  width: number;
  height: number;
  pockets: { x: number; y: number; radius: number }[];
}

/**
 * A 9 ft table (2.54 m x 1.27 m playing surface, WPA) with its six pockets, used until a `state`
 * carries `table`. Pocket capture radii ~ 6 cm (corner) / 6.5 cm (side), as in packages/physics.
 */
const DEFAULT_TABLE: TableGeometry = {
  width: 2.54,
  height: 1.27,
  pockets: [
    { x: 0, y: 0, radius: 0.06 },
    { x: 1.27, y: -0.01, radius: 0.065 },
    { x: 2.54, y: 0, radius: 0.06 },
    { x: 0, y: 1.27, radius: 0.06 },
    { x: 1.27, y: 1.28, radius: 0.065 },
    { x: 2.54, y: 1.27, radius: 0.06 },
  ],
};

/** Width of cushion plus wooden rail drawn around the playing surface (m). */
export const RAIL_M = 0.1;

/** Geometry of a `state.table`, or the default. */
export function tableGeometry(table: Table | null | undefined): TableGeometry {
  if (!table || !(table.width > 0) || !(table.height > 0)) return DEFAULT_TABLE;
  return { width: table.width, height: table.height, pockets: table.pockets ?? DEFAULT_TABLE.pockets };
}

/** Maps table metres to CSS pixels of a canvas. */
export class TableView {
  /** CSS pixels per metre. */
  scale = 1;
  /** CSS pixel of the playing surface's top-left corner. */
  originX = 0;
  originY = 0;
  table: TableGeometry = DEFAULT_TABLE;

  /**
   * Fits the table (plus rails) centred into a `cssWidth` x `cssHeight` canvas.
   * @returns true when the transform changed
   */
  fit(cssWidth: number, cssHeight: number, table: TableGeometry): boolean {
    const totalW = table.width + 2 * RAIL_M;
    const totalH = table.height + 2 * RAIL_M;
    const scale = Math.max(1e-6, Math.min(cssWidth / totalW, cssHeight / totalH));
    const originX = (cssWidth - table.width * scale) / 2;
    const originY = (cssHeight - table.height * scale) / 2;
    const changed = scale !== this.scale || originX !== this.originX || originY !== this.originY || table !== this.table;
    this.scale = scale;
    this.originX = originX;
    this.originY = originY;
    this.table = table;
    return changed;
  }

  /** CSS pixel x of table x (m). */
  x(m: number): number {
    return this.originX + m * this.scale;
  }

  /** CSS pixel y of table y (m). */
  y(m: number): number {
    return this.originY + m * this.scale;
  }

  /** CSS pixels of a length in metres. */
  len(m: number): number {
    return m * this.scale;
  }

  /** The playing surface's four corners in CSS pixels: top-left, top-right, bottom-right, bottom-left. */
  surfaceCorners(): { x: number; y: number }[] {
    const { width: w, height: h } = this.table;
    return [
      { x: this.x(0), y: this.y(0) },
      { x: this.x(w), y: this.y(0) },
      { x: this.x(w), y: this.y(h) },
      { x: this.x(0), y: this.y(h) },
    ];
  }
}
