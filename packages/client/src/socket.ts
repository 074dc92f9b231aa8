/**
 * The minimal WebSocket surface the SDK needs, satisfied by the browser's native `WebSocket`, Node 22's
 * global `WebSocket` and the `ws` package, plus URL building for the gateway's query parameters.
 */
import type { Encoding } from './codec.js';

/** Declares a handler with method-parameter bivariance so `ws` and DOM event types both fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket instance the client uses. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Set to `'arraybuffer'` by the client so binary frames arrive as ArrayBuffer. */
  binaryType: string;
  /** Bytes queued but not yet sent (browser and ws). */
  readonly bufferedAmount?: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string | { toString(): string } }> | null;
  onerror: Handler<unknown> | null;
}

/** A WebSocket class: `new WebSocket(url)`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN`. */
export const OPEN = 1;

/**
 * The WebSocket class to use: the one passed in options, else `globalThis.WebSocket`.
 * @throws Error when neither exists (Node 20 without the `ws` package passed in)
 */
export function resolveWebSocket(explicit?: WebSocketConstructor): WebSocketConstructor {
  if (explicit) return explicit;
  const g = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof g === 'function') return g as WebSocketConstructor;
  throw new Error(
    'no WebSocket implementation: pass { WebSocket } (e.g. `(await import("ws")).WebSocket`) in Node < 22',
  );
}

/** Query parameters the gateway reads on connect (PROTOCOL section 1). */
export interface ConnectParams {
  token?: string | undefined;
  clientId: string;
  encoding: Encoding;
  /** The `resume_token` of the server's last welcome: proves this is the client that held `clientId`. */
  resumeToken?: string | undefined;
}

/**
 * Appends `token`, `client_id`, `encoding` and `resume_token` (once the server gave one) to `url` (keeping any query it already has).
 * Relative URLs (`/api/v1/ws`) are resolved against `location` in browsers, with `http` mapped to `ws`.
 * @throws TypeError when `url` is relative and there is no `location`
 */
export function buildUrl(url: string, params: ConnectParams): string {
  const loc = (globalThis as { location?: { href: string } }).location;
  const u = new URL(url, loc?.href);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (params.token) u.searchParams.set('token', params.token);
  u.searchParams.set('client_id', params.clientId);
  u.searchParams.set('encoding', params.encoding);
  if (params.resumeToken) u.searchParams.set('resume_token', params.resumeToken);
  return u.toString();
}

/** A random client id (`crypto.randomUUID` when available). */
export function randomClientId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
