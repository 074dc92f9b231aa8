/**
 * Draws the table on a 2D canvas: rails, cloth, pockets, balls (colours, stripes, numbers), the cue
 * stick, trajectory polylines, collision markers, the ghost ball and the target pocket. Pure drawing:
 * the caller supplies the interpolated state for this frame. Lengths in the table frame are metres.
 */
import type { Cue, TrajectoryPayload } from '@tablecast/protocol';
import { ballLook } from './balls.js';
import type { DrawnBall, InterpolatedState } from './interpolation.js';
import { RAIL_M, type TableView } from './view.js';
import { COLOURS } from './palette.js';

/** Standard pool ball radius, m (2.25 in diameter), used when a ball has no radius. */
const DEFAULT_BALL_RADIUS = 0.028575;
/**
 * Cushion (rubber) width drawn inside the rail, m. The cloth is tournament blue rather than green so
 * the green 6 and 14 balls stand out (and a pixel probe can tell them from the cloth).
 */
const CUSHION_M = 0.035;
/** Smallest drawn pocket radius, m. */
const POCKET_DRAW_MIN_M = 0.055;


/** What to draw besides the balls. */
export interface RenderInput {
  frame: InterpolatedState | null;
  trajectory: TrajectoryPayload | null;
  /** Video underlay visible: leave the cloth transparent and draw only an outline of the surface. */
  videoUnderlay: boolean;
}

/** Stateless-ish table painter bound to one canvas context and view. */
export class TableRenderer {
  /** @param ctx a 2D context whose transform maps CSS pixels (the caller applies devicePixelRatio) */
  constructor(
    private readonly ctx: CanvasRenderingContext2D,
    private readonly view: TableView,
  ) {}

  /** Paints one frame; `cssWidth` x `cssHeight` is the canvas size in CSS pixels. */
  draw(input: RenderInput, cssWidth: number, cssHeight: number): void {
    const { ctx } = this;
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    this.drawTable(input.videoUnderlay);
    const balls = input.frame?.balls ?? [];
    const moving = balls.some((b) => b.ball.is_moving);
    const trajectory = moving ? null : input.trajectory;
    const target = trajectory ? this.targetPocket(trajectory) : null;
    this.drawPockets(target);
    if (trajectory) this.drawTrajectory(trajectory, balls);
    for (const b of balls) this.drawBall(b);
    const cue = input.frame?.state.cue;
    if (cue?.detected) this.drawCue(cue);
  }

