// The session layer against a fake transport (issue 13): the send queue's fast path, its byte bound,
// conflation of latest-value streams, priority order on drain, 4100 for a reliable message that
// cannot fit, acknowledgements and discards, each with its drop reason. The fake socket's buffer
// level is set by the test, so a full socket needs no kernel buffers filled over TCP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ClientSession, OutboundMessage, type DropReason } from '../../src/index.js';
import { testCatalog } from '../helpers/catalog.js';

const catalog = testCatalog();

/** A TCP socket stand-in: records frames; `buffered` is the socket's write buffer level. */
class FakeSocket extends EventEmitter {
  readonly frames: Buffer[] = [];
  readonly _writableState = { length: 0 };
  write(chunk: Buffer): boolean {
    this.frames.push(chunk);
    return true;
  }
  set buffered(bytes: number) {
    this._writableState.length = bytes;
  }
  /** The socket drained: the buffer is empty again. */
  drain(): void {
    this._writableState.length = 0;
    this.emit('drain');
  }
  /** The envelope types (and data.n) of the frames written, in order. */
  written(): string[] {
    return this.frames.map((f) => {
      const len7 = f[1]! & 0x7f; // RFC 6455 5.2: 7-bit length, or 126/127 for a 16/64-bit one
      const m = JSON.parse(f.subarray(len7 < 126 ? 2 : len7 === 126 ? 4 : 10).toString('utf8')) as { type: string; data: { n?: number } };
      return m.data.n === undefined ? m.type : `${m.type}:${m.data.n}`;
    });
  }
}

function session(limits: { maxQueueBytes?: number; highWaterBytes?: number } = {}) {
  const socket = new FakeSocket();
  const closes: { code: number; reason: string }[] = [];
  const drops: { stream: string | null; reason: DropReason }[] = [];
  const ws = { _socket: socket, bufferedAmount: 0, readyState: 1, OPEN: 1, close: (code: number, reason: string) => closes.push({ code, reason }), terminate: () => undefined };
  const s = new ClientSession('c1', ws as never, '127.0.0.1', 'json', false,
    { maxQueueBytes: limits.maxQueueBytes ?? 1 << 20, highWaterBytes: limits.highWaterBytes ?? 1024, compressThreshold: 1024 },
    { onSent: () => undefined, onDrop: (_s, stream, reason) => drops.push({ stream, reason }) });
  return { s, socket, closes, drops };
}

let seq = 0;
/** A stream message of `stream` with `n` in its data (and `pad` bytes of padding). */
function msg(stream: string, n: number, pad = 0): OutboundMessage {
  return new OutboundMessage(stream, stream, ++seq, '2026-12-02T00:00:00.000000+00:00', 0, { n, ...(pad ? { pad: 'x'.repeat(pad) } : {}) }, catalog.describe(stream));
}
const reply = (type: string) => new OutboundMessage(type, null, 0, '2026-12-02T00:00:00.000000+00:00', 0, {});

test('fast path: with nothing queued and the socket below its high-water mark, a message is written at once', () => {
  const { s, socket } = session();
  s.send(msg('ticker', 1));
  assert.deepEqual(socket.written(), ['ticker:1']);
  assert.equal(s.queueLength(), 0);
  assert.equal(s.messagesSent, 1);
});

test('conflation: a latest-value stream keeps one pending message, the newest; each replaced one is a "conflated" drop', () => {
  const { s, socket, drops } = session();
  socket.buffered = 4096; // above the 1024-byte high-water mark
  for (let n = 1; n <= 5; n++) s.send(msg('ticker', n));
  assert.equal(s.queueLength(), 1);
  assert.equal(drops.filter((d) => d.reason === 'conflated').length, 4);
  assert.equal(s.dropped, 4);
  socket.drain();
  assert.deepEqual(socket.written(), ['ticker:5']);
});

test('reliable streams queue in order, nothing conflated', () => {
  const { s, socket, drops } = session();
  socket.buffered = 4096;
  for (let n = 1; n <= 4; n++) s.send(msg('event', n));
  assert.equal(s.queueLength(), 4);
  socket.drain();
  assert.deepEqual(socket.written(), ['event:1', 'event:2', 'event:3', 'event:4']);
  assert.deepEqual(drops, []);
});

