/**
 * Replays a recording (NDJSON written by {@link recordToFile}) as a source: every `state` message
 * becomes a Detection, emitted at the recorded pace divided by `options.speed` (1 = recorded
 * speed). Capture timestamps are the replay time (so latency figures stay meaningful); frame
 * numbers are the recorded ones. `done` resolves at the end of the file and rejects on a line that
 * is not JSON.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowMicros } from '@tablecast/protocol';
import type { Ball, Cue, StatePayload } from '@tablecast/protocol';
import type { Detection, DetectedBall, DetectedCue } from '../core/detection.js';
import type { Source, SourceHealth, SourceOptions } from './source.js';

/** One line of a recording. */
export interface RecordedLine {
  /** Receive time, microseconds since the epoch. */
  t: number;
  msg: { type: string; timestamp?: string; sequence?: number; data?: unknown };
}

function ballOf(b: Ball): DetectedBall {
  return {
    id: String(b.id),
    number: b.number ?? null,
    ...(b.type ? { type: b.type as NonNullable<DetectedBall['type']> } : {}),
    x: b.position.x,
    y: b.position.y,
    radius: b.radius,
    confidence: b.confidence ?? 1,
    ...(typeof b.track_id === 'number' ? { trackId: b.track_id } : {}),
  };
}

function cueOf(c: Cue | null): DetectedCue | null {
  if (!c || !c.detected || !c.tip_position) return null;
  const power = (c as { power?: unknown }).power;
  return {
    tipX: c.tip_position.x,
    tipY: c.tip_position.y,
    angleDeg: c.angle ?? 0,
    length: c.length ?? 1.45,
    confidence: c.confidence ?? 1,
    ...(typeof power === 'number' ? { power } : {}),
  };
}

/** Converts a recorded `state` payload to a Detection (capture time = `captureMicros`). */
export function detectionFromState(s: StatePayload, frameNumber: number, captureMicros: number): Detection {
  return {
    frameNumber: s.frame_number ?? frameNumber,
    captureTimestampMicros: captureMicros,
    balls: s.balls.map(ballOf),
    cue: cueOf(s.cue),
    ...(s.table ? { table: { width: s.table.width, height: s.table.height, pockets: s.table.pockets.map((p) => ({ x: p.x, y: p.y, radius: p.radius })) } } : {}),
  };
}

/**
 * Creates a replay source for `file`.
 * `start` rejects when the file cannot be read; `done` rejects on a malformed line.
 */
export function createReplaySource(file: string, options: SourceOptions): Source {
  const speed = options.speed && options.speed > 0 ? options.speed : 1;
  let health: SourceHealth = { status: 'starting', framesProduced: 0 };
  let stopped = false;
  let resolveDone: () => void = () => {};
  let rejectDone: (e: Error) => void = () => {};
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {});

  async function play(emit: (d: Detection) => void): Promise<void> {
    const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let lineNo = 0;
    let t0: number | null = null;
    const wall0 = performance.now();
    let frame = 0;
    try {
      for await (const line of rl) {
        lineNo++;
        if (stopped) break;
        if (line.trim() === '') continue;
        let rec: RecordedLine;
        try {
          rec = JSON.parse(line) as RecordedLine;
        } catch {
          throw new Error(`replay ${file} line ${lineNo}: not JSON`);
        }
        if (rec?.msg?.type !== 'state' || typeof rec.msg.data !== 'object' || rec.msg.data === null) continue;
        t0 ??= rec.t;
        const dueMs = (rec.t - t0) / 1000 / speed;
        const waitMs = dueMs - (performance.now() - wall0);
        if (waitMs > 1) await sleep(waitMs);
        if (stopped) break;
        emit(detectionFromState(rec.msg.data as StatePayload, ++frame, nowMicros()));
        health = { ...health, framesProduced: health.framesProduced + 1 };
      }
    } finally {
      rl.close();
    }
  }

  return {
    name: `replay:${file}`,
    done,
    async start(emit) {
      await access(file);
      health = { ...health, status: 'running' };
      play(emit).then(
        () => {
          health = { ...health, status: 'stopped' };
          resolveDone();
        },
        (err: Error) => {
          health = { ...health, status: 'failed', lastError: err.message };
          rejectDone(err);
        },
      );
    },
    async stop() {
      stopped = true;
    },
    health: () => health,
  };
}
