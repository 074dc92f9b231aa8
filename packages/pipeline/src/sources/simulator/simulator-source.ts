/**
 * The simulator source (the embedded default): a {@link SimulatorSession} stepped at `fps` in
 * virtual time, observed like a camera would: gaussian measurement noise (1.5 mm per coordinate,
 * seeded), occasional missed detections (1 % of still balls, 3 % of moving balls, 2 % of cue
 * frames), per-ball confidence values, and — when `options.frames`, while frames are wanted
 * (`setFrameDemand`) — top-down JPEG frames.
 *
 * Rendering cost: Skia's JPEG encoder needs ~27 ms for 960x540 on the benchmark machine (drawing
 * ~2 ms), so frames are rendered at `frameFps` (default 30) with at most one encode in flight, off
 * the worker's JavaScript thread; a finished JPEG rides on the next detection, so detections are
 * never delayed by the encoder (the video frame is thus up to one frame period older than the
 * detection that carries it).
 * Deterministic from `options.seed` (the truth and the noise; wall-clock timestamps aside).
 *
 * Extra options (`options.extra`): `maxShotsPerRack` (default 30), `paceFactor` (default 1),
 * `frameWidth`/`frameHeight` (default 960x540), `noiseM` (default 0.0015), `missRate` (default 0.01),
 * `timeScale` (virtual seconds per real second, default 1; tests and demos use > 1), `frameFps`
 * (JPEG frames per second, default 30, at most `fps`).
 */
import { createTable } from '@tablecast/physics';
import { nowMicros } from '@tablecast/protocol';
import type { Detection, DetectedBall, DetectedTable, FrameImage } from '../../core/detection.js';
import type { Source, SourceHealth, SourceOptions } from '../source.js';
import { createRng, type Rng } from './rng.js';
import { SimulatorSession, type SimFrame } from './simulator-session.js';
import { TableRenderer } from './simulator-render.js';

/** Ball radius, metres (WPA 2.25 in). */
const BALL_RADIUS = 0.028575;

/** Settings read from `options.extra`. */
interface SimExtra {
  maxShotsPerRack: number;
  paceFactor: number;
  frameWidth: number;
  frameHeight: number;
  noiseM: number;
  missRate: number;
  timeScale: number;
  frameFps: number;
}

function extraOf(options: SourceOptions): SimExtra {
  const e = options.extra ?? {};
  const num = (k: string, d: number): number => (typeof e[k] === 'number' && Number.isFinite(e[k]) ? (e[k] as number) : d);
  return {
    maxShotsPerRack: num('maxShotsPerRack', 30),
    paceFactor: num('paceFactor', 1),
    frameWidth: num('frameWidth', 960),
    frameHeight: num('frameHeight', 540),
    noiseM: num('noiseM', 0.0015),
    missRate: num('missRate', 0.01),
    timeScale: num('timeScale', 1),
    frameFps: num('frameFps', 30),
  };
}

/**
 * Turns one true frame into a detection: noise, misses, confidences (pure apart from `rng`).
 * @param noiseM measurement noise standard deviation, metres
 */
export function observe(truth: SimFrame, frameNumber: number, captureMicros: number, rng: Rng, noiseM: number, missRate: number): Detection {
  const balls: DetectedBall[] = [];
  for (const b of truth.balls) {
    if (rng.chance(b.moving ? missRate * 3 : missRate)) continue;
    balls.push({
      id: b.id,
      number: b.number,
      type: b.number === 0 ? 'cue' : b.number === 8 ? 'eight' : b.number < 8 ? 'solid' : 'stripe',
      x: b.x + rng.gaussian(0, noiseM),
      y: b.y + rng.gaussian(0, noiseM),
      radius: BALL_RADIUS + rng.gaussian(0, 0.0002),
      confidence: Math.min(0.999, Math.max(0.5, (b.moving ? 0.88 : 0.95) + rng.gaussian(0, 0.02))),
    });
  }
  const c = truth.cue;
  const cue =
    c && !rng.chance(missRate * 2)
      ? {
          tipX: c.tipX + rng.gaussian(0, noiseM),
          tipY: c.tipY + rng.gaussian(0, noiseM),
          angleDeg: c.angleDeg + rng.gaussian(0, 0.05),
          length: c.length,
          confidence: Math.min(0.99, Math.max(0.5, 0.9 + rng.gaussian(0, 0.03))),
          power: c.power,
        }
      : null;
  return { frameNumber, captureTimestampMicros: captureMicros, balls, cue };
}