  private drawTable(videoUnderlay: boolean): void {
    const { ctx, view } = this;
    const { width: w, height: h } = view.table;
    const rail = view.len(RAIL_M);
    if (videoUnderlay) {
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.35)';
      ctx.lineWidth = 1;
      ctx.strokeRect(view.x(0), view.y(0), view.len(w), view.len(h));
      return;
    }
    ctx.fillStyle = COLOURS.rail;
    roundRect(ctx, view.x(0) - rail, view.y(0) - rail, view.len(w) + 2 * rail, view.len(h) + 2 * rail, rail * 0.4);
    ctx.fill();
    ctx.strokeStyle = COLOURS.railEdge;
    ctx.lineWidth = 2;
    ctx.stroke();
    const cushion = view.len(CUSHION_M);
    ctx.fillStyle = COLOURS.cushion;
    ctx.fillRect(view.x(0) - cushion, view.y(0) - cushion, view.len(w) + 2 * cushion, view.len(h) + 2 * cushion);
    const grad = ctx.createRadialGradient(view.x(w / 2), view.y(h / 2), 0, view.x(w / 2), view.y(h / 2), view.len(w * 0.6));
    grad.addColorStop(0, '#2279a3');
    grad.addColorStop(1, COLOURS.cloth);
    ctx.fillStyle = grad;
    ctx.fillRect(view.x(0), view.y(0), view.len(w), view.len(h));
    // diamonds: 3 between pockets on each long rail half, 3 on each short rail
    ctx.fillStyle = COLOURS.diamond;
    const dr = Math.max(1.5, view.len(0.007));
    for (let i = 1; i < 8; i++) {
      if (i === 4) continue;
      const x = view.x((w * i) / 8);
      dot(ctx, x, view.y(0) - rail * 0.62, dr);
      dot(ctx, x, view.y(h) + rail * 0.62, dr);
    }
    for (let i = 1; i < 4; i++) {
      const y = view.y((h * i) / 4);
      dot(ctx, view.x(0) - rail * 0.62, y, dr);
      dot(ctx, view.x(w) + rail * 0.62, y, dr);
    }
    // head string and foot spot
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.12)';
    ctx.beginPath();
    ctx.moveTo(view.x(w / 4), view.y(0));
    ctx.lineTo(view.x(w / 4), view.y(h));
    ctx.stroke();
    ctx.fillStyle = 'rgba(255, 255, 255, 0.25)';
    dot(ctx, view.x((3 * w) / 4), view.y(h / 2), 2);
  }

  private drawPockets(target: number | null): void {
    const { ctx, view } = this;
    view.table.pockets.forEach((p, i) => {
      ctx.fillStyle = COLOURS.pocket;
      // capture circles can be small and inset; draw at least a real pocket's size (~11 cm mouth)
      const r = view.len(Math.max(p.radius, POCKET_DRAW_MIN_M));
      dot(ctx, view.x(p.x), view.y(p.y), r);
      if (i === target) {
        ctx.strokeStyle = COLOURS.target;
        ctx.lineWidth = 3;
        ctx.shadowColor = COLOURS.target;
        ctx.shadowBlur = 12;
        ctx.beginPath();
        ctx.arc(view.x(p.x), view.y(p.y), r + 3, 0, Math.PI * 2);
        ctx.stroke();
        ctx.shadowBlur = 0;
      }
    });
  }

  /** Index of the pocket the trajectory ends in (nearest to the first ball_pocket collision), or null. */
  targetPocket(trajectory: TrajectoryPayload): number | null {
    const hit = trajectory.collisions.find((c) => c.type === 'ball_pocket');
    if (!hit) return null;
    let best: number | null = null;
    let bestD = Number.POSITIVE_INFINITY;
    this.view.table.pockets.forEach((p, i) => {
      const d = Math.hypot(p.x - hit.position.x, p.y - hit.position.y);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    return best;
  }

  private drawTrajectory(t: TrajectoryPayload, balls: DrawnBall[]): void {
    const { ctx, view } = this;
    ctx.lineCap = 'round';
    for (const line of t.lines) {
      ctx.strokeStyle = line.type === 'secondary' ? COLOURS.secondary : line.type === 'reflection' ? COLOURS.reflection : COLOURS.primary;
      ctx.lineWidth = line.type === 'primary' ? 2.5 : 2;
      ctx.setLineDash(line.type === 'reflection' ? [8, 6] : []);
      ctx.beginPath();
      ctx.moveTo(view.x(line.start.x), view.y(line.start.y));
      ctx.lineTo(view.x(line.end.x), view.y(line.end.y));
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // ghost ball: where the moving ball sits at its first contact with another ball
    const firstBallHit = t.collisions.find((c) => c.type === 'ball_ball');
    const shooter = balls.find((b) => String(b.ball.id) === String(t.ball_id));
    const r = view.len(shooter?.ball.radius ?? DEFAULT_BALL_RADIUS);
    const firstLine = t.lines.find((l) => l.type === 'primary' && (l.ball_id === undefined || String(l.ball_id) === String(t.ball_id)));
    if (firstBallHit && firstLine) {
      ctx.strokeStyle = COLOURS.ghost;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.arc(view.x(firstLine.end.x), view.y(firstLine.end.y), r, 0, Math.PI * 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const c of t.collisions) {
      const x = view.x(c.position.x);
      const y = view.y(c.position.y);
      ctx.strokeStyle = c.type === 'ball_pocket' ? COLOURS.target : COLOURS.collision;
      ctx.lineWidth = 2;
      const s = Math.max(4, r * 0.45);
      ctx.beginPath();
      ctx.moveTo(x - s, y - s);
      ctx.lineTo(x + s, y + s);
      ctx.moveTo(x + s, y - s);
      ctx.lineTo(x - s, y + s);
      ctx.stroke();
    }
  }

  private drawBall(b: DrawnBall): void {
    const { ctx, view } = this;
    const x = view.x(b.x);
    const y = view.y(b.y);
    const r = view.len(b.ball.radius > 0 ? b.ball.radius : DEFAULT_BALL_RADIUS);
    const look = ballLook(b.ball);
    // shadow
    ctx.fillStyle = 'rgba(0, 0, 0, 0.35)';
    dot(ctx, x + r * 0.18, y + r * 0.22, r);
    ctx.save();
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.clip();
    ctx.fillStyle = look.stripe ? '#f4f1e8' : look.colour;
    ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
    if (look.stripe) {
      ctx.fillStyle = look.colour;
      ctx.fillRect(x - r, y - r * 0.55, 2 * r, r * 1.1);
    }
    // soft shading and a specular highlight
    const shade = ctx.createRadialGradient(x - r * 0.35, y - r * 0.35, r * 0.1, x, y, r * 1.05);
    shade.addColorStop(0, 'rgba(255, 255, 255, 0.35)');
    shade.addColorStop(0.35, 'rgba(255, 255, 255, 0)');
    shade.addColorStop(1, 'rgba(0, 0, 0, 0.35)');
    ctx.fillStyle = shade;
    ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
    ctx.restore();
    if (look.label !== null && r >= 5) {
      ctx.fillStyle = '#fbfbf6';
      dot(ctx, x, y, r * 0.46);
      ctx.fillStyle = '#111';
      ctx.font = `bold ${Math.max(7, Math.round(r * 0.62))}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(String(look.label), x, y + r * 0.04);
    }
    if ((b.ball.confidence ?? 1) < 0.5) {
      ctx.strokeStyle = 'rgba(255, 95, 86, 0.8)';
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.arc(x, y, r + 3, 0, Math.PI * 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  private drawCue(cue: Cue): void {
    const { ctx, view } = this;
    if (!cue.tip_position || cue.angle === undefined) return;
    const a = (cue.angle * Math.PI) / 180; // shot direction (cos a, sin a) in the table frame
    const len = view.len(cue.length && cue.length > 0 ? cue.length : 1.45);
    const tx = view.x(cue.tip_position.x);
    const ty = view.y(cue.tip_position.y);
    const bx = tx - Math.cos(a) * len;
    const by = ty - Math.sin(a) * len;
    const tipW = Math.max(2, view.len(0.013));
    const buttW = Math.max(4, view.len(0.03));
    const nx = -Math.sin(a);
    const ny = Math.cos(a);
    const grad = ctx.createLinearGradient(tx, ty, bx, by);
    grad.addColorStop(0, '#f3e2b8');
    grad.addColorStop(0.7, '#c89a5a');
    grad.addColorStop(0.72, '#1d1d1d');
    grad.addColorStop(1, '#3a1f0e');
    ctx.fillStyle = grad;
    ctx.beginPath();
    ctx.moveTo(tx + (nx * tipW) / 2, ty + (ny * tipW) / 2);
    ctx.lineTo(bx + (nx * buttW) / 2, by + (ny * buttW) / 2);
    ctx.lineTo(bx - (nx * buttW) / 2, by - (ny * buttW) / 2);
    ctx.lineTo(tx - (nx * tipW) / 2, ty - (ny * tipW) / 2);
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = '#3b7bd4'; // chalked tip
    dot(ctx, tx, ty, tipW * 0.6);
  }
}

function dot(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  ctx.arc(x, y, Math.max(0, r), 0, Math.PI * 2);
  ctx.fill();
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}
