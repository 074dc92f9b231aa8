/**
 * Records a shot as replayable positions (the `replay` of the `balls_stopped` event, protocol
 * ShotReplay): the layout when the balls start moving, then the position of every ball every
 * `intervalS` of capture time until they stop. Only balls that moved more than `minTravelM` keep a
 * path; a ball's path ends when its track goes (pocketed). Positions rounded to 1 mm, at most
 * `maxSamples` samples (a longer shot keeps its first ones), so an event stays a few kilobytes.
 */
import type { ShotReplay } from '@tablecast/protocol';
import type { GameState } from './game-state.js';

/** Recorder settings. */
export interface ShotRecorderOptions {
  /** Seconds between samples (default 0.1: 10 per second). */
  intervalS: number;
  /** Samples per shot at most (default 300: 30 s at 10 per second). */
  maxSamples: number;
  /** Metres a ball must travel to keep its path (default 0.005). */
  minTravelM: number;
}

const DEFAULTS: ShotRecorderOptions = { intervalS: 0.1, maxSamples: 300, minTravelM: 0.005 };
const mm = (v: number): number => Math.round(v * 1000) / 1000;

/** See the module comment. One per game event detector. */
export class ShotRecorder {
  private readonly opts: ShotRecorderOptions;
  private layout: ShotReplay['layout'] = [];
  private paths = new Map<string, [number, number][]>();
  private lastSampleMicros = 0;
  private samples = 0;

  constructor(options: Partial<ShotRecorderOptions> = {}) {
    this.opts = { ...DEFAULTS, ...options };
  }

  /** Starts a shot: the layout of `state`, its first sample. */
  begin(state: GameState): void {
    this.layout = [];
    this.paths = new Map();
    for (const t of state.balls()) {
      this.layout.push({ id: t.id, number: t.number, type: t.type, x: mm(t.x), y: mm(t.y) });
      this.paths.set(t.id, []);
    }
    this.samples = 0;
    this.take(state);
  }

  /** Samples `state` when `intervalS` passed since the last sample. */
  sample(state: GameState): void {
    if (this.samples >= this.opts.maxSamples) return;
    if ((state.captureTimestampMicros - this.lastSampleMicros) / 1e6 + 1e-9 < this.opts.intervalS) return;
    this.take(state);
  }

  /** Ends the shot: the replay of the balls that moved. */
  end(): ShotReplay {
    const paths: Record<string, [number, number][]> = {};
    for (const b of this.layout) {
      const p = this.paths.get(b.id) ?? [];
      const travel = p.reduce((m, [x, y]) => Math.max(m, Math.hypot(x - b.x, y - b.y)), 0);
      if (travel > this.opts.minTravelM || p.length < this.samples) paths[b.id] = p;
    }
    return { interval_s: this.opts.intervalS, layout: this.layout, paths };
  }

  private take(state: GameState): void {
    this.lastSampleMicros = state.captureTimestampMicros;
    this.samples++;
    for (const t of state.balls()) this.paths.get(t.id)?.push([mm(t.x), mm(t.y)]);
  }
}
