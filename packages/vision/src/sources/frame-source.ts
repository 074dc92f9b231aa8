/**
 * The frame-source contract shared by video, camera and still-image sources, and the bounded
 * queue that hands frames from a producer (ffmpeg pipe, timer) to an async-iterating consumer.
 */
import type { Frame } from '../image.js';

/**
 * A running producer of frames. Iterate it with `for await`; iteration ends when the source ends
 * (end of file, `stop()`) and throws when it fails (ffmpeg died).
 */
export interface FrameSource extends AsyncIterable<Frame> {
  /** Human-readable name, e.g. `video:/path/clip.mp4`. */
  readonly name: string;
  /** Resolves when the source ends by itself or is stopped; rejects when it fails. */
  readonly done: Promise<void>;
  /** Frames produced so far. */
  readonly frames: number;
  /** Frames dropped because the consumer was behind (live sources only). */
  readonly dropped: number;
  /** Stops producing and releases the child process / timers. Idempotent. */
  stop(): Promise<void>;
}

/** What a full queue does: drop the oldest frame (live camera) or ask the producer to pause (file). */
export type OverflowPolicy = 'drop-oldest' | 'pause';

/**
 * Bounded single-consumer frame queue.
 * `pause`/`resume` callbacks let a file producer apply backpressure instead of dropping.
 */
export class FrameQueue {
  private readonly items: Frame[] = [];
  private waiter: { resolve: (r: IteratorResult<Frame>) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  private error: Error | null = null;
  private paused = false;
  /** Frames dropped on overflow. */
  dropped = 0;

  constructor(
    private readonly capacity: number,
    private readonly policy: OverflowPolicy,
    private readonly onPause: () => void = () => {},
    private readonly onResume: () => void = () => {},
  ) {}

  /** Adds a frame (ignored after end). */
  push(frame: Frame): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: frame, done: false });
      return;
    }
    this.items.push(frame);
    if (this.items.length > this.capacity) {
      if (this.policy === 'drop-oldest') {
        this.items.shift();
        this.dropped++;
      }
    }
    if (this.policy === 'pause' && this.items.length >= this.capacity && !this.paused) {
      this.paused = true;
      this.onPause();
    }
  }

  /** Ends the stream; queued frames are still delivered, then iteration ends or throws `err`. */
  end(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = err ?? null;
    if (this.waiter && this.items.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      if (this.error) w.reject(this.error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  /** Discards queued frames and ends without error. */
  close(): void {
    this.items.length = 0;
    this.end();
  }

  /** Next frame; resolves done at the end, rejects with the failure. */
  next(): Promise<IteratorResult<Frame>> {
    const item = this.items.shift();
    if (this.paused && this.items.length < this.capacity) {
      this.paused = false;
      this.onResume();
    }
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.ended) return this.error ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => { this.waiter = { resolve, reject }; });
  }
}
