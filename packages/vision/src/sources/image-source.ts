/**
 * Still-image frame source: one JPEG/PNG decoded once (sharp) and repeated at a target rate, for
 * testing the pipeline and demos without a camera.
 */
import { type Frame, decodeImage } from '../image.js';
import type { FrameSource } from './frame-source.js';

/** Options of {@link openImageSource}. */
export interface ImageSourceOptions {
  /** Frames per second (default 10). */
  fps?: number;
  /** End after this many frames (default: run until stopped). */
  maxFrames?: number;
}

/**
 * Opens a still image as a frame source. Every frame shares the same pixel buffer (treat it as
 * read-only); timestamps are the scheduled times (microseconds since the epoch) and frame numbers
 * the slot on the fps grid (gaps = slots skipped because the consumer was slower than `fps`).
 * @throws Error when the image cannot be decoded
 */
export async function openImageSource(path: string, opts: ImageSourceOptions = {}): Promise<FrameSource> {
  const img = await decodeImage(path);
  const interval = 1000 / Math.max(0.1, opts.fps ?? 10);
  const max = opts.maxFrames ?? Infinity;
  let produced = 0;
  let slot = 0;
  let dropped = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((res) => { resolveDone = res; });
  const start = performance.now();
  const startMicros = Date.now() * 1000;
  const source: FrameSource = {
    name: `image:${path}`,
    done,
    get frames() { return produced; },
    get dropped() { return dropped; },
    stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      resolveDone();
      return Promise.resolve();
    },
    [Symbol.asyncIterator](): AsyncIterator<Frame> {
      return {
        next: async (): Promise<IteratorResult<Frame>> => {
          if (stopped || produced >= max) { resolveDone(); return { value: undefined, done: true }; }
          // Next slot on the fps grid; a consumer slower than the rate skips slots (counted as
          // dropped, like a live camera) instead of receiving a backlog.
          const elapsedSlots = Math.floor((performance.now() - start) / interval);
          if (produced > 0 && elapsedSlots > slot + 1) {
            dropped += elapsedSlots - slot - 1;
            slot = elapsedSlots;
          } else if (produced > 0) slot++;
          const wait = start + slot * interval - performance.now();
          // Always yield to the event loop (a timer), so a busy consumer cannot starve it.
          await new Promise<void>((res) => { wake = res; timer = setTimeout(res, Math.max(0, wait)); });
          wake = null;
          timer = null;
          if (stopped) return { value: undefined, done: true };
          produced++;
          return { value: { ...img, timestampMicros: startMicros + Math.round(slot * interval * 1000), frameNumber: slot }, done: false };
        },
        return: async () => { await source.stop(); return { value: undefined, done: true }; },
      };
    },
  };
  return source;
}