test('drain writes by priority: replies, then alert (0), event (2), ticker (4), frame (6)', () => {
  const { s, socket } = session();
  socket.buffered = 4096;
  s.send(msg('frame', 1));
  s.send(msg('ticker', 1));
  s.send(msg('event', 1));
  s.send(msg('alert', 1));
  s.send(reply('pong'));
  socket.drain();
  assert.deepEqual(socket.written(), ['pong', 'alert:1', 'event:1', 'ticker:1', 'frame:1']);
});

test('drain stops at the high-water mark and goes on at the next drain', () => {
  const { s, socket } = session({ highWaterBytes: 1024 });
  socket.buffered = 4096;
  for (let n = 1; n <= 3; n++) s.send(msg('event', n, 600));
  // Each frame written fills the fake buffer by its size: the second write would go over the mark.
  const write = socket.write.bind(socket);
  socket.write = (chunk: Buffer) => {
    socket._writableState.length += chunk.length;
    return write(chunk);
  };
  socket.drain();
  assert.deepEqual(socket.written(), ['event:1', 'event:2']);
  assert.equal(s.queueLength(), 1);
  socket.drain();
  assert.deepEqual(socket.written(), ['event:1', 'event:2', 'event:3']);
  assert.equal(s.queueLength(), 0);
});

test('the byte bound: pending latest-value messages are evicted least urgent first ("queue_full")', () => {
  const { s, socket, drops, closes } = session({ maxQueueBytes: 3000, highWaterBytes: 1024 });
  socket.buffered = 1500;
  s.send(msg('frame', 1, 600)); // priority 6
  s.send(msg('ticker', 1, 600)); // priority 4
  assert.equal(s.queueLength(), 2);
  s.send(msg('alert', 1, 300)); // over the bound: the frame goes first
  assert.deepEqual(drops.map((d) => `${d.stream}:${d.reason}`), ['frame:queue_full']);
  assert.deepEqual(closes, [], 'still within the bound after the eviction');
  socket.drain();
  assert.deepEqual(socket.written(), ['alert:1', 'ticker:1']);
});

test('a reliable message that cannot fit even after evictions closes the session with 4100 (slow consumer)', () => {
  const { s, socket, closes } = session({ maxQueueBytes: 2000, highWaterBytes: 1024 });
  socket.buffered = 1500;
  s.send(msg('event', 1, 200));
  s.send(msg('event', 2, 600));
  assert.equal(closes.length, 1);
  assert.equal(closes[0]!.code, 4100);
  assert.match(closes[0]!.reason, /slow consumer/);
  assert.equal(s.closed, true);
  s.send(msg('event', 3));
  socket.drain();
  assert.deepEqual(socket.written(), [], 'nothing is written after the close');
});

test('ack drops queued reliable messages up to the acknowledged sequence ("acked")', () => {
  const { s, socket, drops } = session();
  socket.buffered = 4096;
  const m1 = msg('event', 1);
  const m2 = msg('event', 2);
  const m3 = msg('event', 3);
  for (const m of [m1, m2, m3]) s.send(m);
  s.ack('event', m2.sequence);
  assert.equal(s.acked.get('event'), m2.sequence);
  assert.deepEqual(drops.map((d) => d.reason), ['acked', 'acked']);
  socket.drain();
  assert.deepEqual(socket.written(), ['event:3']);
  s.ack('event', m1.sequence); // older than what was acknowledged: ignored
  assert.equal(s.acked.get('event'), m2.sequence);
});

test('discard (unsubscribe) drops every queued message of the stream, conflated or not ("closed")', () => {
  const { s, socket, drops } = session();
  socket.buffered = 4096;
  s.send(msg('ticker', 1));
  s.send(msg('event', 1));
  s.send(msg('event', 2));
  s.send(msg('alert', 1));
  s.discard('event');
  s.discard('ticker');
  assert.equal(drops.filter((d) => d.reason === 'closed').length, 3);
  assert.equal(s.queueLength(), 1);
  socket.drain();
  assert.deepEqual(socket.written(), ['alert:1']);
});
