/**
 * A small debug hook for tests and the console: `window.__tablecast` exposes the last state, client
 * statistics and where a ball is drawn, so a browser test can probe canvas pixels at a ball.
 */
import type { ClientStats, StatePayload, TablecastClient, TrajectoryPayload } from '@tablecast/client';
import type { InterpolatedState } from './interpolation.js';
import type { TableView } from './view.js';
import type { VideoStats } from './panels/video.js';

/** Where a ball is drawn: CSS pixels relative to the canvas and to the page, radius in CSS pixels. */
export interface BallScreenPosition {
  x: number;
  y: number;
  pageX: number;
  pageY: number;
  r: number;
}

/** The shape of `window.__tablecast`. */
export interface DebugHook {
  client: TablecastClient;
  readonly lastState: StatePayload | null;
  readonly stats: ClientStats & { state: string; framesDrawn: number };
  readonly trajectory: TrajectoryPayload | null;
  readonly videoVisible: boolean;
  /** The video underlay's counters and the picture on screen (capture time in ms, server clock). */
  readonly video: VideoStats;
  /** The shot being replayed (`Shot 3 · ...`), or null when the table is live. */
  readonly replaying: string | null;
  /** Ball `id` as drawn in the current frame, or null when not drawn. */
  ballScreenPosition(id: string | number): BallScreenPosition | null;
  /** Canvas table point (metres) in CSS pixels relative to the canvas. */
  tableToScreen(x: number, y: number): { x: number; y: number };
  /** RGBA of the canvas at CSS pixel (x, y) relative to the canvas. */
  pixelAt(x: number, y: number): [number, number, number, number];
}

declare global {
  interface Window {
    __tablecast?: DebugHook;
  }
}

/** What the hook reads from the app. */
export interface DebugSources {
  client: TablecastClient;
  canvas: HTMLCanvasElement;
  view: TableView;
  lastState: () => StatePayload | null;
  lastFrame: () => InterpolatedState | null;
  trajectory: () => TrajectoryPayload | null;
  framesDrawn: () => number;
  videoVisible: () => boolean;
  video: () => VideoStats;
  replaying: () => string | null;
}

/** Installs `window.__tablecast`. */
export function installDebugHook(src: DebugSources): void {
  const { canvas, view } = src;
  const hook: DebugHook = {
    client: src.client,
    get lastState() {
      return src.lastState();
    },
    get stats() {
      return { ...src.client.stats, state: src.client.state, framesDrawn: src.framesDrawn() };
    },
    get trajectory() {
      return src.trajectory();
    },
    get videoVisible() {
      return src.videoVisible();
    },
    get video() {
      return src.video();
    },
    get replaying() {
      return src.replaying();
    },
    ballScreenPosition(id) {
      const b = src.lastFrame()?.balls.find((d) => d.id === String(id));
      if (!b) return null;
      const rect = canvas.getBoundingClientRect();
      const x = view.x(b.x);
      const y = view.y(b.y);
      return { x, y, pageX: rect.left + window.scrollX + x, pageY: rect.top + window.scrollY + y, r: view.len(b.ball.radius) };
    },
    tableToScreen(x, y) {
      return { x: view.x(x), y: view.y(y) };
    },
    pixelAt(x, y) {
      const ctx = canvas.getContext('2d');
      const dpr = canvas.width / Math.max(1, canvas.getBoundingClientRect().width);
      const d = ctx?.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
      return d ? [d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 0] : [0, 0, 0, 0];
    },
  };
  window.__tablecast = hook;
}
