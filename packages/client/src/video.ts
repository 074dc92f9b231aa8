/**
 * Reader of tablecast's MJPEG video (`GET /api/v1/stream/video`, `multipart/x-mixed-replace;
 * boundary=frame`) with `fetch`, part by part, so each picture comes with the frame it shows: every
 * part carries `Content-Length`, `X-Frame-Number` and `X-Timestamp` (capture time, the wire timestamp
 * format), the values a `state` of that frame carries as `frame_number` and `capture_timestamp`. An
 * `<img>` shows the pictures but hides which frame is on screen, so an overlay drawn over it can only
 * guess (moving balls look doubled). The dashboard draws its video underlay with this reader.
 *
 * Parts are delimited by their `Content-Length`, not by the next boundary: a part is returned as
 * soon as its last byte arrives, one frame period sooner than a boundary-delimited multipart parser
 * can (bench/mjpeg.ts measures both).
 */
import { parseTimestamp } from '@tablecast/protocol/core';

/** One part of the stream. */
export interface MjpegPart {
  /** The JPEG bytes. */
  jpeg: Uint8Array<ArrayBuffer>;
  /** Source frame counter, or null when the part has no `X-Frame-Number`. */
  frameNumber: number | null;
  /** Capture time, ms since the Unix epoch (server clock), or null without `X-Timestamp`. */
  captureMs: number | null;
}

const HEAD_END = [13, 10, 13, 10];
/** Longest part head accepted (boundary line and headers); tablecast's are ~150 bytes. */
const MAX_HEAD_BYTES = 8192;
/** Largest part accepted: a 4K JPEG is a few MiB; a bigger `Content-Length` is not a picture of ours. */
const MAX_PART_BYTES = 64 * 1024 * 1024;
const EMPTY = new Uint8Array(0);
/** Part heads are ASCII header lines. */
const LATIN1 = new TextDecoder('latin1');

/**
 * Splits the bytes of a multipart MJPEG body into parts. Feed it chunks as they arrive; each
 * complete part is returned once, as soon as its last byte is here. Every body byte is copied once,
 * straight into a buffer of the part's `Content-Length`, however the network cuts the stream.
 */
export class MjpegParser {
  /** Bytes of the part head read so far (boundary line, headers), while no body is open. */
  private head: Uint8Array = EMPTY;
  /** The part whose body is being filled (`filled` bytes so far), or null while reading a head. */
  private body: { part: MjpegPart; filled: number } | null = null;

  /**
   * Adds `chunk` and returns the parts it completed.
   * @throws Error when a part head has no `Content-Length`, is longer than 8 KiB, or announces more
   *   than 64 MiB (not a tablecast stream); the parser is unusable after
   */
  push(chunk: Uint8Array): MjpegPart[] {
    const parts: MjpegPart[] = [];
    let i = 0;
    while (i < chunk.length) {
      const body = this.body;
      if (body) {
        const { jpeg } = body.part;
        const n = Math.min(jpeg.length - body.filled, chunk.length - i);
        jpeg.set(chunk.subarray(i, i + n), body.filled);
        body.filled += n;
        i += n;
        if (body.filled === jpeg.length) this.finish(parts);
        continue;
      }
      // Look for the end of the head in what is held plus at most enough new bytes for a whole head.
      const take = chunk.subarray(i, i + MAX_HEAD_BYTES - this.head.length);
      const probe = this.head.length === 0 ? take : concat(this.head, take);
      const end = indexOf(probe, HEAD_END, Math.max(0, this.head.length - 3));
      if (end < 0) {
        if (probe.length >= MAX_HEAD_BYTES) throw new Error('MJPEG part head longer than 8 KiB');
        this.head = probe.slice();
        i += take.length;
        continue;
      }
      i += end + 4 - this.head.length;
      this.head = EMPTY;
      this.open(LATIN1.decode(probe.subarray(0, end)));
      if (this.body!.part.jpeg.length === 0) this.finish(parts);
    }
    return parts;
  }

  /** Starts the body of the part whose head is `head` (text before the blank line). */
  private open(head: string): void {
    const length = headerOf(head, 'content-length');
    if (length === null || !/^\d+$/.test(length)) throw new Error('MJPEG part without Content-Length');
    if (Number(length) > MAX_PART_BYTES) throw new Error(`MJPEG part of ${length} bytes, more than 64 MiB`);
    const number = headerOf(head, 'x-frame-number');
    const ts = headerOf(head, 'x-timestamp');
    const micros = ts === null ? NaN : parseTimestamp(ts);
    this.body = {
      part: {
        jpeg: new Uint8Array(Number(length)),
        frameNumber: number !== null && /^\d+$/.test(number) ? Number(number) : null,
        captureMs: Number.isFinite(micros) ? micros / 1000 : null,
      },
      filled: 0,
    };
  }

  /** Moves the filled part to `parts`. The CRLF after it is read as the start of the next head. */
  private finish(parts: MjpegPart[]): void {
    parts.push(this.body!.part);
    this.body = null;
  }
}

/** The value of header `name` (lower case) in a part head, or null. */
function headerOf(head: string, name: string): string | null {
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return null;
}

/** First index ≥ `from` where `needle` starts in `buf`, or -1. */
function indexOf(buf: Uint8Array, needle: readonly number[], from: number): number {
  outer: for (let i = from; i + needle.length <= buf.length; i++) {
    for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Options of {@link readMjpeg}. */
export interface ReadMjpegOptions {
  /** Ends the read: the returned promise resolves (not rejects) once aborted. */
  signal?: AbortSignal;
  /**
   * Request headers, e.g. `{ authorization: 'Bearer <token>' }` when the server requires a
   * credential for video (or pass `?token=` in the URL).
   */
  headers?: Record<string, string>;
}

/**
 * Streams the MJPEG video at `url` (e.g. `http://table.local:8000/api/v1/stream/video?quality=low`)
 * and calls `onPart` for every picture, in order, until `options.signal` aborts or the server ends
 * the stream.
 *
 * ```ts
 * const stop = new AbortController();
 * await readMjpeg(url, (part) => paint(part.jpeg, part.frameNumber), { signal: stop.signal });
 * ```
 * @returns resolves when the stream ends or on abort
 * @throws Error (rejects) on a network error, an answer other than 2xx (the message names the
 *   status, e.g. 401 without a credential), or a stream that is not tablecast's (a part without
 *   `Content-Length`, a head over 8 KiB, a part over 64 MiB)
 */
export async function readMjpeg(url: string, onPart: (part: MjpegPart) => void, options: ReadMjpegOptions = {}): Promise<void> {
  const { signal } = options;
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ?? null, cache: 'no-store', ...(options.headers ? { headers: options.headers } : {}) });
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`video stream answered ${res.status}`);
  }
  const reader = res.body.getReader();
  const parser = new MjpegParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const part of parser.push(value)) onPart(part);
    }
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  } finally {
    reader.releaseLock();
  }
}
