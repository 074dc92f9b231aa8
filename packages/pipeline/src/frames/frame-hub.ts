/**
 * FrameHub: the latest JPEG frame of the active source, for the MJPEG endpoint and `frame` stream.
 * Holds one frame (latest-value); listeners are called synchronously on every push.
 *
 * Demand: rendering or encoding a JPEG costs a source milliseconds of CPU per frame (the simulator:
 * ~8 ms at 960x540; a camera: more), and nobody may be watching. Consumers say when they want
 * frames — an MJPEG viewer holds demand while it is connected ({@link FrameHub.acquire}), a one-off
 * request wants frames for a few seconds ({@link FrameHub.touch}) — and a producer that follows
 * demand ({@link FrameHub.addProducer}, the pipeline's source) listens to {@link FrameHub.onDemand}.
 */
import { EventEmitter } from 'node:events';
import type { FrameSink, JpegFrame } from '../ports.js';

export type { JpegFrame } from '../ports.js';

/** Latest-frame holder with change notification. One per server (no global state). */
export class FrameHub implements FrameSink {
  private current: JpegFrame | null = null;
  private readonly emitter = new EventEmitter();
  private pushed = 0;
  private holds = 0;
  private touchedUntilMs = 0;
  private touchTimer: NodeJS.Timeout | null = null;
  private wantedNow = false;
  private producers = 0;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Replaces the latest frame and notifies listeners. */
  push(frame: JpegFrame): void {
    this.current = frame;
    this.pushed++;
    this.emitter.emit('frame', frame);
  }

  /** The latest frame, or null before the first. */
  latest(): JpegFrame | null {
    return this.current;
  }

  /** Number of frames pushed since start. */
  count(): number {
    return this.pushed;
  }

  /** Subscribes to new frames; returns the unsubscribe function. */
  onFrame(listener: (frame: JpegFrame) => void): () => void {
    this.emitter.on('frame', listener);
    return () => this.emitter.off('frame', listener);
  }

  /**
   * Resolves with the next pushed frame, or null after `timeoutMs` milliseconds.
   */
  nextFrame(timeoutMs: number): Promise<JpegFrame | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(null);
      }, timeoutMs);
      const off = this.onFrame((f) => {
        clearTimeout(timer);
        off();
        resolve(f);
      });
    });
  }

  /** Whether any consumer wants frames now. */
  get wanted(): boolean {
    return this.wantedNow;
  }

  /**
   * Wants frames until the returned release function is called (an MJPEG viewer, while connected).
   * Release is idempotent.
   */
  acquire(): () => void {
    this.holds++;
    this.update();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.update();
    };
  }

  /** Wants frames for the next `ms` milliseconds (a one-off frame request; default 5000). */
  touch(ms = 5000): void {
    const until = Date.now() + ms;
    if (until <= this.touchedUntilMs) return;
    this.touchedUntilMs = until;
    if (this.touchTimer) clearTimeout(this.touchTimer);
    this.touchTimer = setTimeout(() => {
      this.touchTimer = null;
      this.touchedUntilMs = 0; // this timer belongs to the latest touch: its period is over
      this.update();
    }, ms);
    this.touchTimer.unref();
    this.update();
  }

  /** Calls `listener(wanted)` whenever demand starts or ends; returns the unsubscribe function. */
  onDemand(listener: (wanted: boolean) => void): () => void {
    this.emitter.on('demand', listener);
    return () => this.emitter.off('demand', listener);
  }

  /**
   * Registers a producer that renders only on demand, so a one-off request waits for its next frame
   * instead of serving a stale one. Returns the unregister function (idempotent).
   */
  addProducer(): () => void {
    this.producers++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.producers--;
    };
  }

  /** Whether an on-demand producer is registered. */
  get hasProducer(): boolean {
    return this.producers > 0;
  }

  /** Stops the demand timer (server shutdown). */
  close(): void {
    if (this.touchTimer) clearTimeout(this.touchTimer);
    this.touchTimer = null;
  }

  private update(): void {
    const wanted = this.holds > 0 || Date.now() < this.touchedUntilMs;
    if (wanted === this.wantedNow) return;
    this.wantedNow = wanted;
    this.emitter.emit('demand', wanted);
  }
}
