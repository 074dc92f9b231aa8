/**
 * Top-down JPEG rendering of the simulator's table with @napi-rs/canvas: cloth, rails with
 * diamonds, pockets, balls (solid colours, stripes, numbers) and the cue stick. The static table is
 * drawn once into a background canvas; each frame copies it and draws the balls and cue, then
 * encodes JPEG off the JavaScript thread (`canvas.encode` runs on libuv's pool).
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { SimBall, SimCue } from './simulator-session.js';

/** Colours of balls 1-8 (9-15 repeat 1-7 as stripes). */
const COLOURS = ['#f5f5f0', '#f2c500', '#1d4fd8', '#d62828', '#6a1b9a', '#f57c00', '#1b8a3a', '#7b1e1e', '#111111'];

/** Renderer settings. */
export interface RenderOptions {
  /** Output size, pixels. */
  width: number;
  height: number;
  /** JPEG quality 1-100. */
  quality: number;
}

/** Draws frames of one table. */
export class TableRenderer {
  private readonly canvas: Canvas;
  private readonly ctx: SKRSContext2D;
  private readonly background: Canvas;
  private readonly scale: number;
  private readonly ox: number;
  private readonly oy: number;

  /**
   * @param table playing surface (metres) and pocket capture circles (metres)
   */
  constructor(
    private readonly table: { width: number; height: number; pockets: { x: number; y: number; radius: number }[] },
    private readonly opts: RenderOptions,
  ) {
    const rail = Math.round(Math.min(opts.width, opts.height) * 0.08);
    this.scale = Math.min((opts.width - 2 * rail) / table.width, (opts.height - 2 * rail) / table.height);
    this.ox = (opts.width - table.width * this.scale) / 2;
    this.oy = (opts.height - table.height * this.scale) / 2;
    this.canvas = createCanvas(opts.width, opts.height);
    this.ctx = this.canvas.getContext('2d');
    this.background = createCanvas(opts.width, opts.height);
    this.drawTable(this.background.getContext('2d'), rail);
  }

  /**
   * The rendered frame's calibration, as a camera source would report it: playing-surface corners
   * in frame pixels (TL, TR, BR, BL) and the 3x3 row-major pixel -> table-metre homography (here a
   * pure scale and offset, since the render is an orthographic top-down view).
   */
  calibration(): { cornersPx: { x: number; y: number }[]; homography: number[]; imageWidth: number; imageHeight: number } {
    const s = this.scale;
    const x1 = this.px(this.table.width), y1 = this.py(this.table.height);
    return {
      cornersPx: [{ x: this.ox, y: this.oy }, { x: x1, y: this.oy }, { x: x1, y: y1 }, { x: this.ox, y: y1 }],
      homography: [1 / s, 0, -this.ox / s, 0, 1 / s, -this.oy / s, 0, 0, 1],
      imageWidth: this.opts.width,
      imageHeight: this.opts.height,
    };
  }

  private px(x: number): number {
    return this.ox + x * this.scale;
  }
  private py(y: number): number {
    return this.oy + y * this.scale;
  }

  private drawTable(g: SKRSContext2D, rail: number): void {
    const { width: W, height: H } = this.opts;
    g.fillStyle = '#1e1a17';
    g.fillRect(0, 0, W, H);
    const w = this.table.width * this.scale;
    const h = this.table.height * this.scale;
    g.fillStyle = '#5a3417';
    g.fillRect(this.ox - rail, this.oy - rail, w + 2 * rail, h + 2 * rail);
    g.fillStyle = '#14613a';
    g.fillRect(this.ox - rail * 0.25, this.oy - rail * 0.25, w + rail * 0.5, h + rail * 0.5);
    g.fillStyle = '#1a7a48';
    g.fillRect(this.ox, this.oy, w, h);
    g.fillStyle = '#e8dcc0';
    for (let i = 1; i < 8; i++) {
      if (i === 4) continue;
      for (const y of [this.oy - rail * 0.6, this.oy + h + rail * 0.6]) {
        g.beginPath();
        g.arc(this.ox + (w * i) / 8, y, 2.5, 0, 2 * Math.PI);
        g.fill();
      }
    }
    for (let i = 1; i < 4; i++) {
      for (const x of [this.ox - rail * 0.6, this.ox + w + rail * 0.6]) {
        g.beginPath();
        g.arc(x, this.oy + (h * i) / 4, 2.5, 0, 2 * Math.PI);
        g.fill();
      }
    }
    g.strokeStyle = 'rgba(255,255,255,0.25)';
    g.beginPath();
    g.moveTo(this.px(this.table.width / 4), this.oy);
    g.lineTo(this.px(this.table.width / 4), this.oy + h);
    g.stroke();
    g.fillStyle = '#050505';
    for (const p of this.table.pockets) {
      g.beginPath();
      g.arc(this.px(p.x), this.py(p.y), Math.max(p.radius * this.scale, 0.055 * this.scale), 0, 2 * Math.PI);
      g.fill();
    }
  }

  private drawBall(g: SKRSContext2D, b: SimBall, r: number): void {
    const x = this.px(b.x);
    const y = this.py(b.y);
    const n = b.number;
    const colour = COLOURS[n > 8 ? n - 8 : n] ?? '#cccccc';
    g.save();
    g.beginPath();
    g.arc(x, y, r, 0, 2 * Math.PI);
    g.fillStyle = n > 8 ? COLOURS[0]! : colour;
    g.fill();
    if (n > 8) {
      g.clip();
      g.fillStyle = colour;
      g.fillRect(x - r, y - r * 0.55, 2 * r, r * 1.1);
    }
    g.restore();
    if (n > 0) {
      g.beginPath();
      g.arc(x, y, r * 0.5, 0, 2 * Math.PI);
      g.fillStyle = '#ffffff';
      g.fill();
      g.fillStyle = '#111111';
      g.fillText(String(n), x, y + 0.5);
    }
    g.beginPath();
    g.arc(x - r * 0.35, y - r * 0.35, r * 0.2, 0, 2 * Math.PI);
    g.fillStyle = 'rgba(255,255,255,0.45)';
    g.fill();
  }

  private drawCue(g: SKRSContext2D, c: SimCue): void {
    const a = (c.angleDeg * Math.PI) / 180;
    const tx = this.px(c.tipX);
    const ty = this.py(c.tipY);
    const bx = tx - Math.cos(a) * c.length * this.scale;
    const by = ty - Math.sin(a) * c.length * this.scale;
    const grad = g.createLinearGradient(tx, ty, bx, by);
    grad.addColorStop(0, '#f4efe6');
    grad.addColorStop(0.02, '#d9b97a');
    grad.addColorStop(0.7, '#b07a3c');
    grad.addColorStop(0.71, '#2a1a10');
    grad.addColorStop(1, '#1b120b');
    g.strokeStyle = grad;
    g.lineCap = 'round';
    g.lineWidth = 0.012 * this.scale;
    g.beginPath();
    g.moveTo(tx, ty);
    g.lineTo(bx, by);
    g.stroke();
  }

  /**
   * Renders one frame and encodes it as JPEG.
   * @param radius ball radius, metres
   */
  async render(balls: SimBall[], cue: SimCue | null, radius: number): Promise<Uint8Array> {
    const g = this.ctx;
    g.drawImage(this.background, 0, 0);
    const r = radius * this.scale;
    g.font = `bold ${Math.max(6, Math.round(r * 0.8))}px sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    for (const b of balls) this.drawBall(g, b, r);
    if (cue) this.drawCue(g, cue);
    return this.canvas.encode('jpeg', this.opts.quality);
  }
}
