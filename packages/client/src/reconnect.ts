/**
 * ReconnectingSocket: one logical connection over successive WebSockets. Opens a socket, detects dead
 * ones (connect timeout, unanswered pings), and after a close decides from the close code whether to
 * reconnect (PROTOCOL section 7: terminal 4000-4099 and normal 1000 do not; 1001, 1006, 1011 and
 * 4100-4199 do) after a full-jitter backoff delay. Every transition is emitted on the status stream.
 */
import { CloseCode, shouldReconnect } from '@tablecast/protocol/core';
import { Backoff } from './backoff.js';
import type { PingTracker } from './ping.js';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './socket.js';
import type { ConnectionState, StatusEmitter } from './status.js';
import type { ReconnectOptions } from './types.js';

/** Settings of a {@link ReconnectingSocket}. Durations in milliseconds. */
export interface ReconnectingSocketOptions {
  WebSocket: WebSocketConstructor;
  /** URL shown in status events (without credentials). */
  displayUrl: string;
  /** Builds the URL of each attempt (query parameters may change between attempts). */
  url: () => string;
  /**
   * Runs before each attempt (fetching a token); a rejection is a failed attempt, except
   * `{terminal: true}` errors, which close for good.
   */
  prepare?: () => Promise<void>;
  /** The client id reported in `connected` events. */
  clientId: () => string;
  /** null: never reconnect. */
  reconnect: ReconnectOptions | null;
  connectTimeoutMs: number;
  /** 0 disables periodic pings. */
  pingIntervalMs: number;
  pongTimeoutMs: number;
}

/** What the owner of the socket is told. */
export interface ReconnectingSocketHooks {
  /** A socket opened (`reconnected` from the second one on); the owner resubscribes here. */
  onOpen(reconnected: boolean): void;
  /** One inbound frame (string or ArrayBuffer). */
  onFrame(raw: unknown): void;
  /** The socket closed (before the `disconnected` status event); the owner fails pending requests. */
  onClose(code: number, reason: string): void;
  /** Sends a ping on the open socket (the owner encodes it). */
  sendPing(): void;
}

const noop = (): void => undefined;

/** A connection that reconnects by itself. */
export class ReconnectingSocket {
  private socket: WebSocketLike | null = null;
  private connState: ConnectionState = 'idle';
  private everConnected = false;
  /** Whether the current socket opened (a close of one that never did is a failed attempt, not a disconnect). */
  private socketOpened = false;
  private userClosed = false;
  private readonly backoff: Backoff;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  /** Successful reconnects. */
  reconnects = 0;
  /** Attempts made (the first included). */
  attempts = 0;
  /** Code and reason of the last close. */
  lastClose: { code: number; reason: string } = { code: 1000, reason: '' };

  /**
   * @param opts see {@link ReconnectingSocketOptions}
   * @param status where transitions are emitted
   * @param pings ping bookkeeping (its oldest unanswered ping decides dead sockets)
   * @param hooks the owner's callbacks
   */
  constructor(
    private readonly opts: ReconnectingSocketOptions,
    private readonly status: StatusEmitter,
    private readonly pings: PingTracker,
    private readonly hooks: ReconnectingSocketHooks,
  ) {
    this.backoff = new Backoff(opts.reconnect ?? {});
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.connState;
  }

