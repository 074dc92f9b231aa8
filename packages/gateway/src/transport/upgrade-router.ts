/**
 * Routes HTTP upgrade requests to WebSocket endpoints by path. Static paths are matched before
 * dynamic (`/ws/{user_id}`) patterns, whatever the registration order.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Handles one upgrade; `params` holds the dynamic segments. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, params: Record<string, string>) => void;

interface DynamicRoute {
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: UpgradeHandler;
}

/** Path -> handler table for upgrades. */
export class UpgradeRouter {
  private readonly statics = new Map<string, UpgradeHandler>();
  private readonly dynamics: DynamicRoute[] = [];

  /**
   * Registers `path`; `{name}` segments make it dynamic (matching one path segment).
   * @throws Error when the path is already registered
   */
  register(path: string, handler: UpgradeHandler): void {
    if (!path.includes('{')) {
      if (this.statics.has(path)) throw new Error(`upgrade path ${path} registered twice`);
      this.statics.set(path, handler);
      return;
    }
    const names: string[] = [];
    const regex = new RegExp(
      '^' + path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, n: string) => {
        names.push(n);
        return '([^/]+)';
      }) + '$',
    );
    this.dynamics.push({ pattern: path, regex, names, handler });
  }

  /** Static paths registered. */
  paths(): string[] {
    return [...this.statics.keys(), ...this.dynamics.map((d) => d.pattern)];
  }

  /** Dispatches an upgrade; answers 404 when no route matches. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      reject(socket, 400, 'Bad Request');
      return;
    }
    const path = routePath(url);
    const exact = this.statics.get(path);
    if (exact) {
      exact(req, socket, head, url, {});
      return;
    }
    for (const d of this.dynamics) {
      const m = d.regex.exec(path);
      if (m) {
        const params: Record<string, string> = {};
        for (let i = 0; i < d.names.length; i++) {
          const value = safeDecode(m[i + 1]!);
          // A malformed percent-encoding (`%ZZ`, a truncated UTF-8 sequence) is the client's error.
          if (value === null) return reject(socket, 400, 'Bad Request');
          params[d.names[i]!] = value;
        }
        d.handler(req, socket, head, url, params);
        return;
      }
    }
    reject(socket, 404, 'Not Found');
  }
}

/** The path of `url` as routes are matched: without trailing slashes (`/` stays `/`). */
export function routePath(url: URL): string {
  return url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
}

/** `decodeURIComponent`, or null when `s` is not a valid percent-encoding of UTF-8. */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Answers an upgrade with a plain HTTP error and closes the socket.
 * @param headers extra response headers (e.g. `Retry-After`)
 */
export function reject(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`);
  else socket.destroy();
}
