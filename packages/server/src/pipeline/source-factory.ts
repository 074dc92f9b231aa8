/**
 * Creates a {@link Source} from a parsed spec (runs inside the source worker):
 * `simulator` -> the physics-driven 8-ball simulator, `replay:FILE` -> a recording played back,
 * `image:PATH` / `video:PATH` / `camera:DEVICE` -> the vision source (imported lazily, so the
 * simulator and replay work without the vision package). `none` has no source (the host never
 * starts a worker for it).
 */
import type { Source, SourceOptions, SourceSpec } from './source.js';

/** Signature of the vision engineer's `createVisionSource` (sources/vision-source.ts). */
type VisionFactory = (spec: SourceSpec, options: SourceOptions) => Source;

/**
 * Creates the source for `spec`.
 * @throws Error for `none` (no source to create) or when the vision source cannot be loaded
 */
export async function createSource(spec: SourceSpec, options: SourceOptions): Promise<Source> {
  switch (spec.kind) {
    case 'simulator': {
      const { createSimulatorSource } = await import('./simulator-source.js');
      return createSimulatorSource(options);
    }
    case 'replay': {
      const { createReplaySource } = await import('./replay-source.js');
      return createReplaySource(spec.arg!, options);
    }
    case 'image':
    case 'video':
    case 'camera': {
      // A variable specifier keeps type-checking and start-up independent of the vision source.
      const path = './sources/vision-source.js';
      const mod = (await import(path)) as { createVisionSource?: VisionFactory };
      if (typeof mod.createVisionSource !== 'function') throw new Error(`source ${spec.kind}: sources/vision-source.ts does not export createVisionSource`);
      return mod.createVisionSource(spec, options);
    }
    case 'none':
      throw new Error('source "none" has no source to create');
  }
}
