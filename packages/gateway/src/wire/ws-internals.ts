/**
 * Every use of `ws` internals, in one place, with the reason.
 *
 * Fan-out writes the same pre-framed bytes to thousands of sockets (docs/BENCHMARKS.md: the bare
 * `ws` loop is the yardstick). `ws.send()` would frame and copy each message once per socket, so:
 *
 * 1. `Sender.frame` (public at run time as `WebSocket.Sender`, absent from @types/ws) builds the
 *    frame header once per message and encoding ({@link frameBytes});
 * 2. `ws._socket`, the TCP socket under a connection, is written directly with that frame, which is
 *    what ws' own `Sender.sendFrame` does for one buffer when permessage-deflate is off
 *    ({@link rawSocketOf}); its `_writableState.length` is the socket's buffer level, which is all
 *    of `ws.bufferedAmount` when the Sender never queues (no compression).
 *
 * A connection with permessage-deflate never takes this path (ws must compress per socket). Pinned
 * by the `ws` version in package.json; tests/gateway-* exercise both paths.
 */
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/** The TCP socket under a ws connection: what pre-framed writes need (write + its buffer level). */
export type RawSocket = NodeJS.EventEmitter & { write(chunk: Buffer): boolean; _writableState?: { length: number } };

/** ws's frame builder. */
const Sender = (wsModule as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; rsv1: boolean; mask: boolean; readOnly: boolean; opcode: number }): Buffer[] };
}).Sender;

const FRAME_OPTS = { fin: true, rsv1: false, mask: false, readOnly: false } as const;

/** Frames `payload` as one unmasked, uncompressed WebSocket data frame (header + payload in one buffer). */
export function frameBytes(payload: Buffer, binary: boolean): Buffer {
  const parts = Sender.frame(payload, { ...FRAME_OPTS, opcode: binary ? 2 : 1 });
  return parts.length === 1 ? parts[0]! : Buffer.concat([parts[0]!, parts[1]!], parts[0]!.length + parts[1]!.length);
}

/** The raw TCP socket of a connection, or null when it has none a frame can be written to. */
export function rawSocketOf(ws: WebSocket): RawSocket | null {
  const raw = (ws as unknown as { _socket?: RawSocket })._socket;
  return raw && typeof raw.write === 'function' ? raw : null;
}
