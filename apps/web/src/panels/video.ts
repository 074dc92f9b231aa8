/**
 * The camera (or simulator) video under the canvas overlay, aligned so the table in the picture
 * coincides with the drawn table: the playing-surface corners in image pixels (from
 * `GET /api/v1/vision/calibration`: `cornersPx`, or the pixel->table `homography`) are mapped onto the
 * canvas's playing-surface corners with a CSS `matrix3d` homography.
 *
 * The MJPEG stream is read part by part (the SDK's readMjpeg) and each picture is painted onto a canvas
 * of its own in the same animation frame as the balls, together with the capture time it shows: the
 * renderer draws the balls of that instant, so a moving ball and its picture are one ball (with an
 * `<img>` the picture was some tens of ms older than the newest state, and moving balls were doubled).
 *
 * Without calibration (e.g. a simulator that does not report corners) the image is assumed to be a
 * top-down render with the playing surface centred, aspect-fitted inside an 8 % margin for the rails
 * (the simulator renderer's layout).
 */
import { applyHomography, homographyFrom4, invertHomography, toCssMatrix3d, type Mat3, type Pt } from '../homography.js';
import type { TableView } from '../view.js';
import { readMjpeg, type MjpegPart } from '@tablecast/client';

/** The calibration reply fields this module reads (both camelCase and snake_case are accepted). */
interface Calibration {
  width?: number;
  height?: number;
  cornersPx?: Pt[];
  corners_px?: Pt[];
  homography?: number[];
  imageWidth?: number;
  image_width?: number;
  imageHeight?: number;
  image_height?: number;
}

/** Rail margin of a top-down render, as a fraction of the image's smaller side. */
const TOP_DOWN_MARGIN = 0.08;

/** Playing-surface corners (TL, TR, BR, BL) in image pixels. */
export function imageCorners(cal: Calibration | null, imgW: number, imgH: number, table: { width: number; height: number }): Pt[] {
  const corners = cal?.cornersPx ?? cal?.corners_px;
  if (corners && corners.length === 4) return corners;
  if (cal?.homography && cal.homography.length === 9) {
    try {
      const toImage = invertHomography(cal.homography as Mat3);
      const { width: w, height: h } = table;
      return [
        { x: 0, y: 0 },
        { x: w, y: 0 },
        { x: w, y: h },
        { x: 0, y: h },
      ].map((p) => applyHomography(toImage, p));
    } catch {
      /* fall through to the top-down assumption */
    }
  }
  const rail = Math.round(Math.min(imgW, imgH) * TOP_DOWN_MARGIN);
  const scale = Math.min((imgW - 2 * rail) / table.width, (imgH - 2 * rail) / table.height);
  const ox = (imgW - table.width * scale) / 2;
  const oy = (imgH - table.height * scale) / 2;
  const w = table.width * scale;
  const h = table.height * scale;
  return [
    { x: ox, y: oy },
    { x: ox + w, y: oy },
    { x: ox + w, y: oy + h },
    { x: ox, y: oy + h },
  ];
}

/** What the underlay shows this animation frame. */
export interface VideoFrameInfo {
  /** Capture time of the picture on screen, ms since the Unix epoch (server clock), or null if unknown. */
  captureMs: number | null;
  /** Source frame counter of the picture on screen, or null. */
  frameNumber: number | null;
}

/** Counters of the underlay (the debug hook shows them). */
export interface VideoStats {
  /** Stream requests opened (a restart opens a new one). */
  sessions: number;
  /** Pictures decoded. */
  decoded: number;
  /** Pictures painted (a picture decoded after a newer one is dropped). */
  painted: number;
  /** Source frame counter of the picture on screen, or null. */
  frameNumber: number | null;
  /** Capture time of the picture on screen, ms since the Unix epoch (server clock), or null. */
  captureMs: number | null;
}

/** No picture for this long while the stream should run: open a new one (a stalled proxy, a dead server). */
const STALL_MS = 4000;
/** Wait before reopening a stream that failed or ended. */
const RETRY_MS = 1000;

/** The video underlay of one page. */
export class VideoUnderlay {
  private calibration: Calibration | null = null;
  private available = false;
  private lastKey = '';
  private readonly ctx: CanvasRenderingContext2D | null;
  private stream: AbortController | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private suspended = false;
  /** Newest decoded picture not yet painted. */
  private pending: { bitmap: ImageBitmap; info: VideoFrameInfo } | null = null;
  private shown: VideoFrameInfo | null = null;
  private lastPartAt = 0;
  private decoding = false;
  private queued: MjpegPart | null = null;
  private readonly counts = { sessions: 0, decoded: 0, painted: 0 };

  /**
   * @param surface the canvas under the table canvas (same container, top-left aligned)
   * @param toggle checkbox that shows/hides the video
   * @param apiBase origin of the server (`http://host:port/`)
   */
  constructor(
    private readonly surface: HTMLCanvasElement,
    private readonly toggle: HTMLInputElement,
    private readonly apiBase: string,
  ) {
    this.ctx = surface.getContext('2d', { alpha: false });
    toggle.addEventListener('change', () => {
      this.applyVisibility();
      if (toggle.checked) void this.start();
      else this.stop();
    });
    setInterval(() => {
      if (this.stream && performance.now() - this.lastPartAt > STALL_MS) void this.start();
    }, 1000);
  }

  /**
   * Restarts the stream (and re-reads availability and calibration): call it when the live
   * connection is back after a disconnect, so the picture under the balls is never a frozen one
   * from before a server restart.
   */
  restart(): Promise<void> {
    return this.start();
  }

