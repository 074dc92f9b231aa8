/**
 * Seeded HTTP and WebSocket-upgrade fuzzing of a running server (the suite's fuzz test runs a few
 * thousand inputs, `bench/fuzz.ts` 10^5 and more). Every input is one raw HTTP/1.1 request written
 * to its own TCP connection, so nothing a client library would refuse to send is filtered out:
 * malformed percent-encodings and control characters in paths and query strings, duplicate and
 * oversized query parameters, odd and oversized headers (Authorization, X-API-Key, Origin,
 * X-Forwarded-For, Content-Type, Content-Length), bodies that do not match their content type, and
 * upgrades to every WebSocket path with the same mutations.
 *
 * The checks: every request is answered with a status below 500 (503 UNAVAILABLE is a documented
 * answer) and the server keeps serving. A request the server drops without an answer counts as
 * `noAnswer`.
 */
import { connect } from 'node:net';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Path and query fragments that have broken servers: bad escapes, truncated UTF-8, traversal, NUL. */
const BAD_SEGMENTS = [
  '%ZZ', '%', '%E0%A4%A', 'abc%C0', '%C0%AF', '%00', '%2F', '..', '%2e%2e', '....//', '%u0041', '%%', '%25',
  '\u00e9', '💥', 'x'.repeat(2048), '%F0%9F%92', ';', '%3B', '{user_id}', '*', '%0d%0aX-Injected:%201',
];
const QUERY_KEYS = ['token', 'client_id', 'encoding', 'resume_token', 'quality', 'fps', 'level', 'message', 'code', 'include_metadata', 'reason', 'since', '__proto__', 'constructor'];
const QUERY_VALUES = [
  '', '%ZZ', '%', '-1', '0', '1e309', 'NaN', 'true', 'msgpack', 'json', 'x'.repeat(4096), '%00', 'low', 'ultra', '9007199254740993',
  '[]', '{}', '%E0%A4%A', 'eyJhbGciOiJub25lIn0.e30.', '..%2F..%2Fetc%2Fpasswd',
];
const HEADER_VALUES = [
  '', ' ', 'Bearer', 'Bearer ', 'Bearer %ZZ', 'Basic Og==', 'bearer eyJhbGciOiJub25lIn0.e30.', 'x'.repeat(8000), '\u00ff\u00fe',
  'null', 'http://evil.example', '*', '1.2.3.4, 5.6.7.8', 'for="[::1]";proto=https', 'application/json; charset=utf-16',
  'text/plain', 'multipart/form-data; boundary=', '-1', '99999999999',
];
const BODIES = ['', '{', '[]', '{}', 'null', '"x"', '{"stream":"alert","data":{"level":"info","message":"m"}}', '{"streams":["state"]}', '{"__proto__":{"x":1}}', '\u0000\u0001', '[' .repeat(5000), 'x'.repeat(70_000)];

/** One fuzz request: the raw bytes and what it is, for reports. */
export interface FuzzRequest {
  raw: Buffer;
  kind: string;
  line: string;
}

function mutateSegment(r: Rand, segment: string): string {
  switch (int(r, 0, 3)) {
    case 0: return pick(r, BAD_SEGMENTS);
    case 1: return segment + pick(r, BAD_SEGMENTS);
    case 2: return segment.replace(/./, pick(r, BAD_SEGMENTS));
    default: return segment;
  }
}

function fuzzPath(r: Rand, routes: readonly string[], wsPaths: readonly string[], upgrade: boolean): string {
  const base = upgrade ? pick(r, wsPaths) : pick(r, routes);
  const parts = base.split('/').map((p) => (p.startsWith(':') || p.startsWith('{') ? pick(r, ['x1', ...BAD_SEGMENTS]) : r() < 0.15 ? mutateSegment(r, p) : p));
  let path = parts.join('/') || '/';
  if (r() < 0.2) path += '/';
  if (r() < 0.05) path = pick(r, ['*', '//', '/%', 'http://x/api/v1/health', '/api/v1/../../etc/passwd']);
  return path;
}

function fuzzQuery(r: Rand): string {
  const n = int(r, 0, 5);
  if (n === 0) return r() < 0.1 ? '?' : '';
  const pairs: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = r() < 0.85 ? pick(r, QUERY_KEYS) : pick(r, BAD_SEGMENTS);
    pairs.push(r() < 0.1 ? k : `${k}=${pick(r, QUERY_VALUES)}`);
  }
  return '?' + pairs.join(pick(r, ['&', '&', '&', ';', '&&']));
}

/**
 * One seeded request against `routes` (HTTP paths, `:param` segments allowed) or `wsPaths`
 * (upgrade paths, `{param}` allowed).
 */
