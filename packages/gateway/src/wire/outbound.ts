/**
 * OutboundMessage: one published message in one filter variant, serialized at most once per
 * encoding and framed at most once, so fan-out writes the same bytes to every socket that shares it.
 */
import { pack } from 'msgpackr';
import type { StreamDescriptor } from '../catalog/stream-catalog.js';
import { frameBytes } from './ws-internals.js';
import type { RequestId } from '@tablecast/protocol';

/** Wire encoding of a connection. */
export type Encoding = 'json' | 'msgpack';

/** A message ready for delivery. Immutable; encodings are computed lazily and cached. */
export class OutboundMessage {
  readonly priority: number;
  readonly reliable: boolean;
  private jsonText: string | null = null;
  private jsonPayload: Buffer | null = null;
  private jsonFrame: Buffer | null = null;
  private mpPayload: Buffer | null = null;
  private mpFrame: Buffer | null = null;
  /** The `id` of the client message this replies to (request-id.ts); set before the first encoding. */
  requestId: RequestId | undefined = undefined;

  /**
   * @param type envelope `type` (the stream name, or a reply type)
   * @param stream canonical stream, or null for replies
   * @param sequence per-stream sequence (0 for replies)
   * @param timestamp wire timestamp string
   * @param timestampMicros publish time, microseconds since the Unix epoch (latency metrics)
   * @param data payload without `sequence`; `data.sequence` is added for stream messages
   * @param descriptor the stream's delivery class and priority; null for replies (most urgent, never evicted)
   */
  constructor(
    readonly type: string,
    readonly stream: string | null,
    readonly sequence: number,
    readonly timestamp: string,
    readonly timestampMicros: number,
    readonly data: unknown,
    descriptor: StreamDescriptor | null = null,
  ) {
    this.priority = descriptor ? descriptor.priority : -1;
    this.reliable = descriptor ? descriptor.delivery === 'reliable' : true;
  }

  /** The JSON envelope text. */
  json(): string {
    if (this.jsonText === null) {
      let d = JSON.stringify(this.data ?? {});
      if (this.stream && this.sequence > 0 && d.charCodeAt(0) === 123 /* { */) {
        d = d.length === 2 ? `{"sequence":${this.sequence}}` : `{"sequence":${this.sequence},${d.slice(1)}`;
      }
      const id = this.requestId === undefined ? '' : `"id":${JSON.stringify(this.requestId)},`;
      this.jsonText = `{"type":${JSON.stringify(this.type)},"timestamp":"${this.timestamp}","sequence":${this.sequence},${id}"data":${d}}`;
    }
    return this.jsonText;
  }

  /** Unframed payload bytes for `encoding`. */
  payload(encoding: Encoding): Buffer {
    if (encoding === 'json') return (this.jsonPayload ??= Buffer.from(this.json()));
    if (!this.mpPayload) {
      const data =
        this.stream && this.sequence > 0 && this.data && typeof this.data === 'object' && !Array.isArray(this.data)
          ? { sequence: this.sequence, ...(this.data as Record<string, unknown>) }
          : this.data;
      this.mpPayload = pack(this.requestId === undefined
        ? { type: this.type, timestamp: this.timestamp, sequence: this.sequence, data }
        : { type: this.type, timestamp: this.timestamp, sequence: this.sequence, id: this.requestId, data });
    }
    return this.mpPayload;
  }

  /** Pre-framed bytes for `encoding` (text frame for JSON, binary for msgpack). */
  frame(encoding: Encoding): Buffer {
    if (encoding === 'json') return (this.jsonFrame ??= frameBytes(this.payload('json'), false));
    return (this.mpFrame ??= frameBytes(this.payload('msgpack'), true));
  }
}

/**
 * A `batch {messages: [...]}` of one stream's messages (aggregation window, throttled reliable
 * streams). Its JSON is assembled from the members' cached JSON without re-serializing them.
 */
export class BatchMessage extends OutboundMessage {
  /** @param messages at least one, all of `stream` (the batch takes their priority and delivery class) */
  constructor(
    stream: string,
    timestamp: string,
    timestampMicros: number,
    readonly messages: OutboundMessage[],
  ) {
    super('batch', stream, 0, timestamp, timestampMicros, null, {
      priority: messages[0]!.priority,
      delivery: messages[0]!.reliable ? 'reliable' : 'latest',
    });
  }

  override json(): string {
    return `{"type":"batch","timestamp":"${this.timestamp}","sequence":0,"data":{"messages":[${this.messages.map((m) => m.json()).join(',')}]}}`;
  }

  override payload(encoding: Encoding): Buffer {
    if (encoding === 'json') return Buffer.from(this.json());
    return pack({
      type: 'batch',
      timestamp: this.timestamp,
      sequence: 0,
      data: { messages: this.messages.map((m) => JSON.parse(m.json()) as unknown) },
    });
  }

  override frame(encoding: Encoding): Buffer {
    return frameBytes(this.payload(encoding), encoding === 'msgpack');
  }
}
