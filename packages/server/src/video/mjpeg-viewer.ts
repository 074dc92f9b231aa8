/**
 * One MJPEG viewer (PROTOCOL section 8): writes `--frame\r\nContent-Type: image/jpeg\r\n
 * Content-Length: N\r\nX-Frame-Number: F\r\nX-Timestamp: T\r\n\r\n<jpeg>\r\n` parts to an HTTP
 * response as frames arrive. `X-Frame-Number` is the source frame counter and `X-Timestamp` the
 * capture time in the wire timestamp format, the same values a `state` built from that frame carries
 * as `frame_number` and `capture_timestamp`: a client that reads the parts itself (the dashboard)
 * draws the balls of the picture's instant. `<img>` viewers ignore part headers.
 *
 * Backpressure: at most one part is being written; while the socket has not drained, newer frames
 * replace the pending one (a slow viewer skips frames, memory stays at one frame per viewer). The
 * `fps` cap delays a frame until its interval has passed and then sends the newest.
 */
import type { ServerResponse } from 'node:http';
import type { JpegFrame } from '@tablecast/pipeline';
import { formatTimestamp } from '@tablecast/protocol';

/** Counters of one viewer. */
export interface ViewerStats {
  sent: number;
  skipped: number;
  bytes: number;
}

/** Streams frames to one response. Call `offer` for every new frame and `close` when done. */
export class MjpegViewer {
  readonly stats: ViewerStats = { sent: 0, skipped: 0, bytes: 0 };
  private busy = false;
  private pending: JpegFrame | null = null;
  private lastSent = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly interval: number;

  /**
   * @param res the raw response (headers already written)
   * @param encode bytes of a frame for this viewer's variant
   * @param fps maximum frames per second, or 0 for the source rate
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly encode: (f: JpegFrame) => Promise<Buffer>,
    fps: number,
  ) {
    this.interval = fps > 0 ? 1000 / fps : 0;
  }

  /** A new frame is available. */
  offer(frame: JpegFrame): void {
    if (this.closed) return;
    if (this.busy || this.timer) {
      if (this.pending) this.stats.skipped++;
      this.pending = frame;
      return;
    }
    const wait = this.lastSent + this.interval - performance.now();
    if (wait > 0) {
      this.pending = frame;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
      return;
    }
    void this.send(frame);
  }

  /** Stops writing (the response is closed by the caller or the client). */
  close(): void {
    this.closed = true;
    this.pending = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    const next = this.pending;
    this.pending = null;
    if (next) this.offer(next);
  }

  private async send(frame: JpegFrame): Promise<void> {
    this.busy = true;
    try {
      const jpeg = await this.encode(frame);
      if (this.closed || this.res.destroyed) return;
      const head = Buffer.from(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\nX-Frame-Number: ${frame.frameNumber}\r\nX-Timestamp: ${formatTimestamp(frame.timestampMicros)}\r\n\r\n`);
      this.res.write(head);
      this.res.write(jpeg);
      const ok = this.res.write('\r\n');
      this.stats.sent++;
      this.stats.bytes += head.length + jpeg.length + 2;
      this.lastSent = performance.now();
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.res.off('drain', done);
            this.res.off('close', done);
            resolve();
          };
          this.res.on('drain', done);
          this.res.on('close', done);
        });
      }
    } catch {
      // An undecodable frame is skipped; the next one may be fine.
      this.stats.skipped++;
    } finally {
      this.busy = false;
    }
    if (!this.closed) this.flush();
  }
}
