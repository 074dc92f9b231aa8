/**
 * Test doubles of the pipeline's ports: a StreamPort that records what the pipeline publishes (the
 * gateway is another package; these tests check what the pipeline hands over), errors shaped like
 * the gateway's publish errors, and the pipeline's configuration with defaults applied.
 */
import { Value } from '@sinclair/typebox/value';
import type { CanonicalStream, StreamPayloadMap } from '@tablecast/protocol';
import { IntegrationSection, SourceSection, TableSection, type PipelineConfig } from '../../src/config.js';
import type { PublishReceipt, StreamPort } from '../../src/ports.js';

/** One recorded publish. */
export interface Published {
  stream: CanonicalStream;
  data: Record<string, unknown>;
}

/** Records every publish; `subscribers` is what subscriberCount answers. */
export class RecordingPort implements StreamPort {
  readonly published: Published[] = [];
  readonly counts = new Map<CanonicalStream, number>();
  subscribers = 0;
  async publish<S extends CanonicalStream>(stream: S, data: StreamPayloadMap[S]): Promise<PublishReceipt> {
    this.published.push({ stream, data: data as Record<string, unknown> });
    this.counts.set(stream, (this.counts.get(stream) ?? 0) + 1);
    return { stream, sequence: this.counts.get(stream)!, timestamp: '' };
  }
  subscriberCount(): number {
    return this.subscribers;
  }
  /** Payloads published on `stream`, in order. */
  on(stream: CanonicalStream): Record<string, unknown>[] {
    return this.published.filter((p) => p.stream === stream).map((p) => p.data);
  }
}

/** An error as the gateway rejects a publish with: a protocol error code and whether a retry can help. */
export function publishError(code: 'UNAVAILABLE' | 'INVALID_PAYLOAD' | 'INVALID_STREAM', message: string): Error & { code: string; retryable: boolean } {
  return Object.assign(new Error(message), { code, retryable: code === 'UNAVAILABLE' });
}

type Overrides = { [K in keyof PipelineConfig]?: Record<string, unknown> };

/**
 * The pipeline's sections with `overrides` over the defaults.
 * @throws Error when the result does not match the sections' schemas
 */
export function pipelineConfig(overrides: Overrides = {}): PipelineConfig {
  const section = <T>(schema: Parameters<typeof Value.Default>[0], given: Record<string, unknown> | undefined): T => {
    const v = Value.Default(schema, structuredClone(given ?? {}));
    if (!Value.Check(schema, v)) throw new Error(`bad test config: ${[...Value.Errors(schema, v)].map((e) => e.path + ' ' + e.message).join('; ')}`);
    return v as T;
  };
  return {
    integration: section(IntegrationSection, overrides.integration),
    source: section(SourceSection, overrides.source),
    table: section(TableSection, overrides.table),
  };
}
