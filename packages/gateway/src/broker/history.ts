/**
 * In-memory history of a reliable stream: a ring buffer bounded by count and age, with an epoch so a
 * restarted store is never mistaken for the old one.
 */
import type { BrokerMessage, HistoryRange } from './broker.js';

/** Bounds of a stream history. */
export interface HistoryLimits {
  maxMessages: number;
  /** Seconds. */
  maxAgeS: number;
}

/** Bounded, ordered history of one stream. */
export class StreamHistory {
  private buf: (BrokerMessage | undefined)[];
  private head = 0; // index of the oldest
  private size = 0;

  constructor(
    private readonly limits: HistoryLimits,
    readonly epoch: string,
  ) {
    this.buf = new Array(Math.min(limits.maxMessages, 1024));
  }

  /** Appends a message; evicts the oldest beyond the count bound. */
  append(message: BrokerMessage): void {
    if (this.size === this.buf.length && this.buf.length < this.limits.maxMessages) this.grow();
    if (this.size === this.limits.maxMessages) {
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) % this.buf.length;
      this.size--;
    }
    this.buf[(this.head + this.size) % this.buf.length] = message;
    this.size++;
  }

  private grow(): void {
    const next = new Array<BrokerMessage | undefined>(Math.min(this.limits.maxMessages, this.buf.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }

  /** Drops messages older than the age bound. @param nowMicros current time, microseconds */
  expire(nowMicros: number): void {
    const cutoff = nowMicros - this.limits.maxAgeS * 1e6;
    while (this.size > 0) {
      const m = this.buf[this.head]!;
      if (m.timestampMicros >= cutoff) break;
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) % this.buf.length;
      this.size--;
    }
  }

  /** Oldest sequence kept, or null when empty. */
  oldest(): number | null {
    return this.size === 0 ? null : this.buf[this.head]!.sequence;
  }

  /**
   * Messages after `since`. Recovered when nothing between since+1 and the oldest kept was evicted.
   * @param latest latest sequence published on the stream
   */
  range(since: number, epoch: string | undefined, latest: number, limit: number, nowMicros: number): HistoryRange {
    this.expire(nowMicros);
    if (epoch !== undefined && epoch !== this.epoch) return { messages: [], recovered: false, epoch: this.epoch, latest };
    if (since > latest) return { messages: [], recovered: false, epoch: this.epoch, latest };
    if (since === latest) return { messages: [], recovered: true, epoch: this.epoch, latest };
    const oldest = this.oldest();
    if (oldest === null || oldest > since + 1) return { messages: [], recovered: false, epoch: this.epoch, latest };
    const out: BrokerMessage[] = [];
    const start = since + 1 - oldest; // sequences are contiguous in the buffer
    for (let i = start; i < this.size && out.length < limit; i++) out.push(this.buf[(this.head + i) % this.buf.length]!);
    return { messages: out, recovered: out.length === latest - since, epoch: this.epoch, latest };
  }
}
