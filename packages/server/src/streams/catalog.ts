/**
 * The billiards streams as the gateway engine sees them (PROTOCOL sections 5 and 6): delivery
 * class, priority, the `metrics` alias and a compiled schema check of every payload.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { DELIVERY_CLASS, STREAM_ALIASES, STREAM_NAMES, STREAM_PAYLOADS, STREAM_PRIORITY, type CanonicalStream } from '@tablecast/protocol';
import { createStreamCatalog, type PayloadProblem, type StreamCatalog, type StreamDescriptor } from '@tablecast/gateway';

/** The catalog of PROTOCOL section 5's streams. */
export function billiardsCatalog(): StreamCatalog {
  const streams: Record<string, StreamDescriptor> = {};
  for (const stream of Object.keys(DELIVERY_CLASS) as CanonicalStream[]) {
    const check = TypeCompiler.Compile(STREAM_PAYLOADS[stream]);
    streams[stream] = {
      delivery: DELIVERY_CLASS[stream],
      priority: STREAM_PRIORITY[stream],
      check: (data): PayloadProblem | null => {
        if (check.Check(data)) return null;
        const e = check.Errors(data).First();
        return { path: `data${e?.path.replaceAll('/', '.') ?? ''}`, message: e?.message ?? 'invalid' };
      },
    };
  }
  return createStreamCatalog({ streams, aliases: STREAM_ALIASES, wireOrder: STREAM_NAMES });
}
