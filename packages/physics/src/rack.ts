/**
 * Standard 8-ball rack (WPA rules): a triangle of 15 balls with its apex on the foot spot, the
 * 8-ball in the centre of the third row, one solid and one stripe in the two back corners; the cue
 * ball behind the head string ("in the kitchen").
 */
import type { BallInput } from './simulate.js';
import type { Table } from './table.js';

/** Gap left between neighbouring rack balls (m), so no two balls start in contact. */
export const RACK_GAP = 1e-4;

/** Deterministic default order, row by row from the apex (corners 5 and 12). */
const DEFAULT_ORDER = [1, 9, 2, 10, 8, 3, 11, 7, 14, 4, 5, 13, 15, 6, 12];

/**
 * Racks the 15 object balls and places the cue ball.
 *
 * Geometry: centre spacing D = 2R + 0.1 mm with R = table.ballRadius; row r (0..4) sits at
 * x = footSpot.x + r D sqrt(3) / 2 and holds r + 1 balls at y = footSpot.y + (k - r / 2) D. The cue
 * ball is at (headStringX - 0.05 m, height / 2).
 *
 * Ids: 'cue' and '1'..'15' (number set accordingly; the cue ball has number 0). Without `rng` the
 * order is fixed; with `rng` (uniform in [0, 1)) the balls other than the 8 are shuffled (Fisher-
 * Yates) and the back corners are fixed up to hold one solid and one stripe.
 */
export function rackEightBall(table: Table, rng?: () => number): BallInput[] {
  const R = table.ballRadius;
  const D = 2 * R + RACK_GAP;
  let order = [...DEFAULT_ORDER];
  if (rng) order = shuffled(rng);
  const balls: BallInput[] = [{ id: 'cue', number: 0, x: table.headStringX - 0.05, y: table.height / 2 }];
  let n = 0;
  for (let r = 0; r < 5; r++) {
    for (let k = 0; k <= r; k++) {
      const num = order[n++]!;
      balls.push({
        id: String(num),
        number: num,
        x: table.footSpot.x + (r * D * Math.sqrt(3)) / 2,
        y: table.footSpot.y + (k - r / 2) * D,
      });
    }
  }
  return balls;
}

const CENTRE = 4; // index of the middle of the third row
const CORNERS = [10, 14] as const;

function shuffled(rng: () => number): number[] {
  const pool = DEFAULT_ORDER.filter((b) => b !== 8);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(rng() * (i + 1)));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const order = [...pool.slice(0, CENTRE), 8, ...pool.slice(CENTRE)];
  const solid = (b: number): boolean => b < 8;
  const [c1, c2] = CORNERS;
  if (solid(order[c1]!) === solid(order[c2]!)) {
    // Swap the second corner with the first ball of the other group (scan order is fixed).
    const want = !solid(order[c1]!);
    const idx = order.findIndex((b, i) => i !== CENTRE && i !== c1 && i !== c2 && b !== 8 && solid(b) === want);
    [order[c2], order[idx]] = [order[idx]!, order[c2]!];
  }
  return order;
}
