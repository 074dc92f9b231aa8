/**
 * StreamCursor: delivers one stream's publications to the local hub in sequence order, exactly once.
 *
 * Redis pub/sub keeps publish order per connection and the publish script sequences and publishes in
 * one atomic step, so messages normally arrive as n, n+1, n+2... The cursor still checks:
 * - same epoch, sequence <= last delivered: duplicate (e.g. a gap fill overlapped live delivery), dropped;
 * - same epoch, sequence > last + 1 on a reliable stream: a gap (the subscriber connection dropped and
 *   reconnected, losing what was published meanwhile). Live messages are held, the gap is read from
 *   the stream history, then delivery continues in order. Latest-value streams just skip ahead
 *   (only the newest value matters);
 * - another epoch: a new history generation (store restart, outage reconciliation); delivery follows it.
 */
import type { BrokerHandler, BrokerMessage } from '../broker.js';

/** Reads the messages after `since` of epoch `epoch`; null when they are no longer in the history. */
export type GapReader = (since: number, epoch: string) => Promise<BrokerMessage[] | null>;

/** Counters shared by the cursors of one broker. */
export interface CursorStats {
  delivered: number;
  duplicates: number;
  gapFills: number;
  gapsUnrecovered: number;
  epochChanges: number;
}

/** See the module comment. */
export class StreamCursor {
  /** Last delivered position, or null before the first message (the first one is the baseline). */
  last: { seq: number; epoch: string } | null = null;
  private filling = false;
  private held: BrokerMessage[] = [];

  constructor(
    readonly reliable: boolean,
    private readonly handler: BrokerHandler,
    private readonly readGap: GapReader,
    private readonly stats: CursorStats,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Offers one message (live from pub/sub, or published locally during an outage). */
  push(m: BrokerMessage): void {
    if (this.filling) {
      this.held.push(m);
      return;
    }
    this.accept(m, true);
  }

  /** Whether a gap fill is in progress. */
  get busy(): boolean {
    return this.filling;
  }

  /**
   * Reads and delivers whatever was published after the last delivered message (used after the
   * subscriber connection came back). No-op before the first message or while a fill runs.
   */
  catchUp(): void {
    if (!this.reliable || !this.last || this.filling) return;
    this.fill(this.last, null);
  }

  private accept(m: BrokerMessage, mayFill: boolean): void {
    const last = this.last;
    if (last) {
      if (m.epoch === last.epoch) {
        if (m.sequence <= last.seq) {
          this.stats.duplicates++;
          return;
        }
        if (m.sequence > last.seq + 1 && this.reliable && mayFill) {
          this.fill(last, m);
          return;
        }
        if (m.sequence > last.seq + 1 && this.reliable) this.stats.gapsUnrecovered++;
      } else {
        this.stats.epochChanges++;
      }
    }
    this.deliver(m);
  }

  private deliver(m: BrokerMessage): void {
    this.last = { seq: m.sequence, epoch: m.epoch };
    this.stats.delivered++;
    try {
      this.handler(m);
    } catch (err) {
      this.onError(err);
    }
  }

  private fill(from: { seq: number; epoch: string }, trigger: BrokerMessage | null): void {
    this.filling = true;
    if (trigger) this.held.push(trigger);
    const done = (messages: BrokerMessage[] | null) => {
      if (messages === null) {
        if (trigger) this.stats.gapsUnrecovered++;
      } else {
        if (messages.length > 0) this.stats.gapFills++;
        for (const m of messages) {
          const last = this.last!;
          if (m.epoch === last.epoch && m.sequence === last.seq + 1) this.deliver(m);
        }
      }
      this.filling = false;
      const held = this.held;
      this.held = [];
      // The first held message may still be ahead (history trimmed meanwhile): accept the jump once.
      held.forEach((m, i) => (this.filling ? this.held.push(m) : this.accept(m, i > 0)));
    };
    this.readGap(from.seq, from.epoch).then(done, (err: unknown) => {
      this.onError(err);
      done(null);
    });
  }
}
