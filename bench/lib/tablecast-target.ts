/**
 * tablecast under test: createServer() with no source, port 0, no logger, limits raised for
 * thousands of loopback connections; publishing goes through the in-process API (`server.publish`),
 * i.e. validation -> memory broker -> hub fan-out -> sessions.
 */
import { createServer, type TablecastServer } from '@tablecast/server';
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
