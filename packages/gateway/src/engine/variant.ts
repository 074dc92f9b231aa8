/**
 * Variant: one content-filter variant of a stream, the subscriptions that share its serialized
 * bytes. A message is transformed and encoded once per variant, whatever the number of sessions.
 */
import { formatTimestamp } from '@tablecast/protocol';
import type { BrokerMessage } from '../broker/broker.js';
import type { Subscription } from '../session/subscription.js';
import type { CompiledFilters } from '../filters/filters.js';
import { OutboundMessage } from '../wire/outbound.js';
import type { StreamDescriptor } from '../catalog/stream-catalog.js';

/**
 * Key of a variant: the content-filter key, plus the wire name when the client subscribed with an
 * alias (`metrics` subscribers get messages typed `metrics`, as the original clients expect).
 */
export function variantKeyOf(alias: string, stream: string, f: CompiledFilters): string {
  return alias === stream ? f.variantKey : `${alias}|${f.variantKey}`;
}

/** See the module comment. */
export class Variant {
  readonly subs = new Set<Subscription>();
  private chain: Promise<void> = Promise.resolve();

  /**
   * @param filters the compiled content filters every subscription of the variant shares
   * @param type envelope type: the stream, or the alias the clients subscribed with
   * @param descriptor the stream's delivery class and priority
   */
  constructor(
    readonly filters: CompiledFilters,
    readonly type: string,
    readonly descriptor: StreamDescriptor,
  ) {}

  /** Applies the synchronous content filters; null when the message is filtered out. */
  render(m: BrokerMessage): OutboundMessage | null {
    const data = this.filters.transform ? this.filters.transform(m.data) : m.data;
    if (data === null) return null;
    return this.message(m, data, formatTimestamp(m.timestampMicros));
  }

  /** The outbound message of `m` with `data` as its (already filtered) payload. */
  message(m: BrokerMessage, data: unknown, timestamp: string): OutboundMessage {
    return new OutboundMessage(this.type, m.stream, m.sequence, timestamp, m.timestampMicros, data, this.descriptor);
  }

  /** Serializes asynchronous work (an async filter step) per variant so order is kept. */
  then(task: () => Promise<void>): void {
    this.chain = this.chain.then(task, task);
  }
}
