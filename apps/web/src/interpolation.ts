/**
 * Smooth motion between `state` messages: states arrive at up to ~30 fps (fewer when balls rest), the
 * display refreshes at 60+ Hz. Each state is stamped by the server at publish (`envelope.timestamp`);
 * the renderer draws the table as it was `delayMs` ago, interpolating ball positions linearly between
 * the two states that bracket that instant (the classic "entity interpolation" of networked games,
 * Valve's Source engine: render slightly in the past so there is always a newer state to move towards).
 *
 * Server and browser clocks differ: the offset is estimated as the minimum of
 * (local receive time - server publish time) over recent messages, i.e. the sample with the least
 * network delay (NTP's minimum-delay filter, simplified).
 */
import { parseTimestamp } from '@tablecast/protocol/core';
import type { Ball, StatePayload } from '@tablecast/protocol';

/** One buffered state. */
interface Snapshot {
  /** Server publish time, ms since the Unix epoch. */
  serverMs: number;
  /** Capture time of the frame the state was built from (`capture_timestamp`), else `serverMs`. */
  captureMs: number;
  state: StatePayload;
  byId: Map<string, Ball>;
}

/** A ball where it is drawn this frame (metres). */
export interface DrawnBall {
  id: string;
  x: number;
  y: number;
  ball: Ball;
}

/** What the renderer draws this frame. */
export interface InterpolatedState {
  balls: DrawnBall[];
  state: StatePayload;
}

/** Options of {@link StateInterpolator}. */
export interface InterpolatorOptions {
  /** How far in the past to render, ms (default 70: a bit over two 30 fps intervals). */
  delayMs?: number;
  /** States kept (default 64). */
  capacity?: number;
  /** Offset samples kept for the minimum filter (default 90, ~3 s at 30 fps). */
  offsetWindow?: number;
}

/** Buffers states and samples interpolated ball positions at display time. */
export class StateInterpolator {
  private readonly buffer: Snapshot[] = [];
  private readonly offsets: number[] = [];
  private offsetMs: number | null = null;
  readonly delayMs: number;
  private readonly capacity: number;
  private readonly offsetWindow: number;

  /** @param options see {@link InterpolatorOptions} */
  constructor(options: InterpolatorOptions = {}) {
    this.delayMs = options.delayMs ?? 70;
    this.capacity = options.capacity ?? 64;
    this.offsetWindow = options.offsetWindow ?? 90;
  }

  /** The newest state received, or null. */
  get latest(): StatePayload | null {
    return this.buffer.at(-1)?.state ?? null;
  }

  /**
   * Adds a state.
   * @param timestamp the envelope's wire timestamp (publish time)
   * @param localMs local receive time on the same clock later passed to {@link sample} (ms)
   */
  push(state: StatePayload, timestamp: string, localMs: number): void {
    let serverMs = parseTimestamp(timestamp) / 1000;
    if (!Number.isFinite(serverMs)) serverMs = localMs - (this.offsetMs ?? 0);
    const last = this.buffer.at(-1);
    if (last && serverMs < last.serverMs) this.buffer.length = 0; // clock went back (new server): start over
    this.offsets.push(localMs - serverMs);
    if (this.offsets.length > this.offsetWindow) this.offsets.shift();
    this.offsetMs = Math.min(...this.offsets);
    const byId = new Map<string, Ball>();
    for (const b of state.balls) byId.set(String(b.id), b);
    const captured = state.capture_timestamp === undefined ? NaN : parseTimestamp(state.capture_timestamp) / 1000;
    this.buffer.push({ serverMs, captureMs: Number.isFinite(captured) ? captured : serverMs, state, byId });
    if (this.buffer.length > this.capacity) this.buffer.shift();
  }

  /** Drops every buffered state (e.g. after the filters changed which balls arrive). */
  clear(): void {
    this.buffer.length = 0;
  }

  /**
   * Ball positions at local time `localMs` minus the render delay, or null before the first state.
   * @param delayMs render delay for this sample (default {@link delayMs}); 0 draws the newest state
   */
  sample(localMs: number, delayMs: number = this.delayMs): InterpolatedState | null {
    if (this.offsetMs === null) return null;
    return this.at('serverMs', localMs - this.offsetMs - delayMs);
  }

  /**
   * Ball positions at capture time `captureMs` (server clock, ms since the Unix epoch), or null
   * before the first state: what goes over a video picture captured then (the MJPEG part's
   * `X-Timestamp`), so each moving ball is drawn where the picture shows it. Between two states the
   * positions are interpolated by their `capture_timestamp`; past the newest state the newest is held.
   */
  sampleAtCapture(captureMs: number): InterpolatedState | null {
    return this.at('captureMs', captureMs);
  }

  /** The table at time `t` on the snapshots' `key` clock. */
  private at(key: 'serverMs' | 'captureMs', t: number): InterpolatedState | null {
    const newest = this.buffer.at(-1);
    if (!newest) return null;
    let i = this.buffer.length - 1;
    while (i > 0 && (this.buffer[i]?.[key] ?? 0) > t) i--;
    const a = this.buffer[i] ?? newest;
    const b = this.buffer[i + 1];
    if (!b || t <= a[key]) return this.fromSnapshot(t <= a[key] ? a : newest, null, 0);
    const span = b[key] - a[key];
    const alpha = span > 0 ? Math.min(1, Math.max(0, (t - a[key]) / span)) : 1;
    return this.fromSnapshot(b, a, alpha);
  }

  /** Balls of `to`, moved back towards their position in `from` by (1 - alpha). */
  private fromSnapshot(to: Snapshot, from: Snapshot | null, alpha: number): InterpolatedState {
    const balls: DrawnBall[] = [];
    for (const [id, ball] of to.byId) {
      if (ball.is_pocketed) continue;
      const prev = from?.byId.get(id);
      const x = prev && !prev.is_pocketed ? prev.position.x + (ball.position.x - prev.position.x) * alpha : ball.position.x;
      const y = prev && !prev.is_pocketed ? prev.position.y + (ball.position.y - prev.position.y) * alpha : ball.position.y;
      balls.push({ id, x, y, ball });
    }
    return { balls, state: to.state };
  }
}
