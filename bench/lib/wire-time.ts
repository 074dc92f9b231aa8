/**
 * Cheap extraction of `timestamp` (microseconds) and `sequence` from a received envelope, without
 * parsing the whole JSON: the load generator receives up to ~100k messages per second on a core it
 * shares with the server, and every implementation is measured with the same parser.
 */

const TS_KEY = Buffer.from('"timestamp":"');
const SEQ_KEY = Buffer.from('"sequence":');
const TYPE_STATE = Buffer.from('"type":"state"');
/** Envelope heads as tablecast / the bare ws peer / Socket.IO (`42["state",{...}]`) write them. */
const HEADS = [Buffer.from('{"type":"state","timestamp":"'), Buffer.from('42["state",{"type":"state","timestamp":"')];
const AFTER_TS = Buffer.from('","sequence":');

/** Receive clock: the same formula as the server's `nowMicros()` (wall clock at start + monotonic). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

function startsWithAt(buf: Buffer, at: number, s: Buffer): boolean {
  if (buf.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[at + i] !== s[i]) return false;
  return true;
}

/** Parses wire timestamps; caches the epoch of the last whole second it saw. */
export class TimestampParser {
  private prefix = '';
  private secMicros = 0;
  private readonly prefixBytes = Buffer.alloc(19);

  /**
   * Microseconds since the Unix epoch of `2026-11-21T12:00:00.123456+00:00` (UTC, 6 digits).
   * @returns NaN when malformed
   */
  parse(ts: string): number {
    const head = ts.slice(0, 19);
    if (head !== this.prefix) {
      this.prefix = head;
      this.secMicros = Date.parse(`${head}Z`) * 1000;
      this.prefixBytes.write(head, 'latin1');
    }
    let frac = 0;
    for (let i = 20; i < 26; i++) frac = frac * 10 + (ts.charCodeAt(i) - 48);
    return this.secMicros + frac;
  }

  /** {@link parse} of the 26 bytes at `p` without creating a string (unless the second changed). */
  private parseBytes(buf: Buffer, p: number): number {
    const pb = this.prefixBytes;
    for (let i = 0; i < 19; i++) {
      if (buf[p + i] !== pb[i]) return this.parse(buf.toString('latin1', p, p + 26));
    }
    let frac = 0;
    for (let i = 20; i < 26; i++) frac = frac * 10 + (buf[p + i]! - 48);
    return this.secMicros + frac;
  }

  /**
   * Reads the timestamp string value of `key` (bytes of `"name":"`) searching backwards from the
   * end of `buf` (for fields near the end of a payload, such as `capture_timestamp`).
   * @returns microseconds since the Unix epoch, or NaN when absent
   */
  lastFieldFromBytes(buf: Buffer, key: Buffer): number {
    const k = buf.lastIndexOf(key);
    if (k < 0 || k + key.length + 26 > buf.length) return NaN;
    return this.parseBytes(buf, k + key.length);
  }

  /**
   * Reads `sequence` and `timestamp` of a `state` envelope from raw frame bytes (JSON envelope, or a
   * Socket.IO `42["state",{...}]` packet).
   * @returns false when the bytes are not a state message
   */
  fromBytes(buf: Buffer, out: { seq: number; ts: number }): boolean {
    let p = -1;
    let s = -1;
    for (const head of HEADS) {
      if (startsWithAt(buf, 0, head)) {
        p = head.length;
        if (startsWithAt(buf, p + 32, AFTER_TS)) s = p + 32 + AFTER_TS.length;
        break;
      }
    }
    if (p < 0) {
      // generic path: any key order
      const ty = buf.indexOf(TYPE_STATE);
      if (ty < 0 || ty > 48) return false;
      const t = buf.indexOf(TS_KEY, ty);
      if (t < 0) return false;
      p = t + TS_KEY.length;
    }
    if (s < 0) {
      s = buf.indexOf(SEQ_KEY, p + 26);
      if (s < 0) return false;
      s += SEQ_KEY.length;
    }
    const ts = this.parseBytes(buf, p);
    let seq = 0;
    for (let c = buf[s]!; c >= 48 && c <= 57; c = buf[++s]!) seq = seq * 10 + (c - 48);
    out.seq = seq;
    out.ts = ts;
    return true;
  }
}
