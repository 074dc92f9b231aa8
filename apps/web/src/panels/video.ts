/**
 * MJPEG video under the canvas overlay (`<img src="/api/v1/stream/video">`), aligned so the table in
 * the image coincides with the drawn table: the playing-surface corners in image pixels (from
 * `GET /api/v1/vision/calibration`: `cornersPx`, or the pixel->table `homography`) are mapped onto the
 * canvas's playing-surface corners with a CSS `matrix3d` homography.
 *
 * Without calibration (e.g. a simulator that does not report corners) the image is assumed to be a
 * top-down render with the playing surface centred, aspect-fitted inside an 8 % margin for the rails
 * (the simulator renderer's layout).
 */
import { applyHomography, homographyFrom4, invertHomography, toCssMatrix3d, type Mat3, type Pt } from '../homography.js';
import type { TableView } from '../view.js';

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

/** The video underlay of one page. */
export class VideoUnderlay {
  private calibration: Calibration | null = null;
  private available = false;
  private lastKey = '';
  /** Counts stream (re)starts: a new `session` query makes the browser open a new MJPEG request. */
  private session = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param img the `<img>` under the canvas (same container, top-left aligned)
   * @param toggle checkbox that shows/hides the video
   * @param apiBase origin of the server (`http://host:port/`)
   */
  constructor(
    private readonly img: HTMLImageElement,
    private readonly toggle: HTMLInputElement,
    private readonly apiBase: string,
  ) {
    toggle.addEventListener('change', () => this.applyVisibility());
    // A broken stream (server gone, proxy timeout) shows its last frame for ever: start it again.
    img.addEventListener('error', () => this.retrySoon());
  }

  /**
   * Restarts the stream (and re-reads availability and calibration): call it when the live
   * connection is back after a disconnect, so the picture under the balls is never a frozen one
   * from before a server restart.
   */
  restart(): Promise<void> {
    return this.start();
  }

  private retrySoon(): void {
    if (this.retryTimer || !this.available) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.start();
    }, 1000);
  }

  private suspended = false;

  /** True when the video is shown (the renderer then leaves the cloth transparent). */
  get visible(): boolean {
    return this.available && this.toggle.checked && this.img.naturalWidth > 0;
  }

  /** Checks whether the server has video, loads the calibration and starts the stream. */
  async start(): Promise<void> {
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
      this.toggle.checked = false;
      this.applyVisibility();
      return;
    }
    await this.refreshCalibration();
    const url = new URL('api/v1/stream/video', this.apiBase);
    url.searchParams.set('session', String(++this.session));
    this.img.src = url.toString();
    this.applyVisibility();
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

  /** Re-aligns the image to the view (cheap when nothing changed; call every frame). */
  align(view: TableView): void {
    const iw = this.img.naturalWidth;
    const ih = this.img.naturalHeight;
    if (!iw || !ih) return;
    const key = `${iw}x${ih}:${view.scale}:${view.originX}:${view.originY}:${this.calibration ? 1 : 0}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const src = imageCorners(this.calibration, iw, ih, view.table);
    const dst = view.surfaceCorners();
    try {
      this.img.style.width = `${iw}px`;
      this.img.style.height = `${ih}px`;
      this.img.style.transform = toCssMatrix3d(homographyFrom4(src, dst));
    } catch {
      this.img.style.transform = '';
    }
  }

  /** Hides the picture while `suspended` (a shot replay is drawn on the plain table). Cheap per frame. */
  suspend(suspended: boolean): void {
    if (suspended === this.suspended) return;
    this.suspended = suspended;
    this.applyVisibility();
  }

  private applyVisibility(): void {
    this.img.hidden = this.suspended || !(this.available && this.toggle.checked);
  }
}