  /** True when a socket is open and usable. */
  isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.connState === 'connected';
  }

  /** Starts connecting (no-op unless idle). */
  start(): void {
    if (this.connState === 'idle') this.open(0);
  }

  /** Sends one encoded frame; false when no socket is open. */
  send(frame: string | Uint8Array): boolean {
    const ws = this.socket;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(frame);
    return true;
  }

  /**
   * Closes for good: no reconnect. `beforeClose` runs while the socket can still send (flush acks).
   * Resolves after the `closed` status event.
   */
  close(code: number, reason: string, beforeClose?: () => void): Promise<void> {
    if (this.connState === 'closed') return Promise.resolve();
    this.userClosed = true;
    this.clearReconnect();
    const closed = new Promise<void>((resolve) => {
      const off = this.status.on((s) => {
        if (s.type === 'closed') {
          off();
          resolve();
        }
      });
    });
    const ws = this.socket;
    if (ws) {
      beforeClose?.();
      try {
        ws.close(code, reason);
      } catch {
        /* already closing */
      }
      // a peer that never answers the close handshake must not hang close()
      setTimeout(() => this.socket === ws && this.drop(ws, code, reason), 1000);
    } else {
      this.finish(code, reason);
    }
    return closed;
  }

  /**
   * The server accepted this client (its welcome arrived): only now is the backoff reset, so a
   * server that opens sockets and closes them at once (a rate limit) is retried with growing delays.
   */
  confirm(): void {
    this.backoff.reset();
  }

  private open(attempt: number): void {
    this.connState = attempt === 0 && !this.everConnected ? 'connecting' : 'reconnecting';
    this.attempts += 1;
    this.status.emit({ type: 'connecting', url: this.opts.displayUrl, attempt });
    if (!this.opts.prepare) {
      this.openSocket();
      return;
    }
    this.opts.prepare().then(
      () => {
        if (!this.userClosed && this.connState !== 'closed') this.openSocket();
      },
      (err: unknown) => {
        if (this.userClosed || this.connState === 'closed') return;
        const terminal = (err as { terminal?: unknown } | null)?.terminal === true;
        if (terminal) this.finish(4001, `getToken: ${String((err as Error).message ?? err)}`.slice(0, 120));
        else this.retryOrFinish(1006, `getToken failed: ${String((err as Error).message ?? err)}`.slice(0, 120));
      },
    );
  }

  private openSocket(): void {
    let ws: WebSocketLike;
    try {
      ws = new this.opts.WebSocket(this.opts.url());
    } catch (err) {
      this.finish(1006, `cannot create WebSocket: ${String(err)}`);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    this.connectTimer = setTimeout(() => this.drop(ws, 1006, 'connect timeout'), this.opts.connectTimeoutMs);
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (ev) => ws === this.socket && this.hooks.onFrame(ev.data);
    ws.onclose = (ev) => this.onClosed(ws, ev.code, String(ev.reason ?? ''));
    ws.onerror = noop; // a close event always follows
  }

  private onOpen(ws: WebSocketLike): void {
    if (ws !== this.socket) return;
    this.clearConnectTimer();
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.connState = 'connected';
    this.socketOpened = true;
    if (reconnected) this.reconnects += 1;
    this.startPing();
    this.status.emit({ type: 'connected', url: this.opts.displayUrl, clientId: this.opts.clientId(), reconnected });
    this.hooks.onOpen(reconnected);
  }

  private onClosed(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.socket) return;
    ws.onopen = ws.onmessage = ws.onclose = noop;
    this.socket = null;
    this.clearConnectTimer();
    this.stopPing();
    this.lastClose = { code, reason };
    const opened = this.socketOpened;
    this.socketOpened = false;
    if (!opened) {
      // An attempt that never connected: no `disconnected` event (nothing was connected).
      this.retryOrFinish(code, reason);
      return;
    }
    this.hooks.onClose(code, reason);
    const willReconnect = this.mayReconnect(code, reason);
    this.status.emit({ type: 'disconnected', code, reason, willReconnect });
    this.scheduleOrFinish(willReconnect, code, reason);
  }

  private mayReconnect(code: number, reason = ''): boolean {
    const max = this.opts.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY;
    // 4001 "token expired" is terminal for a fixed token; with a token source (getToken) the next
    // attempt fetches a fresh one.
    const refreshable = code === CloseCode.UNAUTHORIZED && this.opts.prepare !== undefined && /expired/i.test(reason);
    return !this.userClosed && this.opts.reconnect !== null && (shouldReconnect(code) || refreshable) && this.backoff.attempt < max;
  }

  /** After a failed attempt: reconnect with backoff when allowed, else close for good. */
  private retryOrFinish(code: number, reason: string): void {
    this.scheduleOrFinish(this.mayReconnect(code, reason), code, reason);
  }

  private scheduleOrFinish(willReconnect: boolean, code: number, reason: string): void {
    if (!willReconnect) {
      this.finish(code, reason);
      return;
    }
    const attempt = this.backoff.attempt + 1;
    const delayMs = this.backoff.next();
    this.connState = 'reconnecting';
    this.status.emit({ type: 'reconnecting', attempt, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.userClosed) this.open(attempt);
    }, delayMs);
  }

  /** Abandons `ws` without waiting for its close handshake and runs the close logic now. */
  private drop(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.socket) return;
    try {
      ws.close();
    } catch {
      /* ignore */
    }
    this.onClosed(ws, code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.connState === 'closed') return;
    this.connState = 'closed';
    this.clearReconnect();
    this.lastClose = { code, reason };
    this.status.emit(code === CloseCode.REPLACED ? { type: 'closed', code, reason, replaced: true } : { type: 'closed', code, reason });
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private startPing(): void {
    if (this.opts.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      const ws = this.socket;
      if (!ws || !this.isOpen()) return;
      if (this.pings.oldestOutstandingMs() > this.opts.pongTimeoutMs) {
        this.drop(ws, 4102, 'pong timeout');
        return;
      }
      this.hooks.sendPing();
    }, this.opts.pingIntervalMs);
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
