/**
 * Creates a {@link Source} from a parsed spec (runs inside the source worker):
 * `simulator` -> the physics-driven 8-ball simulator, `replay:FILE` -> a recording played back,
 * `image:PATH` / `video:PATH` / `camera:DEVICE` -> the vision source (imported lazily, so the
 * simulator and replay work without the vision package). `none` has no source (the host never
 * starts a worker for it).
 */
import type { Source, SourceOptions, SourceSpec } from './source.js';

/**
 * Creates the source for `spec`.
 * @throws Error for `none` (no source to create) or when the vision source cannot be loaded
 */
export async function createSource(spec: SourceSpec, options: SourceOptions): Promise<Source> {
  switch (spec.kind) {
    case 'simulator': {
      const { createSimulatorSource } = await import('./simulator/simulator-source.js');
      return createSimulatorSource(options);
    }
    case 'replay': {
      const { createReplaySource } = await import('./replay-source.js');
      return createReplaySource(spec.arg!, options);
    }
    case 'image':
    case 'video':
    case 'camera': {
      // Loaded on demand: a simulator or replay start does not load the vision stage.
      const { createVisionSource } = await import('./vision-source.js');
      return createVisionSource(spec, options);
    }
    case 'none':
      throw new Error('source "none" has no source to create');
  }
}
