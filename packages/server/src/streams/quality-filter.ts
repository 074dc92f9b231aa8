/**
 * The `quality` content filter of the `frame` stream (PROTOCOL section 4): each quality level is one
 * variant whose frames are re-encoded once (video/frame-quality.ts) and shared by its subscribers.
 * A frame that cannot be re-encoded is sent as it is.
 */
import type { FilterPlugin } from '@tablecast/gateway';

/** Re-encodes a `frame` payload at a quality level. */
export type FrameTranscoder = (data: Record<string, unknown>, quality: 'low' | 'medium' | 'high') => Promise<Record<string, unknown>>;

/** The plugin, re-encoding with `transcode`. */
export function frameQualityFilter(transcode: FrameTranscoder): FilterPlugin {
  return {
    name: 'quality',
    key: (f, stream) => (stream === 'frame' && f.quality ? f.quality : undefined),
    compile(f) {
      const quality = f.quality!;
      return { transformAsync: (d) => transcode(d, quality).catch(() => d) };
    },
  };
}