export function fuzzRequest(r: Rand, routes: readonly string[], wsPaths: readonly string[]): FuzzRequest {
  const upgrade = r() < 0.35;
  const method = upgrade ? 'GET' : pick(r, ['GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']);
  const path = fuzzPath(r, routes, wsPaths, upgrade) + fuzzQuery(r);
  const headers: string[] = ['Host: 127.0.0.1'];
  if (upgrade) {
    headers.push('Connection: Upgrade', 'Upgrade: websocket', `Sec-WebSocket-Version: ${r() < 0.9 ? '13' : pick(r, ['8', '', 'x'])}`);
    headers.push(`Sec-WebSocket-Key: ${r() < 0.9 ? 'dGhlIHNhbXBsZSBub25jZQ==' : pick(r, ['', 'short', 'x'.repeat(100)])}`);
    if (r() < 0.2) headers.push(`Sec-WebSocket-Extensions: ${pick(r, ['permessage-deflate', 'permessage-deflate; client_max_window_bits=0', 'x; y=', 'permessage-deflate; server_max_window_bits=99'])}`);
  } else {
    headers.push('Connection: close');
  }
  for (const h of ['Authorization', 'X-API-Key', 'Origin', 'X-Forwarded-For', 'Forwarded', 'Cookie', 'Accept-Encoding']) {
    if (r() < 0.15) headers.push(`${h}: ${pick(r, HEADER_VALUES)}`);
  }
  let body = '';
  if (!upgrade && method !== 'GET' && method !== 'HEAD' && r() < 0.8) {
    body = pick(r, BODIES);
    headers.push(`Content-Type: ${r() < 0.7 ? 'application/json' : pick(r, HEADER_VALUES)}`);
  }
  const bodyBytes = Buffer.from(body, 'utf8');
  // A Content-Length larger than the body would only make the server wait for the rest (until its
  // request timeout), so lengths are right or unparseable.
  if (body || method === 'POST') headers.push(`Content-Length: ${r() < 0.95 ? bodyBytes.length : pick(r, ['-1', 'x', '1 1', ''])}`);
  const line = `${method} ${path} HTTP/1.1`;
  // latin1: path characters above 0x7f go out as single raw bytes, as a hand-written client would send them.
  const raw = Buffer.concat([Buffer.from(`${line}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]);
  return { raw, kind: upgrade ? 'upgrade' : method, line: line.slice(0, 200) };
}

/** The answer to one raw request. */
export interface FuzzAnswer {
  /** HTTP status, or null when the server closed the connection without a status line. */
  status: number | null;
}

/**
 * Writes `req.raw` to a new connection to `port` and resolves with the status of the answer (an
 * upgrade's `101` counts: the socket is closed right after it).
 * @param timeoutMs no status after this long: resolves `{status: null}`
 */
export function sendRaw(port: number, req: FuzzRequest, timeoutMs = 3000): Promise<FuzzAnswer> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    let done = false;
    const finish = (status: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status });
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('connect', () => sock.write(req.raw));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (m) finish(Number(m[1]));
      else if (buf.length > 64) finish(null);
    });
    sock.on('error', () => finish(null));
    sock.on('close', () => finish(null));
  });
}

/** Outcome of a fuzz run. */
export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  /** Requests answered 5xx (each a defect), first 20. */
  serverErrors: string[];
  /** Requests answered by nothing (connection closed without a status line). */
  noAnswer: number;
}

/**
 * Runs `count` seeded requests against a server on `port`, `concurrency` at a time.
 * @param routes HTTP route paths (`:param` segments are filled with fuzz values)
 * @param wsPaths upgrade paths
 */
export async function fuzzHttp(port: number, routes: readonly string[], wsPaths: readonly string[], count: number, seed: number, concurrency = 8): Promise<FuzzReport> {
  const report: FuzzReport = { sent: 0, byStatus: {}, serverErrors: [], noAnswer: 0 };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      // Input i depends only on (seed, i): the same inputs whatever the timing or concurrency.
      const req = fuzzRequest(prng(seed ^ Math.imul(next++ + 1, 0x9e3779b1)), routes, wsPaths);
      const { status } = await sendRaw(port, req);
      report.sent++;
      const key = status === null ? 'none' : String(status);
      report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
      if (status === null) report.noAnswer++;
      // 503 is a documented answer (UNAVAILABLE: no pipeline, no frame yet), not a defect.
      else if (status >= 500 && status !== 503 && report.serverErrors.length < 20) report.serverErrors.push(`${status} ${req.kind}: ${req.line}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}
