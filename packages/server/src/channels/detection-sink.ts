/**
 * Main-thread side of the detection feed: receives events from emitters in any thread (MessagePort
 * links, a BroadcastChannel) and from the main thread (`emit`), keeps them in a bounded FIFO
 * (`channels.detection_queue_size`, default 256; when full the oldest event is dropped and counted)
 * and drains it into `hub.publishValidated('detection', ...)` (always schema-checked: events come from
 * other threads) one event at a time, in order.
 *
 * Metrics (on the server's registry): `tablecast_detection_events_dropped_total{where=sink|emitter}`
 * and `tablecast_detection_events_total{outcome=published|invalid|failed}`.
 */
import { BroadcastChannel, MessageChannel, type MessagePort } from 'node:worker_threads';
import client from 'prom-client';
import type { DetectionPayload } from '@tablecast/protocol';
import { PublishError, type Hub } from '@tablecast/gateway';
import {
  SHARED_BYTES, SHARED_SLOTS, isDetectionPortMessage, type DetectionEventInput,
} from './detection-emitter.js';

/** What a worker needs to emit through a link: pass `port` in `transferList`. */
export interface DetectionLink {
  port: MessagePort;
  shared: SharedArrayBuffer;
}

/** Counters of the sink. */
export interface DetectionSinkStats {
  queued: number;
  received: number;
  published: number;
  dropped: number;
  droppedAtEmitters: number;
  invalid: number;
  failed: number;
}

/** Bounded detection queue draining into the hub. One per server. */
export class DetectionSink {
  /** Name of the BroadcastChannel the sink listens on (unique per server). */
  readonly channelName: string;
  /** Shared counters for BroadcastChannel emitters (`createDetectionEmitter(bc, { shared })`). */
  readonly shared: SharedArrayBuffer;
  private readonly queue: DetectionEventInput[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly links: Int32Array[] = [];
  private readonly broadcast: BroadcastChannel;
  private draining = false;
  private closed = false;
  private readonly counts = { received: 0, published: 0, dropped: 0, invalid: 0, failed: 0 };
  private idleWaiters: (() => void)[] = [];

  /**
   * @param hub publishes the events
   * @param capacity queue bound (and in-flight bound of each link)
   * @param registry prom-client registry of the server
   * @param nodeId makes the BroadcastChannel name unique per server
   * @param onInvalid called with the validation error of an event that was not published
   */
  constructor(
    private readonly hub: Hub,
    private readonly capacity: number,
    registry: client.Registry,
    nodeId: string,
    private readonly onInvalid: (err: Error, event: unknown) => void = () => undefined,
  ) {
    this.channelName = `tablecast.detections.${nodeId}.${Math.random().toString(36).slice(2, 10)}`;
    this.shared = this.newShared();
    this.broadcast = new BroadcastChannel(this.channelName);
    this.broadcast.onmessage = (e: unknown) => this.onPortMessage((e as { data: unknown }).data, this.links[0]!);
    this.broadcast.unref();
    const counts = this.counts;
    const atEmitters = () => this.droppedAtEmitters();
    new client.Counter({
      name: 'tablecast_detection_events_dropped_total',
      help: 'Detection events dropped: sink = queue full (oldest dropped), emitter = too many in flight',
      labelNames: ['where'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ where: 'sink' }, counts.dropped);
        this.inc({ where: 'emitter' }, atEmitters());
      },
    });
    new client.Counter({
      name: 'tablecast_detection_events_total',
      help: 'Detection events taken from the queue, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ outcome: 'published' }, counts.published);
        this.inc({ outcome: 'invalid' }, counts.invalid);
        this.inc({ outcome: 'failed' }, counts.failed);
      },
    });
  }

  private newShared(): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(SHARED_BYTES);
    const view = new Int32Array(sab);
    Atomics.store(view, SHARED_SLOTS.capacity, this.capacity);
    this.links.push(view);
    return sab;
  }

  /**
   * A new MessageChannel link for one worker: transfer `port` and pass `shared` (workerData), then
   * `createDetectionEmitter(port, { shared })` in the worker.
   */
  createLink(): DetectionLink {
    const { port1, port2 } = new MessageChannel();
    const shared = this.newShared();
    const view = this.links[this.links.length - 1]!;
    port1.on('message', (m: unknown) => this.onPortMessage(m, view));
    port1.unref();
    this.ports.push(port1);
    return { port: port2, shared };
  }

  /** Emits from the main thread (same queue, same bound). @returns false when closed */
  emit(event: DetectionEventInput): boolean {
    if (this.closed) return false;
    this.counts.received++;
    this.enqueue(event);
    return true;
  }

  private onPortMessage(m: unknown, counters: Int32Array): void {
    if (!isDetectionPortMessage(m)) return;
    Atomics.add(counters, SHARED_SLOTS.received, 1);
    this.emit(m.event);
  }

  private enqueue(event: DetectionEventInput): void {
    if (this.queue.length >= this.capacity) {
      this.queue.shift();
      this.counts.dropped++;
    }
    this.queue.push(event);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const event = this.queue.shift()!;
        try {
          await this.hub.publishValidated('detection', toPayload(event));
          this.counts.published++;
        } catch (err) {
          if (err instanceof PublishError && !err.retryable) {
            this.counts.invalid++;
            this.onInvalid(err, event);
          } else this.counts.failed++;
        }
      }
    } finally {
      this.draining = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when the queue is empty and nothing is being published. */
  idle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private droppedAtEmitters(): number {
    return this.links.reduce((n, v) => n + Atomics.load(v, SHARED_SLOTS.dropped), 0);
  }

  /** Current counters. */
  stats(): DetectionSinkStats {
    return { queued: this.queue.length, ...this.counts, droppedAtEmitters: this.droppedAtEmitters() };
  }

  /** Stops receiving (ports and the BroadcastChannel are closed; queued events are discarded). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const p of this.ports) p.close();
    this.broadcast.close();
  }
}

/** The `detection` payload of an event (severity defaults to info, message to ''). */
function toPayload(e: DetectionEventInput): Record<string, unknown> {
  const { event_type, severity, message, data, ...rest } = e;
  const payload: DetectionPayload & Record<string, unknown> = { ...rest, event_type, severity: severity ?? 'info', message: message ?? '' };
  if (data !== undefined) payload.data = data;
  return payload;
}
