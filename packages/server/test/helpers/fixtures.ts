/**
 * Servers and clients a test file starts, closed after the file's tests: call {@link tracked} once
 * at the top level of the file (it registers a node:test `after` hook).
 */
import { after } from 'node:test';
import { connect, type TestClient } from './ws-client.js';
import { startServer, type Started } from './server.js';

/** What {@link tracked} returns. */
export interface Tracked {
  /** Starts a server (config sections to override, as {@link startServer}). */
  server(overrides?: Parameters<typeof startServer>[0]): Promise<Started>;
  /** Connects a client to `s` (query parameters and options as {@link connect}). */
  client(s: Started, query?: Record<string, string>, options?: Parameters<typeof connect>[2]): Promise<TestClient>;
  /** Servers closed after the file's tests; push servers started another way. */
  servers: Started[];
  /** Clients closed after the file's tests; push clients connected another way. */
  clients: TestClient[];
}

/**
 * Tracks the servers and clients of a test file and closes them (clients first, paused ones
 * resumed so their close handshake completes) after the file's tests.
 */
export function tracked(): Tracked {
  const servers: Started[] = [];
  const clients: TestClient[] = [];
  after(async () => {
    for (const c of clients) c.resumeReading();
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });
  return {
    servers,
    clients,
    async server(overrides = {}) {
      const s = await startServer(overrides);
      servers.push(s);
      return s;
    },
    async client(s, query = {}, options = {}) {
      const c = await connect(s.ws, query, options);
      clients.push(c);
      return c;
    },
  };
}
