/**
 * Test WebSocket client over the `ws` package: records every frame the server sends, lets a test wait
 * for a message matching a predicate (with a timeout, never a fixed sleep) and exposes the close.
 *
 *   const c = await connect(wsUrl, { client_id: 'a' });
 *   c.send({ type: 'ping', data: {} });
 *   const pong = await c.next((m) => m.type === 'pong');
 *   const { code } = await c.closed;
 */
import WebSocket, { type ClientOptions } from 'ws';
import { unpack } from 'msgpackr';
import type { Socket as NetSocket } from 'node:net';

/**
 * Decoded server JSON. Tests read arbitrary nested fields of it, so it is deliberately loose.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only view of decoded JSON
export type Loose = any;

/** One decoded server message (PROTOCOL section 2 envelope). */
export interface Msg {
  type: string;
  timestamp: string;
  sequence: number;
  data: Loose;
  /** Index in the order of arrival (0 = the welcome `connection`). */
  index: number;
  /** Raw frame bytes (text frames as UTF-8). */
  raw: Buffer;
  /** Whether the frame was binary. */
  binary: boolean;
  /** performance.now() when the frame arrived, ms. */
  at: number;
}

/** What `closed` resolves with. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** Options of {@link connect}. */
export interface ConnectOptions extends ClientOptions {
  /** WebSocket path (default `/api/v1/ws`). */
  path?: string;
  /** Wait for the welcome `connection` message (default true). */
  waitWelcome?: boolean;
  /** Resolve even when the server closes right after the upgrade (limit tests); default false. */
  allowClose?: boolean;
}

/** Reply types the server sends with sequence 0 in answer to one client message. */
export const REPLY_TYPES = new Set(['pong', 'heartbeat_response', 'subscribed', 'unsubscribed', 'status', 'error', 'published']);

