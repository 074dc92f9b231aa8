/**
 * The vision source: `image:PATH`, `video:PATH` and `camera:DEVICE` specs turned into
 * {@link Detection}s by `@tablecast/vision` (frame source -> calibration -> balls, cue -> tracker).
 * Runs inside the source worker; keeps no module state.
 *
 * Extra options (`options.extra`, all optional):
 * - `corners`: four pixel corners TL, TR, BR, BL of the playing surface ([{x, y}] or [[x, y]]);
 *   default: found automatically in the first frame.
 * - `tableWidth`, `tableHeight` (metres, default 2.54 x 1.27), `ballRadius` (metres).
 * - `background`: path of an empty-table image of the same view (better ball detection).
 * - `realtime` (video, default true: read at the file's speed), `loop` (video, default false).
 * - `width`, `height` (camera capture size), `inputFormat` (camera, default v4l2).
 * - `detectCue` (default true).
 * - `ffmpegPath` (video, camera; `source.ffmpeg_path`, default `ffmpeg` on PATH).
 */
import {
  type FrameSource, type Point, type RgbImage, type TableCalibration, type VisionResult,
  VisionPipeline, decodeImage, encodeJpeg, openCameraSource, openImageSource, openVideoSource,
} from '@tablecast/vision';
import type { DetectedBall, DetectedCue, DetectedTable, Detection } from '../core/detection.js';
import type { Source, SourceHealth, SourceOptions, SourceSpec } from './source.js';

/** Reads `extra.corners` as four points, or undefined. */
function cornersOf(v: unknown): Point[] | undefined {
  if (!Array.isArray(v) || v.length !== 4) return undefined;
  const pts = v.map((p: unknown) => {
    if (Array.isArray(p) && p.length === 2) return { x: Number(p[0]), y: Number(p[1]) };
    if (p && typeof p === 'object') return { x: Number((p as Point).x), y: Number((p as Point).y) };
    return { x: NaN, y: NaN };
  });
  if (pts.some((p) => !Number.isFinite(p.x) || !Number.isFinite(p.y))) throw new Error('vision source: extra.corners must be 4 points [x, y] (pixels)');
  return pts;
}

/** Table geometry in the Detection shape. */
export function tableOf(cal: TableCalibration): DetectedTable {
  return {
    width: cal.tableWidth,
    height: cal.tableHeight,
    pockets: cal.pockets.map((p) => ({ x: p.x, y: p.y, radius: p.radius })),
    cornersPx: cal.cornersPx.map((p) => ({ x: p.x, y: p.y })),
    homography: cal.homography.slice(),
    imageWidth: cal.imageWidth,
    imageHeight: cal.imageHeight,
  };
}

/** Converts one pipeline result to a {@link Detection} (without the frame image). */
export function detectionOf(r: VisionResult, includeTable: boolean): Detection {
  const balls: DetectedBall[] = r.balls.map((b) => ({
    id: `track_${b.trackId}`,
    number: b.number,
    type: b.type,
    x: b.x,
    y: b.y,
    radius: b.radius,
    confidence: b.confidence,
    vx: b.vx,
    vy: b.vy,
    trackId: b.trackId,
    pixel: { x: b.pixel.x, y: b.pixel.y, radius: b.pixel.radius },
  }));
  const cue: DetectedCue | null = r.cue
    ? { tipX: r.cue.tipX, tipY: r.cue.tipY, angleDeg: r.cue.angleDeg, length: r.cue.length, confidence: r.cue.confidence }
    : null;
  const d: Detection = { frameNumber: r.frameNumber, captureTimestampMicros: r.timestampMicros, balls, cue };
  if (includeTable) d.table = tableOf(r.table);
  return d;
}

/**
 * Creates the vision source for an `image`, `video` or `camera` spec.
 * @throws Error for other kinds or a missing argument (the frame source itself opens in `start`)
 */
export function createVisionSource(spec: SourceSpec, options: SourceOptions): Source {
  if ((spec.kind !== 'image' && spec.kind !== 'video' && spec.kind !== 'camera') || !spec.arg) {
    throw new Error(`vision source: unsupported spec ${spec.kind}${spec.arg ? ':' + spec.arg : ''} (expected image:PATH, video:PATH or camera:DEVICE)`);
  }
  const arg = spec.arg;
  const kind = spec.kind;
  const extra = options.extra ?? {};
  const num = (k: string): number | undefined => (typeof extra[k] === 'number' && Number.isFinite(extra[k]) ? (extra[k] as number) : undefined);
  const name = `${kind}:${arg}`;
  const fps = options.fps > 0 ? options.fps : 10;
  let frames: FrameSource | null = null;
  let stopping = false;
  let framesWanted = true; // JPEGs only while a video consumer wants them (Source.setFrameDemand)
  const health: SourceHealth = { status: 'starting', framesProduced: 0 };
  let resolveDone!: () => void, rejectDone!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => { resolveDone = res; rejectDone = rej; });
  done.catch(() => {});
  const fail = (err: unknown): void => {
    const e = err instanceof Error ? err : new Error(String(err));
    health.status = 'failed';
    health.lastError = e.message;
    rejectDone(e);
  };

  return {
    name,
    done,
    health: () => ({ ...health }),
    setFrameDemand(wanted) {
      framesWanted = wanted;
    },
    async start(emit) {
      const background: RgbImage | undefined = typeof extra.background === 'string' ? await decodeImage(extra.background) : undefined;
      const pipeline = new VisionPipeline({
        calibration: { corners: cornersOf(extra.corners), tableWidth: num('tableWidth'), tableHeight: num('tableHeight'), ballRadius: num('ballRadius') },
        background,
        detectCue: extra.detectCue !== false,
      });
      const ffmpegPath = typeof extra.ffmpegPath === 'string' ? extra.ffmpegPath : undefined;
      if (kind === 'image') frames = await openImageSource(arg, { fps });
      else if (kind === 'video') frames = await openVideoSource(arg, { realtime: extra.realtime !== false, loop: extra.loop === true, fps: num('videoFps'), ffmpegPath });
      else frames = await openCameraSource(arg, { fps, width: num('width'), height: num('height'), inputFormat: typeof extra.inputFormat === 'string' ? extra.inputFormat : undefined, ffmpegPath });
      health.status = 'running';
      const src = frames;
      let lastCal: TableCalibration | null = null;
      let stillJpeg: Buffer | null = null; // an image source repeats one picture: encode it once
      let encoding = false;
      void (async () => {
        for await (const frame of src) {
          const result = pipeline.process(frame);
          const detection = detectionOf(result, result.table !== lastCal);
          lastCal = result.table;
          if (options.frames && framesWanted) {
            if (kind === 'image') {
              stillJpeg ??= await encodeJpeg(frame, options.jpegQuality ?? 80);
              detection.frame = { jpeg: stillJpeg, width: frame.width, height: frame.height };
            } else if (!encoding) {
              // At most one encode in flight; meanwhile frames go out without an image.
              encoding = true;
              try {
                detection.frame = { jpeg: await encodeJpeg(frame, options.jpegQuality ?? 80), width: frame.width, height: frame.height };
              } finally {
                encoding = false;
              }
            }
          }
          if (stopping) break;
          health.framesProduced++;
          emit(detection);
          // Yield to the event loop between frames (timers, messages from the host).
          await new Promise<void>((r) => setImmediate(r));
        }
      })().then(async () => {
        await src.done;
        health.status = 'stopped';
        resolveDone();
      }).catch(fail);
    },
    async stop() {
      stopping = true;
      await frames?.stop();
      if (health.status !== 'failed') health.status = 'stopped';
      resolveDone();
    },
  };
}
