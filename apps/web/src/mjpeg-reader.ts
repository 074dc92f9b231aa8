/**
 * Reads tablecast's MJPEG stream (`multipart/x-mixed-replace; boundary=frame`) with `fetch`, part by
 * part, so each picture comes with the frame it shows: every part carries `Content-Length`,
 * `X-Frame-Number` and `X-Timestamp` (capture time, the wire timestamp format), the values a `state`
 * of that frame carries as `frame_number` and `capture_timestamp`. An `<img>` shows the pictures but
 * hides which frame is on screen, so balls drawn over it could only guess (and looked doubled).
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
/** Part heads are ASCII header lines. */
const LATIN1 = new TextDecoder('latin1');

/**
 * Splits the bytes of a multipart MJPEG body into parts. Feed it chunks as they arrive; each
 * complete part is returned once. A part without `Content-Length` cannot be delimited and throws.
 */
export class MjpegParser {
  private buf: Uint8Array = new Uint8Array(0);

  /**
   * Adds `chunk` and returns the parts it completed.
   * @throws Error when a part head has no `Content-Length` (not a tablecast stream)
   */
  push(chunk: Uint8Array): MjpegPart[] {
    this.buf = concat(this.buf, chunk);
    const parts: MjpegPart[] = [];
    for (;;) {
      const headEnd = indexOf(this.buf, HEAD_END);
      if (headEnd < 0) return parts;
      const head = LATIN1.decode(this.buf.subarray(0, headEnd));
      const length = headerOf(head, 'content-length');
      if (length === null || !/^\d+$/.test(length)) throw new Error('MJPEG part without Content-Length');
      const start = headEnd + 4;
      const end = start + Number(length);
      if (this.buf.length < end) return parts;
      const number = headerOf(head, 'x-frame-number');
      const ts = headerOf(head, 'x-timestamp');
      const micros = ts === null ? NaN : parseTimestamp(ts);
      parts.push({
        jpeg: new Uint8Array(this.buf.subarray(start, end)),
        frameNumber: number !== null && /^\d+$/.test(number) ? Number(number) : null,
        captureMs: Number.isFinite(micros) ? micros / 1000 : null,
      });
      // The part ends with CRLF before the next boundary; skip it when it is already here.
      const next = this.buf[end] === 13 && this.buf[end + 1] === 10 ? end + 2 : end;
      this.buf = this.buf.slice(next);
    }
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

function indexOf(buf: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= buf.length; i++) {
    for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Streams `url` and calls `onPart` for every part until `signal` aborts or the stream ends.
 * Resolves when the stream ends (the server closed it); rejects on a network error or a non-2xx
 * answer. An abort resolves.
 */
export async function readMjpeg(url: string, signal: AbortSignal, onPart: (part: MjpegPart) => void): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { signal, cache: 'no-store' });
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  }
  if (!res.ok || !res.body) throw new Error(`video stream answered ${res.status}`);
  const reader = res.body.getReader();
  const parser = new MjpegParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const part of parser.push(value)) onPart(part);
    }
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  } finally {
    reader.releaseLock();
  }
}
