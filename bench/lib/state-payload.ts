/**
 * A realistic 16-ball `state` payload (PROTOCOL section 5) for the gateway benchmark, shaped like
 * the pipeline's GameState.toPayload(): every ball with id, number, type, position and velocity with
 * `scale: [1, 1]`, radius, is_moving, is_pocketed, confidence, track_id and last_update; a detected
 * cue; the 9 ft table with its six pockets and corners. Positions in metres (table frame), velocity
 * in m/s, rounded to 5 decimals like the pipeline.
 *
 * `compact` keeps only the required fields (ball id, position, radius; cue; `table: null`) with
 * millimetre rounding: about 900 bytes of `data`, about 1 KB with the envelope. This is the size
 * issue 2 specifies; `full` (about 5 KB) is what the pipeline's GameState.toPayload() emits.
 */
import { formatTimestamp } from '@tablecast/protocol';

/** Payload flavour: `full` = all section-5 fields (about 5 KB); `compact` = required fields only (about 900 B). */
export type PayloadKind = 'full' | 'compact';

const W = 2.54; // 9 ft table, metres (long rail)
const H = 1.27;
const R = 0.028575; // ball radius, metres (57.15 mm balls)

const round = (v: number, digits = 5): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function ballType(n: number): 'cue' | 'solid' | 'stripe' | 'eight' {
  if (n === 0) return 'cue';
  if (n === 8) return 'eight';
  return n < 8 ? 'solid' : 'stripe';
}

/** Builds state payloads that change from frame to frame (balls drift, frame_number increments). */
export class StateGenerator {
  private frame = 0;
  private readonly seeds: { x: number; y: number; vx: number; vy: number }[] = [];

  constructor(readonly kind: PayloadKind = 'compact') {
    let s = 12345;
    const rnd = (): number => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x7fffffff;
    };
    for (let i = 0; i < 16; i++) {
      this.seeds.push({ x: 0.1 + rnd() * (W - 0.2), y: 0.1 + rnd() * (H - 0.2), vx: (rnd() - 0.5) * 0.6, vy: (rnd() - 0.5) * 0.6 });
    }
  }

  /**
   * The next payload (a fresh object each call; `sequence` is added by the gateway).
   * @param nowMicros capture time, microseconds since the Unix epoch
   */
  next(nowMicros: number): Record<string, unknown> {
    const f = ++this.frame;
    const t = f / 30;
    const stamp = formatTimestamp(nowMicros - 33_000);
    const balls = this.seeds.map((b, n) => {
      // bounce inside the cushions: a triangle wave keeps positions on the table
      const x = R + tri(b.x + b.vx * t, W - 2 * R);
      const y = R + tri(b.y + b.vy * t, H - 2 * R);
      if (this.kind === 'compact') return { id: n, position: { x: round(x, 3), y: round(y, 3) }, radius: 0.029 };
      return {
        id: `t${n + 1}`,
        number: n,
        type: ballType(n),
        position: { x: round(x), y: round(y), scale: [1, 1] },
        velocity: { x: round(b.vx), y: round(b.vy), scale: [1, 1] },
        radius: R,
        is_moving: b.vx !== 0 || b.vy !== 0,
        is_pocketed: false,
        confidence: round(0.9 + (n % 10) / 100, 3),
        track_id: n + 1,
        last_update: stamp,
      };
    });
    const cue = this.kind === 'compact'
      ? { detected: true, angle: round((f * 3) % 360, 1) }
      : { detected: true, tip_position: { x: round(balls.length ? 0.6 : 0), y: 0.635, scale: [1, 1] }, angle: round((f * 3) % 360, 3), length: 1.4732, confidence: 0.93 };
    const table = this.kind === 'compact'
      ? null
      : {
          width: W,
          height: H,
          pockets: [[0, 0], [W / 2, 0], [W, 0], [0, H], [W / 2, H], [W, H]].map(([x, y], i) => ({ x, y, radius: i % 3 === 1 ? 0.065 : 0.06 })),
          corners: [{ x: 0, y: 0 }, { x: W, y: 0 }, { x: W, y: H }, { x: 0, y: H }],
        };
    return {
      balls,
      cue,
      table,
      ball_count: balls.length,
      frame_number: f,
      ...(this.kind === 'full' ? { capture_timestamp: stamp } : {}),
    };
  }
}

/** Triangle wave folding `v` into [0, span]. */
function tri(v: number, span: number): number {
  const p = ((v % (2 * span)) + 2 * span) % (2 * span);
  return p <= span ? p : 2 * span - p;
}
