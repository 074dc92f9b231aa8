/**
 * MemoryBroker: the embedded default Broker. Sequences, history and delivery live in this process;
 * delivery to the local handler is synchronous inside publish (lowest latency).
 */
import type { Broker, BrokerHandler, BrokerHealth, BrokerMessage, HistoryRange } from './broker.js';
import { StreamHistory, type HistoryLimits } from './history.js';
import { randomEpoch } from './epoch.js';

/** In-process broker. One per server (no shared state between instances). */
export class MemoryBroker implements Broker {
  readonly kind = 'memory' as const;
  private readonly sequences = new Map<string, number>();
  private readonly histories = new Map<string, StreamHistory>();
  private readonly handlers = new Map<string, BrokerHandler>();
  private readonly epoch = randomEpoch();
  private closed = false;

  constructor(
    private readonly limits: HistoryLimits,
    private readonly now: () => number = () => Date.now() * 1000,
  ) {}

  async publish(stream: string, data: Record<string, unknown>, timestampMicros: number, reliable: boolean): Promise<BrokerMessage> {
    return this.publishSync(stream, data, timestampMicros, reliable);
  }

  /**
   * {@link publish} without the promise: sequences, stores (reliable streams) and delivers to this
   * node's handler before it returns. For callers that need the message at once (tests, tools);
   * the hub always goes through the Broker interface's `publish`.
   */
  publishSync(stream: string, data: Record<string, unknown>, timestampMicros: number, reliable: boolean): BrokerMessage {
    const sequence = (this.sequences.get(stream) ?? 0) + 1;
    this.sequences.set(stream, sequence);
    const message: BrokerMessage = { stream, sequence, epoch: this.epoch, timestampMicros, data };
    if (reliable) this.historyOf(stream).append(message);
    this.handlers.get(stream)?.(message);
    return message;
  }

  private historyOf(stream: string): StreamHistory {
    let h = this.histories.get(stream);
    if (!h) {
      h = new StreamHistory(this.limits, this.epoch);
      this.histories.set(stream, h);
    }
    return h;
  }

  async subscribe(stream: string, handler: BrokerHandler): Promise<void> {
    this.handlers.set(stream, handler);
  }

  async unsubscribe(stream: string): Promise<void> {
    this.handlers.delete(stream);
  }

  async history(stream: string, since: number, epoch: string | undefined, limit: number): Promise<HistoryRange> {
    return this.historyOf(stream).range(since, epoch, this.sequences.get(stream) ?? 0, limit, this.now());
  }

  async position(stream: string): Promise<{ epoch: string; latest: number }> {
    return { epoch: this.epoch, latest: this.sequences.get(stream) ?? 0 };
  }

  health(): BrokerHealth {
    return { kind: 'memory', status: this.closed ? 'unhealthy' : 'healthy', details: { streams: this.sequences.size } };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }
}
