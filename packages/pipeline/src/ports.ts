/**
 * What the pipeline needs from the application, as interfaces it declares (dependency inversion:
 * the server's gateway hub and frame hub implement them; the pipeline never imports the gateway).
 */
import type { CanonicalStream, StreamPayloadMap } from '@tablecast/protocol';

/** Options of one publish. */
export interface PublishOptions {
  /** Publish timestamp, microseconds since the Unix epoch; default now. */
  timestampMicros?: number;
}

/** What a publish resolves with once the message is sequenced (PROTOCOL section 2). */
export interface PublishReceipt {
  stream: string;
  /** Per-stream sequence (0 while queued). */
  sequence: number;
  /** Wire timestamp (ISO-8601 with microseconds). */
  timestamp: string;
}

/**
 * The typed publish port: each stream takes exactly its payload type (PROTOCOL section 5).
 * Errors: implementations reject with an error whose `retryable` (or `code`) tells whether a retry
 * can help (see `isRetryable` in @tablecast/common); the pipeline retries and trips its breaker.
 */
export interface StreamPort {
  publish<S extends CanonicalStream>(stream: S, data: StreamPayloadMap[S], options?: PublishOptions): Promise<PublishReceipt>;
  /** Number of clients subscribed to `stream` (the pipeline sends state heartbeats only while some are). */
  subscriberCount(stream: CanonicalStream): number;
}

/** One encoded video frame. */
export interface JpegFrame {
  jpeg: Buffer;
  /** Pixels. */
  width: number;
  height: number;
  /** Capture time, microseconds since the Unix epoch. */
  timestampMicros: number;
  /** Monotonic counter. */
  frameNumber: number;
}

/** Where the pipeline writes the JPEG frames of its source, and how it learns whether anyone watches. */
export interface FrameSink {
  /** Hands over the newest frame (the sink keeps the latest only). */
  push(frame: JpegFrame): void;
  /** Registers a producer that follows demand; returns its removal. */
  addProducer(): () => void;
  /** Calls `listener` whenever demand for frames starts or stops; returns the unsubscribe. */
  onDemand(listener: (wanted: boolean) => void): () => void;
  /** Whether frames are wanted now. */
  readonly wanted: boolean;
}