  /** The counters and the picture on screen (the debug hook shows them). */
  get stats(): VideoStats {
    return { ...this.counts, frameNumber: this.shown?.frameNumber ?? null, captureMs: this.shown?.captureMs ?? null };
  }

  /** True when the video is shown (the renderer then leaves the cloth transparent). */
  get visible(): boolean {
    return this.available && this.toggle.checked && this.shown !== null && !this.surface.hidden;
  }

  /** Checks whether the server has video, loads the calibration and (re)opens the stream. */
  async start(): Promise<void> {
    this.stop();
    try {
      const res = await fetch(new URL('api/v1/stream/video/status', this.apiBase), { cache: 'no-store' });
      const status = (await res.json()) as { frames?: number; available?: boolean; width?: number | null };
      // `available`: the source renders frames on demand (none yet when nobody watched before).
      this.available = res.ok && (status.available ?? (status.frames ?? 0) > 0);
    } catch {
      this.available = false;
    }
    this.toggle.disabled = !this.available;
    this.toggle.parentElement?.setAttribute('title', this.available ? '' : 'no video from the server');
    if (!this.available) {
      // The user's choice stays; the picture goes (no frozen frame) until the server has video again.
      this.shown = null;
      this.applyVisibility();
      return;
    }
    await this.refreshCalibration();
    if (!this.toggle.checked) return;
    this.applyVisibility();
    this.open();
  }

  private open(): void {
    this.stop();
    const controller = new AbortController();
    this.stream = controller;
    this.lastPartAt = performance.now();
    const url = new URL('api/v1/stream/video', this.apiBase);
    url.searchParams.set('session', String(++this.counts.sessions));
    readMjpeg(url.toString(), (part) => {
      this.lastPartAt = performance.now();
      this.decode(part);
    }, { signal: controller.signal }).then(
      () => this.retrySoon(controller),
      () => this.retrySoon(controller),
    );
  }

  /** Closes the stream (the server stops rendering frames nobody watches). */
  private stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stream?.abort();
    this.stream = null;
    this.queued = null;
  }

  /** The stream ended or failed (server gone, proxy timeout): open a new one soon, unless stopped. */
  private retrySoon(controller: AbortController): void {
    if (this.stream !== controller || controller.signal.aborted || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stream === controller) void this.start();
    }, RETRY_MS);
  }

  /** Decodes one picture at a time; a part arriving meanwhile replaces any older waiting one. */
  private decode(part: MjpegPart): void {
    if (this.decoding) {
      this.queued = part;
      return;
    }
    this.decoding = true;
    createImageBitmap(new Blob([part.jpeg], { type: 'image/jpeg' })).then(
      (bitmap) => {
        this.counts.decoded++;
        this.pending?.bitmap.close();
        this.pending = { bitmap, info: { captureMs: part.captureMs, frameNumber: part.frameNumber } };
      },
      () => undefined, // an undecodable picture is skipped; the next one may be fine
    ).finally(() => {
      this.decoding = false;
      const next = this.queued;
      this.queued = null;
      if (next && this.stream) this.decode(next);
    });
  }

  /**
   * Paints the newest decoded picture, if any, and says which instant the underlay shows: call it
   * once per animation frame before drawing the balls, and draw the balls of that instant.
   * @returns the picture's capture time and frame number, or null when no picture is shown
   */
  present(): VideoFrameInfo | null {
    const next = this.pending;
    if (next && this.ctx) {
      this.pending = null;
      const { bitmap } = next;
      if (this.surface.width !== bitmap.width || this.surface.height !== bitmap.height) {
        this.surface.width = bitmap.width;
        this.surface.height = bitmap.height;
        this.lastKey = '';
      }
      this.ctx.drawImage(bitmap, 0, 0);
      bitmap.close();
      this.shown = next.info;
      this.counts.painted++;
    }
    return this.shown;
  }

  /** Re-reads `GET /api/v1/vision/calibration` (503 until a source reported a table). */
  async refreshCalibration(): Promise<void> {
    try {
      const res = await fetch(new URL('api/v1/vision/calibration', this.apiBase), { cache: 'no-store' });
      this.calibration = res.ok ? ((await res.json()) as Calibration) : null;
    } catch {
      this.calibration = null;
    }
    this.lastKey = '';
  }

  /** Re-aligns the picture to the view (cheap when nothing changed; call every frame). */
  align(view: TableView): void {
    const iw = this.shown ? this.surface.width : 0;
    const ih = this.shown ? this.surface.height : 0;
    if (!iw || !ih) return;
    const key = `${iw}x${ih}:${view.scale}:${view.originX}:${view.originY}:${this.calibration ? 1 : 0}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const src = imageCorners(this.calibration, iw, ih, view.table);
    const dst = view.surfaceCorners();
    try {
      this.surface.style.width = `${iw}px`;
      this.surface.style.height = `${ih}px`;
      this.surface.style.transform = toCssMatrix3d(homographyFrom4(src, dst));
    } catch {
      this.surface.style.transform = '';
    }
  }

  /** Hides the picture while `suspended` (a shot replay is drawn on the plain table). Cheap per frame. */
  suspend(suspended: boolean): void {
    if (suspended === this.suspended) return;
    this.suspended = suspended;
    this.applyVisibility();
  }

  private applyVisibility(): void {
    this.surface.hidden = this.suspended || !(this.available && this.toggle.checked);
  }
}
