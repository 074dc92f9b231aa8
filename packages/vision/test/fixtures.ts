/**
 * Ground truth for the reference photos in /work/shared/data/billiards (GPL-3.0, from the
 * jchadwick/billiards-trainer repository; attribution kept as its README asks).
 *
 * How the annotations were made (by hand, not by the detector under test):
 * - Ball centres: each ball was cropped with sharp (30x30 px at 720p, 90x90 px at 4K), enlarged
 *   8x / 3x with nearest-neighbour scaling and overlaid with a pixel grid (lines every 5 / 10 px);
 *   the left/right/top/bottom edges of the ball were read off the grid by eye and the centre taken
 *   as their midpoint. Reading accuracy is about +-1 px at 720p and +-3 px at 4K (ball shadows
 *   and the motion-blurred purple 4 at 720p make some edges soft). The purple ball was re-read at
 *   12x with a 2 px grid.
 * - Identities: read from the enlarged crops (numbers legible in the 4K grid; at 720p only the
 *   colour and stripe/solid pattern, so numbers there are not asserted except the cue ball).
 * - Cushion nose positions of empty_table.jpg: brightness profiles across each cushion (column
 *   x = 384 for the long rails, row y = 216 for the short ones) were printed in 2 px steps; the
 *   nose is the step from the lit cushion top to the shaded bed.
 * - Spot markers: centres read like the balls (they are small white discs, radius ~5 px).
 */
import { fileURLToPath } from 'node:url';

/** Directory of the shared reference photos. */
export const DATA_DIR = process.env.TABLECAST_BILLIARDS_DATA ?? fileURLToPath(new URL('../../../../shared/data/billiards/', import.meta.url));
export const EMPTY_TABLE = `${DATA_DIR}/empty_table.jpg`;
export const TABLE_W_BALLS = `${DATA_DIR}/table_w_balls.jpg`;
export const GRID = `${DATA_DIR}/grid.jpg`;

/** An annotated ball: centre in pixels; `number` only where legible. */
export interface AnnotatedBall {
  x: number;
  y: number;
  what: string;
  number?: number;
}

/** table_w_balls.jpg (1280x720): the 10 balls. */
export const TABLE_W_BALLS_BALLS: AnnotatedBall[] = [
  { x: 829.8, y: 155.3, what: 'orange stripe (13)' },
  { x: 564.5, y: 207.8, what: 'red stripe, white side up (11)' },
  { x: 769.0, y: 265.6, what: 'yellow' },
  { x: 736.6, y: 302.0, what: 'orange solid (5)' },
  { x: 766.8, y: 341.3, what: 'cue ball', number: 0 },
  { x: 732.6, y: 355.9, what: 'blue stripe (10)' },
  { x: 431.0, y: 373.1, what: 'dark red solid' },
  { x: 752.5, y: 408.3, what: 'green stripe (14)' },
  { x: 517.4, y: 492.3, what: 'green solid (6)' },
  { x: 1070.3, y: 433.4, what: 'purple solid (4), motion blurred' },
];

/** The two table spot markers of table_w_balls.jpg / empty_table.jpg (not balls). */
export const SPOTS_720: { x: number; y: number }[] = [{ x: 359.6, y: 344.6 }, { x: 911.5, y: 341.6 }];

/** Approximate pocket mouths of the 720p view (centres of the dark pocket openings). */
export const POCKETS_720: { x: number; y: number }[] = [
  { x: 50, y: 50 }, { x: 634, y: 30 }, { x: 1225, y: 40 }, { x: 72, y: 630 }, { x: 638, y: 645 }, { x: 1208, y: 630 },
];

/** Cushion nose positions in empty_table.jpg (pixels). */
export const NOSES_720 = { topAtX384: 59, bottomAtX384: 621, leftAtY216: 65, rightAtY216: 1209 };

/** grid.jpg (3840x2160): all 16 balls. */
export const GRID_BALLS: AnnotatedBall[] = [
  { x: 633.0, y: 480.0, what: '13', number: 13 },
  { x: 1490.3, y: 471.0, what: '15', number: 15 },
  { x: 2321.7, y: 467.0, what: '6', number: 6 },
  { x: 3193.0, y: 439.3, what: '1', number: 1 },
  { x: 641.0, y: 884.7, what: '12', number: 12 },
  { x: 1485.7, y: 879.3, what: '4', number: 4 },
  { x: 2332.7, y: 858.7, what: '5', number: 5 },
  { x: 3182.3, y: 864.0, what: '8', number: 8 },
  { x: 643.3, y: 1300.7, what: '10', number: 10 },
  { x: 1499.0, y: 1290.0, what: '3', number: 3 },
  { x: 2332.0, y: 1304.7, what: '9', number: 9 },
  { x: 3178.3, y: 1293.0, what: '11', number: 11 },
  { x: 650.0, y: 1685.7, what: '7', number: 7 },
  { x: 1501.7, y: 1674.3, what: '2', number: 2 },
  { x: 2336.7, y: 1667.3, what: 'cue', number: 0 },
  { x: 3188.0, y: 1687.7, what: '14', number: 14 },
];

/** Spot markers of grid.jpg (display estimate x 2.637). */
export const SPOTS_4K: { x: number; y: number }[] = [{ x: 1086, y: 1097 }, { x: 2742, y: 1089 }];

/** Nearest annotated ball to a point and its distance (pixels). */
export function nearest<T extends { x: number; y: number }>(list: readonly T[], p: { x: number; y: number }): { item: T; d: number } {
  let best = list[0]!, d = Infinity;
  for (const q of list) {
    const e = Math.hypot(q.x - p.x, q.y - p.y);
    if (e < d) { d = e; best = q; }
  }
  return { item: best, d };
}
