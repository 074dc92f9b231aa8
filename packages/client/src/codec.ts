/**
 * Wire encodings of the gateway (PROTOCOL section 1: `encoding=json|msgpack`).
 * JSON travels in text frames, MessagePack (via msgpackr, plain maps, no record extension) in binary
 * frames. Isomorphic: msgpackr ships a browser build. msgpackr is loaded only by a msgpack codec, on
 * `ready()` (the client awaits it before connecting), so a JSON page never downloads it.
 */
import type { Envelope } from '@tablecast/protocol';

/** The msgpackr functions a msgpack codec uses. */
interface Msgpack {
  pack(value: unknown): Uint8Array;
  unpack(bytes: Uint8Array): unknown;
}

/** Encoding negotiated with `?encoding=` on connect. */
export type Encoding = 'json' | 'msgpack';

/** Thrown when an inbound frame cannot be decoded into an envelope. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  /** @param message what went wrong; `cause` carries the parser's error */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Encodes outbound client messages and decodes inbound server envelopes. */
export interface Codec {
  readonly encoding: Encoding;
  /** Loads what the encoding needs (msgpackr for `msgpack`); resolves at once for `json`. */
  ready(): Promise<void>;
  /** Serializes a client message `{type, id?, data}`. @throws Error for `msgpack` before `ready()` resolved */
  encode(message: { type: string; id?: number; data?: unknown }): string | Uint8Array;
  /**
   * Parses one inbound frame (string for text frames; ArrayBuffer, a typed array or a Node Buffer for
   * binary frames). Binary frames are decoded as MessagePack; text frames as JSON, whatever the encoding.
   * @throws DecodeError when the frame is not a JSON/MessagePack object with a string `type`
   */
  decode(frame: unknown): Envelope;
}

function toBytes(frame: unknown): Uint8Array | null {
  if (frame instanceof Uint8Array) return frame; // Node Buffer is a Uint8Array
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  if (Array.isArray(frame) && frame.every((f) => f instanceof Uint8Array)) {
    // ws 'fragments' binaryType: concatenate
    const parts = frame as Uint8Array[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.byteLength;
    }
    return out;
  }
  return null;
}

function asEnvelope(value: unknown): Envelope {
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    throw new DecodeError('inbound message is not an object with a string `type`');
  }
  const v = value as { type: string; timestamp?: unknown; sequence?: unknown; id?: unknown; data?: unknown };
  const env: Envelope = {
    type: v.type,
    timestamp: typeof v.timestamp === 'string' ? v.timestamp : '',
    sequence: typeof v.sequence === 'number' ? v.sequence : 0,
    data: v.data,
  };
  if (typeof v.id === 'string' || typeof v.id === 'number') env.id = v.id;
  return env;
}

/**
 * Creates the codec for `encoding`.
 * @param encoding `json` (default on the wire) or `msgpack`
 */
export function createCodec(encoding: Encoding): Codec {
  let mp: Msgpack | null = null;
  let loading: Promise<void> | null = null;
  const textDecoder = new TextDecoder();
  return {
    encoding,
    ready() {
      if (encoding !== 'msgpack' || mp) return Promise.resolve();
      loading ??= import('msgpackr').then((m) => {
        const packr = new m.Packr({ useRecords: false });
        const unpackr = new m.Unpackr({ useRecords: false });
        mp = { pack: (v) => packr.pack(v), unpack: (b) => unpackr.unpack(b) as unknown };
      });
      return loading;
    },
    encode(message) {
      if (encoding === 'json') return JSON.stringify(message);
      if (!mp) throw new Error('msgpack codec used before ready() resolved');
      return mp.pack(message);
    },
    decode(frame) {
      if (typeof frame === 'string') {
        try {
          return asEnvelope(JSON.parse(frame));
        } catch (err) {
          if (err instanceof DecodeError) throw err;
          throw new DecodeError('invalid JSON frame', { cause: err });
        }
      }
      const bytes = toBytes(frame);
      if (!bytes) throw new DecodeError(`unsupported frame type ${typeof frame}`);
      try {
        if (!mp) throw new DecodeError('binary frame before the msgpack codec was loaded');
        return asEnvelope(mp.unpack(bytes));
      } catch (err) {
        if (err instanceof DecodeError) throw err;
        // A JSON text sent as a binary frame (some proxies do this): try UTF-8 JSON before giving up.
        try {
          return asEnvelope(JSON.parse(textDecoder.decode(bytes)));
        } catch {
          throw new DecodeError('invalid MessagePack frame', { cause: err });
        }
      }
    },
  };
}
