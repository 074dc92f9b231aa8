// Shared helpers of the client tests: a real tablecast server on a port, and waiting utilities.
import { createServer, type TablecastServer } from '@tablecast/server';
import type { ConfigInput } from '@tablecast/server';
import type { StatePayload } from '@tablecast/protocol';

/** A started server with its URLs. */
export interface Started {
  server: TablecastServer;
  port: number;
  /** http://127.0.0.1:port */
  http: string;
  /** ws://127.0.0.1:port/api/v1/ws */
  ws: string;
}

/**
 * Starts a real server (no pipeline source unless asked) on `port` (0: any free port). Connection-rate
 * limits are raised: tests open many connections from 127.0.0.1.
 */
export async function startServer(port = 0, extra: ConfigInput = {}): Promise<Started> {
  const overrides = {
    ...extra,
    server: { port, host: '127.0.0.1', log_level: 'silent', http_requests_per_ip_per_min: 1_000_000, ...(extra.server ?? {}) },
    source: { spec: 'none', ...(extra.source ?? {}) },
    websocket: { connections_per_ip_per_min: 100_000, rate_limit_per_min: 100_000, ...(extra.websocket ?? {}) },
  } as ConfigInput;
  const server = await createServer({ overrides, env: {}, logger: false });
  const addr = await server.listen();
  return { server, port: addr.port, http: addr.url, ws: `ws://127.0.0.1:${addr.port}/api/v1/ws` };
}

/** Resolves when `predicate()` is true (polled every 10 ms); rejects after `timeoutMs` with `what`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A state payload with balls at the given positions (metres). */
export function stateWith(balls: { id: string | number; number: number; x: number; y: number; confidence?: number }[]): StatePayload {
  return {
    balls: balls.map((b) => ({
      id: b.id,
      number: b.number,
      type: b.number === 0 ? 'cue' : b.number === 8 ? 'eight' : b.number > 8 ? 'stripe' : 'solid',
      position: { x: b.x, y: b.y, scale: [1, 1] as [number, number] },
      velocity: { x: 0, y: 0, scale: [1, 1] as [number, number] },
      radius: 0.028575,
      is_moving: false,
      is_pocketed: false,
      confidence: b.confidence ?? 0.95,
      track_id: typeof b.id === 'number' ? b.id : b.number,
      last_update: 0,
    })),
    cue: null,
    table: null,
    ball_count: balls.length,
    frame_number: 0,
  };
}
