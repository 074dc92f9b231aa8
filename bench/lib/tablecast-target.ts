/**
 * tablecast under test: createServer() with no source, port 0, no logger, limits raised for
 * thousands of loopback connections; publishing goes through the in-process API (`server.publish`),
 * i.e. validation -> memory broker -> hub fan-out -> sessions.
 */
import type { Socket } from 'node:net';
import * as wsModule from 'ws';
import { formatTimestamp, nowMicros } from '@tablecast/protocol';
import { createServer, type TablecastServer } from '@tablecast/server';
import { HIGH_LIMITS, type BenchTarget } from './target.js';

type FrameFn = (data: Buffer, options: { fin: boolean; rsv1: boolean; mask: boolean; readOnly: boolean; opcode: number }) => Buffer[];
const frame = (wsModule as unknown as { Sender: { frame: FrameFn } }).Sender.frame;

/** Creates and starts the tablecast server of the benchmarks (127.0.0.1, ephemeral port). */
export async function startTablecastServer(): Promise<TablecastServer & { port: number }> {
  const server: TablecastServer = await createServer({
    env: {},
    logger: false,
    startPipeline: false,
    overrides: {
      server: { port: 0, host: '127.0.0.1', serve_web: false },
      source: { spec: 'none' },
      websocket: { ...HIGH_LIMITS },
    },
  });
  const { port } = await server.listen();
  return Object.assign(server, { port });
}

/** Starts a tablecast server on 127.0.0.1:0 as a {@link BenchTarget}. */
export async function startTablecast(): Promise<BenchTarget> {
  const server = await startTablecastServer();
  const port = server.port;
  let failures = 0;
  return {
    port,
    subscribers: () => server.hub.subscriberCount('state'),
    publish(data) {
      server.publish('state', data).catch(() => failures++);
    },
    info: () => ({
      publish_failures: failures,
      drops: Object.fromEntries(server.metrics.drops),
      closes: Object.fromEntries(server.metrics.closesByCode),
      sessions: server.hub.sessions.size,
    }),
    close: () => server.close(),
  };
}

/**
 * Diagnostic target `ws-in-tablecast`: a tablecast server (its process, its accepted and subscribed
 * connections) whose publish is the bare ws loop of bench/peers/bare-ws.ts over its sessions' raw
 * sockets. Against `tablecast` it isolates tablecast's code path; against `ws` it isolates the
 * process and its connections.
 */
export async function startTablecastBareLoop(): Promise<BenchTarget> {
  const server = await startTablecastServer();
  let sequence = 0;
  let sockets: Socket[] = [];
  return {
    port: server.port,
    subscribers: () => server.hub.subscriberCount('state'),
    publish(data) {
      const seq = ++sequence;
      const json = JSON.stringify({ type: 'state', timestamp: formatTimestamp(nowMicros()), sequence: seq, data: { sequence: seq, ...data } });
      const parts = frame(Buffer.from(json), { fin: true, rsv1: false, mask: false, readOnly: false, opcode: 1 });
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      if (sockets.length !== server.hub.sessions.size) {
        sockets = [...server.hub.sessions.values()].map((s) => (s.ws as unknown as { _socket: Socket })._socket);
      }
      for (const s of sockets) s.write(bytes);
    },
    info: () => ({ sessions: server.hub.sessions.size }),
    close: () => server.close(),
  };
}