/** A connected test client. */
export class TestClient {
  /** Every decoded message, in arrival order. */
  readonly messages: Msg[] = [];
  /** Frames that could not be decoded (should stay empty). */
  readonly undecodable: Buffer[] = [];
  /** Resolves when the socket closed. */
  readonly closed: Promise<CloseInfo>;
  /** Close info once closed. */
  closeInfo: CloseInfo | null = null;
  private cursor = 0;
  private readonly waiters = new Set<() => void>();
  private pingCounter = 0;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
        this.wake();
      });
    });
    ws.on('error', () => {
      /* surfaced through `closed` */
    });
    ws.on('message', (data, isBinary) => {
      const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      let decoded: Loose;
      try {
        decoded = isBinary ? unpack(raw) : JSON.parse(raw.toString('utf8'));
      } catch {
        this.undecodable.push(raw);
        return;
      }
      this.messages.push({ ...decoded, index: this.messages.length, raw, binary: isBinary, at: performance.now() });
      this.wake();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** The welcome `connection` message. */
  get welcome(): Msg | undefined {
    return this.messages.find((m) => m.type === 'connection');
  }

  /** Sends an object as JSON text (strings and Buffers are sent as they are; Buffers as binary). */
  send(obj: unknown, options: { binary?: boolean } = {}): void {
    if (typeof obj === 'string') this.ws.send(obj, { binary: options.binary ?? false });
    else if (Buffer.isBuffer(obj)) this.ws.send(obj, { binary: options.binary ?? true });
    else this.ws.send(JSON.stringify(obj));
  }

  /**
   * Resolves with the first message after the cursor that matches `predicate` and moves the cursor
   * past it. Rejects after `timeoutMs` or when the socket closes first.
   */
  next(predicate: (m: Msg) => boolean = () => true, timeoutMs = 3000, what = 'a matching message'): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = this.cursor; i < this.messages.length; i++) {
          const m = this.messages[i]!;
          if (predicate(m)) {
            this.cursor = i + 1;
            done();
            resolve(m);
            return true;
          }
        }
        if (this.closeInfo) {
          done();
          reject(new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) before ${what}; got ${this.summary()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.summary()}`));
      }, timeoutMs);
      const waiter = () => void check();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Waits for the next message of `type`. */
  nextOf(type: string, timeoutMs = 3000): Promise<Msg> {
    return this.next((m) => m.type === type, timeoutMs, `a "${type}" message`);
  }

  /** Sends `obj` and waits for the next reply of `replyType` (or an `error`). */
  async request(obj: unknown, replyType: string, timeoutMs = 3000): Promise<Msg> {
    this.send(obj);
    return this.next((m) => m.type === replyType || m.type === 'error', timeoutMs, `"${replyType}" or "error"`);
  }

  /** Subscribes and waits for `subscribed`; throws on an `error` reply. */
  async subscribe(streams: string[], filters?: unknown, extra: Record<string, unknown> = {}): Promise<Msg> {
    const r = await this.request({ type: 'subscribe', data: { streams, ...(filters ? { filters } : {}), ...extra } }, 'subscribed');
    if (r.type === 'error') throw new Error(`subscribe failed: ${JSON.stringify(r.data)}`);
    return r;
  }

  /**
   * Ordering barrier: sends a `ping` with a unique timestamp and waits for its `pong`. Every message
   * the server queued for this client before it handled the ping has arrived when this resolves.
   * @returns the index of the pong in `messages`
   */
  async barrier(timeoutMs = 5000): Promise<number> {
    const token = `barrier-${++this.pingCounter}-${Math.random()}`;
    this.send({ type: 'ping', data: { timestamp: token } });
    const pong = await this.next((m) => m.type === 'pong' && m.data?.client_timestamp === token, timeoutMs, `pong ${token}`);
    return pong.index;
  }

  /** Messages received so far that match `predicate` (all by default); does not move the cursor. */
  collect(predicate: (m: Msg) => boolean = () => true): Msg[] {
    return this.messages.filter(predicate);
  }

  /** Messages of `type` received so far. */
  of(type: string): Msg[] {
    return this.collect((m) => m.type === type);
  }

  /** Resolves when `condition()` holds (re-checked on every message and every 10 ms). */
  async until(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const start = Date.now();
    while (!condition()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.summary()}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 10);
        this.waiters.add(wake);
      });
    }
  }

  /** Short description of what arrived (for failure messages). */
  summary(): string {
    const tail = this.messages.slice(-8).map((m) => `${m.type}#${m.sequence}`);
    return `${this.messages.length} messages [... ${tail.join(', ')}]${this.closeInfo ? ` closed ${this.closeInfo.code}` : ''}`;
  }

  /** Pauses reading from the TCP socket (the server sees a slow consumer). */
  pauseReading(): void {
    (this.ws as unknown as { _socket: NetSocket })._socket.pause();
  }

  /** Resumes reading from the TCP socket. */
  resumeReading(): void {
    (this.ws as unknown as { _socket: NetSocket })._socket.resume();
  }

  /** Closes (1000) and waits for the close to complete. */
  async close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    const t = setTimeout(() => this.ws.terminate(), 2000);
    const info = await this.closed;
    clearTimeout(t);
    return info;
  }
}

/**
 * Opens a WebSocket to `url` (http:// or ws://, with or without a path) and waits for the welcome.
 * @param query query parameters (`client_id`, `encoding`, `token`, ...)
 * @throws Error when the upgrade fails or (unless `allowClose`) the server closes before the welcome
 */
export async function connect(url: string, query: Record<string, string> = {}, options: ConnectOptions = {}): Promise<TestClient> {
  const { path, waitWelcome = true, allowClose = false, ...wsOptions } = options;
  const u = new URL(url.replace(/^http/, 'ws'));
  if (path !== undefined || u.pathname === '/' || u.pathname === '') u.pathname = path ?? '/api/v1/ws';
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const ws = new WebSocket(u.toString(), { perMessageDeflate: false, ...wsOptions });
  const client = new TestClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once('error', (err) => reject(err));
  });
  if (waitWelcome) {
    if (allowClose) {
      await Promise.race([client.next((m) => m.type === 'connection', 3000, 'welcome').catch(() => undefined), client.closed]);
    } else {
      await client.next((m) => m.type === 'connection', 3000, 'the welcome "connection" message');
    }
  }
  return client;
}
