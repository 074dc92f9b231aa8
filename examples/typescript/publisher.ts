/**
 * tablecast detection publisher in TypeScript, over the SDK (@tablecast/client).
 *
 * Connects with a publisher token (an API key from `auth.api_keys` / `publish.api_keys`, or a JWT with
 * role `publisher` or `admin`), publishes `detection` events with `client.publish()` (which resolves
 * with the `published` reply `{stream, sequence}` or rejects with a TablecastError carrying the
 * server's `error` code and details, e.g. INVALID_PAYLOAD with `details.path`), then closes.
 *
 * Run (Node 20; `ws` provides the WebSocket):
 *   node --import tsx examples/typescript/publisher.ts --url ws://127.0.0.1:8000/api/v1/ws --token KEY --count 5
 *
 * Prints one JSON line per reply. Exit status: 0 all published, 1 some refused, 2 connection refused.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { TablecastClient, TablecastError, type WebSocketConstructor } from '@tablecast/client';

/** One `detection` event (PROTOCOL section 5). */
export interface DetectionEvent {
  event_type: string;
  severity: 'info' | 'success' | 'warning' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

/**
 * Publishes `events` on `detection` through one connection, reporting each reply to `report`.
 * @returns counts of published and refused events
 * @throws TablecastError('CLOSED') when the connection is refused (e.g. 4001 bad token)
 */
export async function publishDetections(
  url: string,
  token: string,
  events: DetectionEvent[],
  report: (line: Record<string, unknown>) => void = (l) => console.log(JSON.stringify(l)),
  intervalMs = 0,
): Promise<{ published: number; refused: number }> {
  const client = new TablecastClient({ url, token, WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: false });
  await client.connect();
  await welcomed(client);
  report({ type: 'connected', role: (client.serverInfo as { role?: string } | null)?.role ?? null, client_id: client.clientId });
  let published = 0;
  let refused = 0;
  try {
    for (const [index, event] of events.entries()) {
      try {
        const r = await client.publish('detection', { ...event });
        published++;
        report({ type: 'published', stream: r.stream, sequence: r.sequence, index });
      } catch (err) {
        if (!(err instanceof TablecastError) || err.code === 'CLOSED' || err.code === 'NOT_CONNECTED') throw err;
        refused++;
        report({ type: 'error', code: err.code, message: err.message, details: err.details ?? null, index });
      }
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await client.close();
  }
  return { published, refused };
}

/**
 * Waits for the server's welcome (`connection`, whose data carries the role). The server accepts the
 * upgrade before it authenticates, so a refused token shows up as a close (4001/4003) right after
 * the socket opened.
 * @throws TablecastError('CLOSED') with the close code and reason
 */
async function welcomed(client: TablecastClient, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!client.serverInfo) {
    if (client.state === 'closed' || client.state === 'reconnecting' || Date.now() - start > timeoutMs) {
      const { code, reason } = client.lastDisconnect;
      await client.close();
      throw new TablecastError('CLOSED', `connection refused: ${code} ${reason}`, { code, reason });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'ws://127.0.0.1:8000/api/v1/ws' },
      token: { type: 'string' },
      count: { type: 'string', default: '3' },
      interval: { type: 'string', default: '0' },
      'event-type': { type: 'string', default: 'card_detected' },
      severity: { type: 'string', default: 'info' },
      message: { type: 'string', default: 'detection from typescript' },
    },
  });
  if (!values.token) {
    console.error('usage: publisher.ts --url ws://host:port/api/v1/ws --token KEY [--count N] [--interval S]');
    return 2;
  }
  const count = Number(values.count);
  const events: DetectionEvent[] = Array.from({ length: count }, (_, i) => ({
    event_type: values['event-type']!,
    severity: values.severity as DetectionEvent['severity'],
    message: `${values.message} #${i + 1}`,
    data: { index: i, source: 'typescript-example', emitted_at: Date.now() / 1000 },
  }));
  try {
    const r = await publishDetections(values.url!, values.token, events, undefined, Number(values.interval) * 1000);
    console.log(JSON.stringify({ type: 'done', ...r }));
    return r.refused === 0 ? 0 : 1;
  } catch (err) {
    const details = err instanceof TablecastError ? (err.details as { code?: number; reason?: string } | undefined) : undefined;
    console.log(JSON.stringify({ type: 'closed', code: details?.code ?? null, reason: details?.reason ?? (err as Error).message }));
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => process.exit(code), (err) => {
    console.error(err);
    process.exit(2);
  });
}
