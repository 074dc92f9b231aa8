/**
 * The `Source` interface: anything that produces detections (simulator, replay, image, video,
 * camera). Sources run inside a worker thread (see source-host.ts) and are created there from a
 * spec string such as `simulator`, `replay:FILE`, `image:PATH`, `video:PATH`, `camera:DEVICE`.
 */
import type { Detection } from '../core/detection.js';

/** Health a source reports. */
export interface SourceHealth {
  status: 'starting' | 'running' | 'stopped' | 'failed';
  framesProduced: number;
  lastError?: string;
}

/** A producer of detections. */
export interface Source {
  /** Human-readable name, e.g. `simulator` or `image:/path/table.jpg`. */
  readonly name: string;
  /**
   * Starts producing. `emit` is called once per frame; the host bounds the hand-off.
   * Resolves once the source is running; a failure later is reported by throwing from a callback
   * or rejecting `done`.
   */
  start(emit: (detection: Detection) => void): Promise<void>;
  /** Resolves when the source ends by itself (end of a replay or video file); rejects on failure. */
  readonly done: Promise<void>;
  /** Stops producing and releases resources (child processes, timers). Idempotent. */
  stop(): Promise<void>;
  health(): SourceHealth;
  /**
   * Whether anyone wants JPEG frames now (a video viewer). A source that renders or encodes frames
   * skips that work while false; detections continue. Optional: sources without frames ignore it.
   * Before the first call, frames are wanted.
   */
  setFrameDemand?(wanted: boolean): void;
}

/** Options every source factory receives (plain data: it crosses the worker boundary). */
export interface SourceOptions {
  /** Frames per second the source should produce (integration.target_fps). */
  fps: number;
  /** Seed for deterministic sources (simulator). */
  seed?: number;
  /** Replay speed multiplier (1 = recorded speed). */
  speed?: number;
  /** Whether sources that can render/capture JPEG frames should attach them. */
  frames?: boolean;
  /** JPEG quality 1-100 for rendered frames. */
  jpegQuality?: number;
  /** Extra per-kind options (vision calibration corners, table size, ...). */
  extra?: Record<string, unknown>;
}

/** Parsed `--source` spec. */
export interface SourceSpec {
  kind: 'simulator' | 'replay' | 'image' | 'video' | 'camera' | 'none';
  /** FILE, PATH or DEVICE after the colon. */
  arg?: string;
}

/**
 * Parses `simulator|replay:FILE|image:PATH|video:PATH|camera:DEVICE|none`.
 * @throws Error naming the bad spec when the kind is unknown or a required argument is missing.
 */
export function parseSourceSpec(spec: string): SourceSpec {
  const i = spec.indexOf(':');
  const kind = (i < 0 ? spec : spec.slice(0, i)).trim();
  const arg = i < 0 ? undefined : spec.slice(i + 1);
  switch (kind) {
    case 'simulator':
    case 'none':
      return { kind };
    case 'replay':
    case 'image':
    case 'video':
    case 'camera':
      if (!arg) throw new Error(`source "${spec}": ${kind} needs an argument, e.g. ${kind}:PATH`);
      return { kind, arg };
    default:
      throw new Error(`source "${spec}": unknown kind "${kind}" (expected simulator, replay:FILE, image:PATH, video:PATH, camera:DEVICE or none)`);
  }
}
