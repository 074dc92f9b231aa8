/**
 * Video-file and camera frame sources: ffmpeg runs as a child process and streams raw RGB frames
 * over its stdout pipe (`ffmpeg -i FILE -f rawvideo -pix_fmt rgb24 -`; a camera through
 * `-f v4l2 -i /dev/videoN`). The output frame size and rate are read from ffmpeg's own stream
 * description on stderr ("Output #0 ... Video: rawvideo ..., WxH, ..., N fps").
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Frame } from '../image.js';
import { FrameQueue, type FrameSource, type OverflowPolicy } from './frame-source.js';

/** Options of {@link openVideoSource}. */
export interface VideoSourceOptions {
  /** Output frame rate (ffmpeg `fps` filter); default: the file's own rate. */
  fps?: number;
  /** Scale output to this size, pixels. */
  width?: number;
  height?: number;
  /** Read at the file's native speed (`-re`), as a live feed would arrive (default false). */
  realtime?: boolean;
  /** Loop the file forever (default false). */
  loop?: boolean;
  /** Frames kept for a slow consumer (default 2). */
  queue?: number;
  /** ffmpeg executable (default `ffmpeg` on PATH). */
  ffmpegPath?: string;
}

/** Options of {@link openCameraSource}. */
export interface CameraSourceOptions {
  /** Requested capture rate, frames per second. */
  fps?: number;
  /** Requested capture size, pixels. */
  width?: number;
  height?: number;
  /** ffmpeg input format (default `v4l2`, Linux). */
  inputFormat?: string;
  /** Frames kept for a slow consumer before the oldest is dropped (default 2). */
  queue?: number;
  ffmpegPath?: string;
}

/**
 * Opens a video file. Resolves once ffmpeg runs; frames carry synthetic timestamps
 * (start + n / fps) so tracking velocities are right even when decoding faster than real time.
 * @throws Error `ffmpeg not found ...` when the executable is missing
 */
export function openVideoSource(path: string, opts: VideoSourceOptions = {}): Promise<FrameSource> {
  const filters: string[] = [];
  if (opts.fps) filters.push(`fps=${opts.fps}`);
  if (opts.width && opts.height) filters.push(`scale=${opts.width}:${opts.height}`);
  const args = [
    '-hide_banner', '-nostdin',
    ...(opts.realtime ? ['-re'] : []),
    ...(opts.loop ? ['-stream_loop', '-1'] : []),
    '-i', path, '-an',
    ...(filters.length ? ['-vf', filters.join(',')] : []),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  return startFfmpeg(`video:${path}`, args, opts.ffmpegPath, opts.queue ?? 2, opts.realtime ? 'drop-oldest' : 'pause', 'synthetic');
}

/**
 * Opens a camera (V4L2 device such as `/dev/video0`). Frames are stamped with the wall clock on
 * arrival; a slow consumer gets the newest frames (the oldest are dropped and counted).
 * @throws Error `ffmpeg not found ...` when the executable is missing
 */
export function openCameraSource(device: string, opts: CameraSourceOptions = {}): Promise<FrameSource> {
  const args = [
    '-hide_banner', '-nostdin',
    '-f', opts.inputFormat ?? 'v4l2',
    ...(opts.fps ? ['-framerate', String(opts.fps)] : []),
    ...(opts.width && opts.height ? ['-video_size', `${opts.width}x${opts.height}`] : []),
    '-i', device, '-an',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  return startFfmpeg(`camera:${device}`, args, opts.ffmpegPath, opts.queue ?? 2, 'drop-oldest', 'wallclock');
}

/** Spawns ffmpeg and wires its stdout to a frame queue. */
function startFfmpeg(name: string, args: string[], bin = 'ffmpeg', capacity: number, policy: OverflowPolicy, clock: 'synthetic' | 'wallclock'): Promise<FrameSource> {
  return new Promise((resolveOpen, rejectOpen) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      rejectOpen(new Error(`${name}: could not start ffmpeg (${(err as Error).message})`, { cause: err }));
      return;
    }
    const queue = new FrameQueue(capacity, policy, () => child.stdout.pause(), () => child.stdout.resume());
    let stderr = '';
    let width = 0, height = 0, fps = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let frames = 0;
    let stopped = false;
    let opened = false;
    const startMicros = Date.now() * 1000;
    let resolveDone!: () => void, rejectDone!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => { resolveDone = res; rejectDone = rej; });
    done.catch(() => {}); // observed through iteration or `done` by the caller
    let closed: Promise<void> | null = null;
    const closedP = new Promise<void>((res) => child.once('close', () => res()));

    const drain = (): void => {
      if (!width) return;
      const size = width * height * 3;
      while (pendingBytes >= size) {
        const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
        const data = new Uint8Array(size);
        data.set(all.subarray(0, size));
        const rest = all.subarray(size);
        pending = rest.length ? [rest] : [];
        pendingBytes = rest.length;
        const ts = clock === 'synthetic' && fps > 0 ? startMicros + Math.round((frames * 1e6) / fps) : Date.now() * 1000;
        const frame: Frame = { data, width, height, timestampMicros: ts, frameNumber: frames++ };
        queue.push(frame);
      }
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-8000);
      if (!width) {
        const out = stderr.indexOf('Output #0');
        // Wait for the whole stream line: size and rate may arrive in separate chunks.
        const line = out >= 0 ? /Video: rawvideo[^\n]*\n/.exec(stderr.slice(out)) : null;
        const m = line ? /, (\d+)x(\d+)/.exec(line[0]) : null;
        if (m && line) {
          width = Number(m[1]);
          height = Number(m[2]);
          const f = /, ([\d.]+) fps/.exec(line[0]);
          fps = f ? Number(f[1]) : 0;
          drain();
        }
      }
    });
    child.stdout.on('data', (b: Buffer) => {
      pending.push(b);
      pendingBytes += b.length;
      drain();
    });
    child.once('spawn', () => {
      opened = true;
      resolveOpen(source);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      const msg = err.code === 'ENOENT'
        ? `${name}: ffmpeg not found (install it, e.g. apt-get install ffmpeg, or set source.ffmpeg_path)`
        : `${name}: ffmpeg failed: ${err.message}`;
      const e = new Error(msg, { cause: err });
      queue.end(e);
      rejectDone(e);
      if (!opened) rejectOpen(e);
    });
    child.once('close', (code, signal) => {
      if (stopped || code === 0) {
        queue.end();
        resolveDone();
        return;
      }
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      const e = new Error(`${name}: ffmpeg exited with ${code ?? signal}: ${tail}`);
      queue.end(e);
      rejectDone(e);
    });

    const source: FrameSource = {
      name,
      done,
      get frames() { return frames; },
      get dropped() { return queue.dropped; },
      stop(): Promise<void> {
        if (closed) return closed;
        stopped = true;
        queue.close();
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 2000);
          t.unref();
          closed = closedP.then(() => clearTimeout(t));
        } else closed = Promise.resolve();
        child.stdout.resume();
        return closed;
      },
      [Symbol.asyncIterator](): AsyncIterator<Frame> {
        return { next: () => queue.next(), return: async () => { await source.stop(); return { value: undefined, done: true }; } };
      },
    };
  });
}
