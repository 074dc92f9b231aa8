/**
 * Detection event emitter for any thread (worker side of the detection feed).
 *
 * A vision worker gets a link from the main thread (`server.channels.detections.createLink()`:
 * a MessagePort plus a SharedArrayBuffer of counters, passed in `workerData` with the port in
 * `transferList`) or just the BroadcastChannel name (`detections.channelName`), and calls
 * `emitter.emit({event_type, severity, message, data})`. Events cross threads by structured clone;
 * the main-thread {@link DetectionSink} publishes them on the `detection` stream.
 *
 * Bounded: with the shared counters, at most `capacity` events (default 256) are in flight between
 * the emitter and the sink; beyond that `emit` drops the new event and counts it (the counters are
 * Atomics, read by the sink for its metrics, so drops are visible even while the worker's own event
 * loop is busy). Without them the sink's bounded queue (drop oldest) is the only bound.
 *
 * This file imports nothing from the server so a worker loads it cheaply.
 */

/** One detection event (PROTOCOL section 5, `detection` stream). */
export interface DetectionEventInput {
  event_type: string;
  severity?: 'info' | 'success' | 'warning' | 'error';
  message?: string;
  data?: unknown;
  [extra: string]: unknown;
}

/** The message an emitter posts. */
export interface DetectionPortMessage {
  kind: 'tablecast.detection';
  event: DetectionEventInput;
  /** Emit time, milliseconds since the Unix epoch. */
  emittedAtMs: number;
}

/** Something to post to: a MessagePort, a BroadcastChannel, or a worker's parentPort. */
export interface DetectionPort {
  postMessage(message: unknown): void;
}

/** Layout of the shared counters (Int32 slots). */
export const SHARED_SLOTS = { capacity: 0, posted: 1, received: 2, dropped: 3 } as const;
/** Bytes of the shared counter buffer. */
export const SHARED_BYTES = 4 * Int32Array.BYTES_PER_ELEMENT;

/** Options of {@link createDetectionEmitter}. */
export interface DetectionEmitterOptions {
  /** Shared counters from the sink's link; enables the in-flight bound. */
  shared?: SharedArrayBuffer;
}

/** Emits detection events towards the main thread. */
export interface DetectionEmitter {
  /**
   * Emits one event. Never throws for a full queue: returns false when the event was dropped
   * (capacity in flight) or the emitter is closed.
   * @throws TypeError when `event.event_type` is not a non-empty string
   */
  emit(event: DetectionEventInput): boolean;
  /** Events posted by this emitter. */
  readonly emitted: number;
  /** Events this emitter dropped. */
  readonly dropped: number;
  /** Stops emitting (closes the port / channel when it has `close`). */
  close(): void;
}

/**
 * Creates an emitter over `port`.
 * @param port a MessagePort from `createLink()`, a `new BroadcastChannel(sink.channelName)`, or any
 *   object with `postMessage`
 */
export function createDetectionEmitter(port: DetectionPort, options: DetectionEmitterOptions = {}): DetectionEmitter {
  const counters = options.shared ? new Int32Array(options.shared) : null;
  let emitted = 0;
  let dropped = 0;
  let closed = false;
  return {
    emit(event: DetectionEventInput): boolean {
      if (!event || typeof event.event_type !== 'string' || event.event_type.length === 0) {
        throw new TypeError('a detection event needs a non-empty string event_type');
      }
      if (closed) return false;
      if (counters) {
        const inFlight = Atomics.load(counters, SHARED_SLOTS.posted) - Atomics.load(counters, SHARED_SLOTS.received);
        if (inFlight >= Atomics.load(counters, SHARED_SLOTS.capacity)) {
          Atomics.add(counters, SHARED_SLOTS.dropped, 1);
          dropped++;
          return false;
        }
        Atomics.add(counters, SHARED_SLOTS.posted, 1);
      }
      const message: DetectionPortMessage = { kind: 'tablecast.detection', event, emittedAtMs: Date.now() };
      port.postMessage(message);
      emitted++;
      return true;
    },
    get emitted() {
      return emitted;
    },
    get dropped() {
      return dropped;
    },
    close() {
      closed = true;
      (port as { close?: () => void }).close?.();
    },
  };
}

/** True when `m` is a message an emitter posted. */
export function isDetectionPortMessage(m: unknown): m is DetectionPortMessage {
  return (
    typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'tablecast.detection' &&
    typeof (m as { event?: unknown }).event === 'object' && (m as { event?: unknown }).event !== null
  );
}