/** Creates the simulator source (see the module comment). */
export function createSimulatorSource(options: SourceOptions): Source {
  const extra = extraOf(options);
  const fps = options.fps > 0 ? options.fps : 30;
  const table = createTable('9ft');
  const geometry = { width: table.width, height: table.height, pockets: table.pockets.map((p) => ({ x: p.x, y: p.y, radius: p.radius })) };
  const seed = options.seed ?? 1;
  const session = new SimulatorSession(table, createRng(seed), { maxShotsPerRack: extra.maxShotsPerRack, paceFactor: extra.paceFactor });
  const noiseRng = createRng(seed ^ 0x5eed5eed);
  const renderer = options.frames ? new TableRenderer(geometry, { width: extra.frameWidth, height: extra.frameHeight, quality: options.jpegQuality ?? 70 }) : null;
  // With rendered frames, the table carries the frame's calibration like a camera source does.
  const detectedTable: DetectedTable = renderer ? { ...geometry, ...renderer.calibration() } : geometry;
  let timer: NodeJS.Timeout | null = null;
  let frameNumber = 0;
  let encoding = false;
  let readyFrame: FrameImage | null = null;
  let framesWanted = true;
  let nextRenderFrame = 0;
  const renderEvery = Math.max(1, Math.round(fps / Math.min(fps, extra.frameFps)));
  let health: SourceHealth = { status: 'starting', framesProduced: 0 };
  let rejectDone: (e: Error) => void = () => {};
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {});

  const tick = (emit: (d: Detection) => void): void => {
    try {
      const truth = session.step(extra.timeScale / fps);
      frameNumber++;
      const d = observe(truth, frameNumber, nowMicros(), noiseRng, extra.noiseM, extra.missRate);
      if (frameNumber === 1 || frameNumber % Math.round(fps) === 0) d.table = detectedTable;
      health = { ...health, framesProduced: frameNumber };
      // A finished JPEG rides on the next detection (never delaying detections behind the encoder).
      if (readyFrame) {
        d.frame = readyFrame;
        readyFrame = null;
      }
      emit(d);
      if (renderer && framesWanted && !encoding && frameNumber >= nextRenderFrame) {
        encoding = true;
        nextRenderFrame = frameNumber + renderEvery;
        // The picture shows this frame's truth; it goes out with a later detection, so it names its own.
        const shows = { frameNumber: d.frameNumber, captureTimestampMicros: d.captureTimestampMicros };
        renderer.render(truth.balls, truth.cue, BALL_RADIUS).then(
          (jpeg) => {
            encoding = false;
            readyFrame = framesWanted ? { jpeg, width: extra.frameWidth, height: extra.frameHeight, ...shows } : null;
          },
          (err: unknown) => {
            encoding = false;
            fail(err);
          },
        );
      }
    } catch (err) {
      fail(err);
    }
  };
  const fail = (err: unknown): void => {
    if (timer) clearInterval(timer);
    timer = null;
    const e = err instanceof Error ? err : new Error(String(err));
    health = { ...health, status: 'failed', lastError: e.message };
    rejectDone(e);
  };

  return {
    name: 'simulator',
    done,
    async start(emit) {
      if (timer) return;
      health = { ...health, status: 'running' };
      timer = setInterval(() => tick(emit), 1000 / fps);
      tick(emit);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      health = { ...health, status: 'stopped' };
      resolveDone();
    },
    health: () => health,
    setFrameDemand(wanted) {
      framesWanted = wanted;
      if (!wanted) readyFrame = null;
    },
  };
}
