/**
 * The `frame` stream (PROTOCOL section 5): while any client subscribes to it (anywhere in the
 * cluster), every source frame is published as `{image (base64 JPEG), width, height, format,
 * quality, fps, size_bytes}`, as the original system sent it. Subscribers choose their rate with
 * `frame_rate`/`max_fps` (the gateway conflates per client) and their size with `quality` (the
 * gateway re-encodes once per quality level). The MJPEG endpoint stays the cheaper way for browsers.
 *
 * Frame demand is held while subscribed, so an on-demand source renders frames then.
 */
import type { StreamPublisher } from '@tablecast/gateway';
import type { FrameHub, JpegFrame } from '@tablecast/pipeline';

/** How often the subscriber count is looked at, milliseconds. */
const CHECK_MS = 250;

/** See the module comment. */
export class FrameStreamPublisher {
  private readonly timer: NodeJS.Timeout;
  private release: (() => void) | null = null;
  private unlisten: (() => void) | null = null;
  private lastMicros = 0;
  private fps = 0;

  /**
   * @param frames the source's frames
   * @param publisher where `frame` messages go; its `subscriberCount` decides (cluster-wide in cluster mode)
   * @param onError publish failures (the frame is skipped)
   */
  constructor(
    private readonly frames: FrameHub,
    private readonly publisher: StreamPublisher,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => this.check(), CHECK_MS);
    this.timer.unref();
  }

  /** Whether frames are being published now. */
  get active(): boolean {
    return this.release !== null;
  }

  private check(): void {
    const wanted = this.publisher.subscriberCount('frame') > 0;
    if (wanted && !this.release) {
      this.release = this.frames.acquire();
      this.unlisten = this.frames.onFrame((f) => this.publish(f));
    } else if (!wanted && this.release) this.stop();
  }

  private publish(f: JpegFrame): void {
    if (this.lastMicros > 0 && f.timestampMicros > this.lastMicros) {
      const inst = 1e6 / (f.timestampMicros - this.lastMicros);
      this.fps = this.fps === 0 ? inst : this.fps * 0.8 + inst * 0.2;
    }
    this.lastMicros = f.timestampMicros;
    const data = {
      image: f.jpeg.toString('base64'),
      width: f.width,
      height: f.height,
      format: 'jpeg',
      quality: 'high',
      fps: Math.round(this.fps * 10) / 10,
      size_bytes: f.jpeg.length,
      frame_number: f.frameNumber,
    };
    this.publisher.publish('frame', data, { timestampMicros: f.timestampMicros }).catch(this.onError);
  }

  private stop(): void {
    this.unlisten?.();
    this.release?.();
    this.unlisten = null;
    this.release = null;
    this.lastMicros = 0;
    this.fps = 0;
  }

  /** Stops publishing and the timer. */
  close(): void {
    clearInterval(this.timer);
    this.stop();
  }
}
