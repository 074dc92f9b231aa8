/**
 * FrameHub: the latest JPEG frame of the active source, for the MJPEG endpoint and `frame` stream.
 * Holds one frame (latest-value); listeners are called synchronously on every push.
 */
import { EventEmitter } from 'node:events';

/** One encoded frame. */
export interface JpegFrame {
  jpeg: Buffer;
  /** Pixels. */
  width: number;
  height: number;
  /** Capture time, microseconds since the Unix epoch. */
  timestampMicros: number;
  /** Monotonic counter. */
  frameNumber: number;
}

/** Latest-frame holder with change notification. One per server (no global state). */
export class FrameHub {
  private current: JpegFrame | null = null;
  private readonly emitter = new EventEmitter();
  private pushed = 0;

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
}
