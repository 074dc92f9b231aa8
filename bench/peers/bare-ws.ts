/**
 * Peer: the bare `ws` loop, the floor for CPU per delivered message. A client sends
 * `{"type":"subscribe"}` and is added to a Set. A publish serializes the envelope once, frames it
 * once (`WebSocket.Sender.frame`, unmasked text frame) and writes the same Buffer to every socket.
 * No queue, no backpressure, no filters, no metrics.
 */
import { createServer as createHttpServer } from 'node:http';
import type { Socket } from 'node:net';
import * as wsModule from 'ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatTimestamp, nowMicros } from '@tablecast/protocol';
import type { BenchTarget } from '../lib/target.js';

type FrameFn = (data: Buffer, options: { fin: boolean; rsv1: boolean; mask: boolean; readOnly: boolean; opcode: number }) => Buffer[];
const frame = (wsModule as unknown as { Sender: { frame: FrameFn } }).Sender.frame;

/**
 * The bare loop's message: the `state` envelope (publish timestamp now, `sequence`) serialized once
 * and framed once as an unmasked text frame, ready to write to every socket.
 */
export function stateFrame(sequence: number, data: Record<string, unknown>): Buffer {
  const json = JSON.stringify({ type: 'state', timestamp: formatTimestamp(nowMicros()), sequence, data: { sequence, ...data } });
  const parts = frame(Buffer.from(json), { fin: true, rsv1: false, mask: false, readOnly: false, opcode: 1 });
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Starts the bare ws peer on 127.0.0.1:0. */
export async function startBareWs(): Promise<BenchTarget> {
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: false });
  const subscribers = new Set<Socket>();
  wss.on('connection', (ws: WebSocket) => {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    ws.on('message', (raw) => {
      if (String(raw).includes('"subscribe"')) {
        subscribers.add(socket);
        ws.send('{"type":"subscribed","timestamp":"","sequence":0,"data":{"streams":["state"]}}');
      }
    });
    ws.on('close', () => subscribers.delete(socket));
    ws.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let sequence = 0;
  return {
    port,
    subscribers: () => subscribers.size,
    publish(data) {
      const bytes = stateFrame(++sequence, data);
      for (const s of subscribers) s.write(bytes);
    },
    info: () => ({}),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of subscribers) s.destroy();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
