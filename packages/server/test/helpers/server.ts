/**
 * Test servers and payloads for the gateway / HTTP / config tests. Every test creates its own server
 * on port 0 (127.0.0.1, no pipeline source) and closes it in an `after` hook; nothing is shared
 * between files.
 */
import { createServer, type ConfigInput, type TablecastServer } from '../../src/index.js';
import type { ClientSession } from '@tablecast/gateway';

/** A listening test server. */
export interface Started {
  server: TablecastServer;
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** ws://127.0.0.1:port/api/v1/ws */
  ws: string;
  close(): Promise<void>;
}

type Section = Record<string, unknown>;

/**
 * Starts a server with `overrides` merged over test defaults: port 0 on 127.0.0.1, source `none`, and
 * connection/inbound rate limits raised (tests open many connections from one address) unless the
 * overrides set them. Logging is off unless `options.logStream` is given (then debug-level lines go there).
 */
export async function startServer(overrides: { [K in keyof ConfigInput]?: Section } = {}, options: { logStream?: NodeJS.WritableStream } = {}): Promise<Started> {
  const merged: Record<string, Section> = {};
  for (const [k, v] of Object.entries(overrides)) merged[k] = { ...(v ?? {}) };
  merged.server = { port: 0, host: '127.0.0.1', http_requests_per_ip_per_min: 1_000_000, ...(merged.server ?? {}) };
  merged.source = { spec: 'none', ...(merged.source ?? {}) };
  merged.websocket = { connections_per_ip_per_min: 1_000_000, rate_limit_per_min: 1_000_000, ...(merged.websocket ?? {}) };
  const logger = options.logStream ? { level: 'debug', stream: options.logStream } : false;
  const server = await createServer({ env: {}, logger, overrides: merged as ConfigInput });
  const { port, url } = await server.listen();
  return { server, port, url, ws: `ws://127.0.0.1:${port}/api/v1/ws`, close: () => server.close() };
}

/** Resolves when `predicate()` holds (polled every 5 ms); rejects after `timeoutMs` naming `what`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The server-side session of a client id (throws when absent). */
export function sessionOf(s: Started, clientId: string): ClientSession {
  const session = s.server.hub.sessions.get(clientId);
  if (!session) throw new Error(`no session ${clientId}`);
  return session;
}

/** A free TCP port on 127.0.0.1 (for child processes that need a fixed port). */
export { freeTcpPort as freePort } from '@tablecast/gateway/testing';

/** One ball for a state payload (metres, table frame). */
export interface BallSpec {
  id: string | number;
  number?: number;
  x: number;
  y: number;
  confidence?: number;
  vx?: number;
  vy?: number;
}

/** A valid `state` payload with the given balls. */
export function statePayload(balls: BallSpec[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    balls: balls.map((b) => {
      const n = b.number ?? (typeof b.id === 'number' ? b.id : 1);
      return {
        id: b.id,
        number: n,
        type: n === 0 ? 'cue' : n === 8 ? 'eight' : n > 8 ? 'stripe' : 'solid',
        position: { x: b.x, y: b.y, scale: [1, 1] },
        velocity: { x: b.vx ?? 0, y: b.vy ?? 0, scale: [1, 1] },
        radius: 0.028575,
        is_moving: false,
        is_pocketed: false,
        confidence: b.confidence ?? 0.95,
        track_id: n,
        last_update: 0,
      };
    }),
    cue: null,
    table: null,
    ball_count: balls.length,
    frame_number: 0,
    ...extra,
  };
}

/** A `state` payload of roughly `bytes` JSON bytes (padding in an extra field). */
export function bigState(bytes: number, frameNumber = 0): Record<string, unknown> {
  return statePayload([{ id: 1, x: 1, y: 0.5 }], { frame_number: frameNumber, padding: 'x'.repeat(Math.max(0, bytes - 400)) });
}

/** A valid `alert` payload. */
export function alertPayload(message: string, level: 'info' | 'warning' | 'error' | 'critical' = 'info', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { level, message, code: 'TEST', details: {}, ...extra };
}

/** A valid `event` payload. */
export function eventPayload(event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { event, ...extra };
}

/** A valid `performance` payload. */
export function performancePayload(fps: number): Record<string, unknown> {
  return { fps, target_fps: 30, frame_time_ms: 1000 / Math.max(1, fps), cpu_percent: 10, memory_mb: 100, status: 'ok', bottlenecks: [] };
}

/**
 * Publishes `payloads` on `stream` in one synchronous burst (no await in between, so no timer can fire
 * between them, however loaded the machine) and returns their sequences in order.
 */
export async function burst(s: Started, stream: Parameters<Started['server']['publish']>[0], payloads: Record<string, unknown>[]): Promise<number[]> {
  const results = await Promise.all(payloads.map((p) => s.server.publish(stream, p)));
  return results.map((r) => r.sequence);
}

/** The wire timestamp format of PROTOCOL section 2: microseconds and +00:00. */
export const TIMESTAMP_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;
