/**
 * Table geometry: playing surface, straight cushion segments, pocket jaws and pocket capture circles.
 *
 * Frame (docs/DEVELOPING.md): metres, origin at the top-left corner of the playing surface, x along
 * the long rail (0..width), y across (0..height, "down" on screen). The cushion noses lie on the
 * edges of the playing surface; a ball centre is kept at least R away from them.
 *
 * Model (after pooltool's pocket table, simplified): every rail is a straight segment between two
 * pocket jaws; each jaw is a point ("circular cushion" of radius 0), and each pocket is a capture
 * circle: a ball is pocketed when its centre enters the circle. The circle is placed `depth` metres
 * behind the middle of the mouth and sized so that it covers every point of the mouth a ball centre
 * can pass through (half-mouth minus R) plus a 2 mm margin, so no ball can leave the table through a
 * mouth without being pocketed.
 */

/** Named table sizes (playing surface, metres). */
export type TablePreset = '7ft' | '8ft' | '9ft';

/** Options for {@link createTable}; all lengths in metres. */
export interface TableOptions {
  /** Playing-surface length along x (m). */
  width: number;
  /** Playing-surface width along y (m). */
  height: number;
  /** Corner pocket mouth, measured between the two jaw points across the diagonal (m). */
  cornerPocketMouth: number;
  /** Side pocket mouth, measured between the two jaw points along the rail (m). */
  sidePocketMouth: number;
  /** Distance of the corner capture circle's centre behind the mouth chord (m). */
  cornerPocketDepth: number;
  /** Distance of the side capture circle's centre behind the mouth chord (m). */
  sidePocketDepth: number;
  /** Ball radius used to size the capture circles (m). */
  ballRadius: number;
}

/** A pocket capture circle (m). */
export interface Pocket {
  id: string;
  x: number;
  y: number;
  radius: number;
}

/** A straight cushion nose segment from (x1, y1) to (x2, y2) with unit normal (nx, ny) into the table. */
export interface CushionSegment {
  id: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  nx: number;
  ny: number;
}

/** A pocket jaw point (end of a cushion segment), treated as a circular cushion of radius 0 (m). */
export interface JawPoint {
  id: string;
  x: number;
  y: number;
}

/** Table geometry used by the simulator. Lengths in metres. */
export interface Table {
  preset: TablePreset | null;
  width: number;
  height: number;
  cornerPocketMouth: number;
  sidePocketMouth: number;
  /** Ball radius the table was sized for (m); used by the rack. */
  ballRadius: number;
  pockets: Pocket[];
  cushions: CushionSegment[];
  jaws: JawPoint[];
  /** x of the head string (width / 4). */
  headStringX: number;
  /** Foot spot (3/4 width, mid height), where the rack apex sits. */
  footSpot: { x: number; y: number };
}

/** Playing-surface sizes of the presets (m); pocket mouths are WPA-style 4.5 in / 5.1 in. */
export const TABLE_PRESETS: Readonly<Record<TablePreset, TableOptions>> = Object.freeze({
  '7ft': preset(1.9812, 0.9906),
  '8ft': preset(2.337, 1.168),
  '9ft': preset(2.54, 1.27),
});

function preset(width: number, height: number): TableOptions {
  return {
    width,
    height,
    cornerPocketMouth: 0.115,
    sidePocketMouth: 0.129,
    cornerPocketDepth: 0.02,
    sidePocketDepth: 0.015,
    ballRadius: 0.028575,
  };
}

/**
 * Builds a table from a preset (default '9ft') with optional overrides.
 *
 * @throws RangeError if a length is not positive and finite, if the pockets overlap each other, or
 *   if a mouth is narrower than a ball (2R).
 */
