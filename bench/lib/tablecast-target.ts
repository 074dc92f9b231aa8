/**
 * tablecast under test: createServer() with no source, port 0, no logger, limits raised for
 * thousands of loopback connections; publishing goes through the in-process API (`server.publish`),
 * i.e. validation -> memory broker -> hub fan-out -> sessions.
 */
import type { Socket } from 'node:net';
import { createServer, type TablecastServer } from '@tablecast/server';
import { stateFrame } from '../peers/bare-ws.js';
import { HIGH_LIMITS, type BenchTarget } from './target.js';

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
 * The bare ws loop over a tablecast server's sessions: each call frames one `state` envelope once
 * ({@link stateFrame}, own sequence counter starting after `firstSequence`) and writes it to every
 * session's raw TCP socket, bypassing tablecast's fan-out.
 * @returns the function; it returns the number of sockets written
 */
export function bareFanOut(server: TablecastServer, firstSequence = 0): (data: Record<string, unknown>) => number {
  let sequence = firstSequence;
  let sockets: Socket[] = [];
  return (data) => {
    const bytes = stateFrame(++sequence, data);
    if (sockets.length !== server.hub.sessions.size) {
      sockets = [...server.hub.sessions.values()].map((s) => (s.ws as unknown as { _socket: Socket })._socket);
    }
    for (const s of sockets) s.write(bytes);
    return sockets.length;
  };
}

/**
 * Diagnostic target `ws-in-tablecast`: a tablecast server (its process, its accepted and subscribed
 * connections) whose publish is the bare ws loop of bench/peers/bare-ws.ts over its sessions' raw
 * sockets ({@link bareFanOut}). Against `tablecast` it isolates tablecast's code path; against `ws`
 * it isolates the process and its connections.
 */
export async function startTablecastBareLoop(): Promise<BenchTarget> {
  const server = await startTablecastServer();
  const publish = bareFanOut(server);
  return {
    port: server.port,
    subscribers: () => server.hub.subscriberCount('state'),
    publish(data) {
      publish(data);
    },
    info: () => ({ sessions: server.hub.sessions.size }),
    close: () => server.close(),
  };
}
