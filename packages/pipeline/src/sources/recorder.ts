/**
 * Records a running gateway's streams to an NDJSON file for later replay (`tablecast record FILE`):
 * connects over WebSocket, subscribes to `streams`, and writes every received message as one line
 * `{"t": <receive time, microseconds since the epoch>, "msg": <envelope>}`.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import WebSocket from 'ws';
import { nowMicros } from '@tablecast/protocol';

/** Recorder options. */
export interface RecordOptions {
  /** Auth token, sent as `Authorization: Bearer`. */
  token?: string;
  /** Filters of the subscription (PROTOCOL section 4). */
  filters?: Record<string, unknown>;
  /** Milliseconds to wait for the connection and the `subscribed` reply (default 10 000). */
  connectTimeoutMs?: number;
}

/** A running recording. */
export interface Recorder {
  /** The NDJSON file written. */
  readonly file: string;
  /** Lines written so far. */
  readonly count: number;
  /** Resolves when the connection closed (by either side) and the file is flushed. */
  readonly done: Promise<void>;
  /** Closes the connection (1000) and flushes the file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to the gateway at `url` (e.g. `ws://127.0.0.1:8000/api/v1/ws`) and records `streams`.
 * Resolves once the subscription is confirmed.
 * @throws Error when the connection or the subscription fails within `connectTimeoutMs`
 */
export async function recordToFile(url: string, file: string, streams: string[], opts: RecordOptions = {}): Promise<Recorder> {
  const out = createWriteStream(file, { flags: 'w' });
  await once(out, 'open');
  const ws = new WebSocket(url, opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {});
  let count = 0;
  let subscribedResolve: () => void = () => {};
  let subscribedReject: (e: Error) => void = () => {};
  const subscribed = new Promise<void>((res, rej) => {
    subscribedResolve = res;
    subscribedReject = rej;
  });
  ws.on('message', (raw, isBinary) => {
    const t = nowMicros();
    if (isBinary) return;
    let msg: { type?: unknown } & Record<string, unknown>;
    try {
      msg = JSON.parse(raw.toString()) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'subscribed') subscribedResolve();
    if (msg.type === 'error' && count === 0) subscribedReject(new Error(`record: subscribe failed: ${JSON.stringify(msg.data)}`));
    out.write(JSON.stringify({ t, msg }) + '\n');
    count++;
  });
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  ws.once('error', (err) => subscribedReject(err));
  ws.once('close', (code) => subscribedReject(new Error(`record: connection closed (${code}) before subscribing`)));
  ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', data: { streams, ...(opts.filters ? { filters: opts.filters } : {}) } })));
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`record: no subscription confirmed by ${url} within ${timeoutMs} ms`)), timeoutMs);
  });
  const finish = async (): Promise<void> => {
    await closed;
    if (!out.writableFinished) {
      out.end();
      await once(out, 'finish');
    }
  };
  try {
    await Promise.race([subscribed, timeout]);
  } catch (err) {
    ws.terminate();
    await finish();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const done = finish();
  return {
    file,
    get count() {
      return count;
    },
    done,
    async close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'recording finished');
      await done;
    },
  };
}
