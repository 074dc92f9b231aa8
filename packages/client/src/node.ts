/**
 * The Node.js entry of the packed SDK (the `node` export condition of `@tablecast/client`): the same
 * API as the browser entry, and a {@link TablecastClient} that uses the `ws` package (an optional
 * peer dependency) when the runtime has no global `WebSocket` (Node 20) and the options pass none.
 * Node 22+ uses its own global `WebSocket`; browsers and bundlers never see this file.
 */
import { TablecastClient as BrowserClient } from './client.js';
import type { WebSocketConstructor } from './socket.js';
import type { ClientOptions } from './types.js';

export * from './index.js';

/** `ws`'s WebSocket when there is no global one and `ws` is installed, else undefined. */
const wsFallback: WebSocketConstructor | undefined =
  typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? undefined : await loadWs();

async function loadWs(): Promise<WebSocketConstructor | undefined> {
  try {
    return (await import('ws')).WebSocket as unknown as WebSocketConstructor;
  } catch {
    return undefined; // not installed: the constructor's error says what to do
  }
}

/**
 * The gateway client (see the browser entry's TablecastClient); on Node 20 it needs no `WebSocket`
 * option when `ws` is installed.
 * @throws Error from the constructor when neither a global WebSocket, `options.WebSocket` nor `ws` exists
 */
export class TablecastClient extends BrowserClient {
  constructor(options: ClientOptions) {
    super(options.WebSocket || !wsFallback ? options : { ...options, WebSocket: wsFallback });
  }
}
