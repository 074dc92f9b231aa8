/**
 * Ball appearance: the standard pool set colours (1 yellow, 2 blue, 3 red, 4 purple, 5 orange,
 * 6 green, 7 maroon, 8 black; 9-15 are the striped versions of 1-7; the cue ball is white).
 */
import type { Ball } from '@tablecast/protocol';

/** Solid colour of balls 1..8 (index 0 unused). */
const SET_COLOURS = ['#ffffff', '#f5c400', '#1a4fd6', '#d7261e', '#6a2c91', '#f26b0f', '#0e8a43', '#8a1c1c', '#111111'];

/** How a ball is painted. */
export interface BallLook {
  /** Main colour (CSS hex). */
  colour: string;
  /** True for 9-15: white ball with a coloured band. */
  stripe: boolean;
  /** The number to print, or null (cue ball, unknown). */
  label: number | null;
}

/** The painted look of `ball` from its number (or type when the number is unknown). */
export function ballLook(ball: Pick<Ball, 'number' | 'type' | 'id'>): BallLook {
  const n = typeof ball.number === 'number' ? ball.number : Number.NaN;
  if (ball.type === 'cue' || n === 0 || ball.id === 'cue') return { colour: SET_COLOURS[0] ?? '#fff', stripe: false, label: null };
  if (n >= 1 && n <= 8) return { colour: SET_COLOURS[n] ?? '#999', stripe: false, label: n };
  if (n >= 9 && n <= 15) return { colour: SET_COLOURS[n - 8] ?? '#999', stripe: true, label: n };
  if (ball.type === 'eight') return { colour: SET_COLOURS[8] ?? '#111', stripe: false, label: 8 };
  return { colour: '#9aa0a6', stripe: ball.type === 'stripe', label: null };
}

