/**
 * Peer: Socket.IO 4 room broadcast. Clients emit `subscribe` ('state') and join the room; a publish
 * is `io.to('state').emit('state', envelope)` with the same envelope as tablecast (type, timestamp
 * with microseconds, sequence, data), so Socket.IO encodes it once per broadcast and engine.io writes
 * it to every socket of the room. WebSocket transport only, no compression.
 */
import { createServer as createHttpServer } from 'node:http';
import { Server } from 'socket.io';
import { formatTimestamp, nowMicros } from '@tablecast/protocol';
import type { BenchTarget } from '../lib/target.js';

/** Starts the Socket.IO peer on 127.0.0.1:0. */
export async function startSocketIo(): Promise<BenchTarget> {
  const http = createHttpServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, cors: { origin: '*' } });
  io.on('connection', (socket) => {
    socket.on('subscribe', (stream: unknown, ack?: (r: unknown) => void) => {
      if (stream === 'state') void socket.join('state');
      if (typeof ack === 'function') ack({ ok: true, streams: [stream] });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let sequence = 0;
  return {
    port,
    subscribers: () => io.sockets.adapter.rooms.get('state')?.size ?? 0,
    publish(data) {
      const seq = ++sequence;
      io.to('state').emit('state', { type: 'state', timestamp: formatTimestamp(nowMicros()), sequence: seq, data: { sequence: seq, ...data } });
    },
    info: () => ({ sockets: io.engine.clientsCount }),
    close: () =>
      new Promise<void>((resolve) => {
        io.close(() => resolve());
      }),
  };
}