export function createTable(presetName: TablePreset = '9ft', overrides: Partial<TableOptions> = {}): Table {
  const base = TABLE_PRESETS[presetName];
  if (!base) throw new RangeError(`unknown table preset ${String(presetName)}`);
  const o: TableOptions = { ...base };
  for (const [k, v] of Object.entries(overrides) as [keyof TableOptions, number | undefined][]) {
    if (v !== undefined) o[k] = v;
  }
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`table.${k} must be a positive number`);
  }
  const { width: W, height: H, ballRadius: R } = o;
  const c = o.cornerPocketMouth / Math.SQRT2; // jaw distance from the corner along each rail
  const s = o.sidePocketMouth / 2;
  if (o.cornerPocketMouth <= 2 * R || o.sidePocketMouth <= 2 * R) throw new RangeError('pocket mouths must be wider than a ball');
  if (c + s >= W / 2 || 2 * c >= H) throw new RangeError('pockets overlap: table too small for its pocket mouths');

  const cornerR = captureRadius(o.cornerPocketMouth, o.cornerPocketDepth, R);
  const sideR = captureRadius(o.sidePocketMouth, o.sidePocketDepth, R);
  const dc = o.cornerPocketDepth / Math.SQRT2;
  const pockets: Pocket[] = [
    { id: 'top-left', x: c / 2 - dc, y: c / 2 - dc, radius: cornerR },
    { id: 'top-middle', x: W / 2, y: -o.sidePocketDepth, radius: sideR },
    { id: 'top-right', x: W - c / 2 + dc, y: c / 2 - dc, radius: cornerR },
    { id: 'bottom-left', x: c / 2 - dc, y: H - c / 2 + dc, radius: cornerR },
    { id: 'bottom-middle', x: W / 2, y: H + o.sidePocketDepth, radius: sideR },
    { id: 'bottom-right', x: W - c / 2 + dc, y: H - c / 2 + dc, radius: cornerR },
  ];
  const cushions: CushionSegment[] = [
    seg('top-left-rail', c, 0, W / 2 - s, 0, 0, 1),
    seg('top-right-rail', W / 2 + s, 0, W - c, 0, 0, 1),
    seg('bottom-left-rail', c, H, W / 2 - s, H, 0, -1),
    seg('bottom-right-rail', W / 2 + s, H, W - c, H, 0, -1),
    seg('left-rail', 0, c, 0, H - c, 1, 0),
    seg('right-rail', W, c, W, H - c, -1, 0),
  ];
  const jaws: JawPoint[] = cushions.flatMap((k) => [
    { id: `${k.id}:start`, x: k.x1, y: k.y1 },
    { id: `${k.id}:end`, x: k.x2, y: k.y2 },
  ]);
  return {
    preset: Object.keys(overrides).length === 0 ? presetName : null,
    width: W,
    height: H,
    cornerPocketMouth: o.cornerPocketMouth,
    sidePocketMouth: o.sidePocketMouth,
    ballRadius: R,
    pockets,
    cushions,
    jaws,
    headStringX: W / 4,
    footSpot: { x: (3 * W) / 4, y: H / 2 },
  };
}

/** Capture radius that covers the reachable part of the mouth chord (half-mouth - R) plus 2 mm. */
function captureRadius(mouth: number, depth: number, R: number): number {
  const reach = Math.max(0, mouth / 2 - R);
  return Math.hypot(depth, reach) + 0.002;
}

function seg(id: string, x1: number, y1: number, x2: number, y2: number, nx: number, ny: number): CushionSegment {
  return { id, x1, y1, x2, y2, nx, ny };
}

/**
 * True if a ball centre (m) is a legal resting place: at least R from every cushion segment it
 * faces and inside the playing surface, or inside a pocket mouth region (within capture radius + 2R
 * of a pocket centre). Used by tests and by the tunnelling guard.
 */
export function isOnTable(table: Table, x: number, y: number, R: number, tol = 1e-9): boolean {
  const inside = x >= R - tol && x <= table.width - R + tol && y >= R - tol && y <= table.height - R + tol;
  if (inside) return true;
  return table.pockets.some((p) => Math.hypot(x - p.x, y - p.y) < p.radius + 2 * R);
}
