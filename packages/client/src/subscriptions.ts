/**
 * The client's desired subscriptions: which streams with which filters. It survives reconnects and is
 * replayed (grouped by identical filters, one `subscribe` per group) whenever a socket opens.
 */
import { DELIVERY_CLASS, canonicalStream, isStreamName } from '@tablecast/protocol/core';
import type { Filters, StreamName } from '@tablecast/protocol';
import { TablecastError } from './types.js';

/** One `subscribe` to send: streams sharing the same filters. */
export interface SubscriptionGroup {
  streams: StreamName[];
  filters: Filters | undefined;
}

/** Desired subscriptions of one client (no global state). */
export class SubscriptionSet {
  private readonly desired = new Map<StreamName, Filters | undefined>();

  /**
   * Validates stream names.
   * @throws TablecastError `INVALID_STREAM` for a name not in PROTOCOL section 3, `INVALID_SUBSCRIBE_FORMAT` for none
   */
  static validate(streams: readonly string[]): StreamName[] {
    if (streams.length === 0) throw new TablecastError('INVALID_SUBSCRIBE_FORMAT', 'streams must not be empty');
    for (const s of streams) if (!isStreamName(s)) throw new TablecastError('INVALID_STREAM', `unknown stream '${s}'`);
    return [...new Set(streams as StreamName[])];
  }

  /** Records `streams` with `filters` (replacing earlier filters of those streams). */
  add(streams: readonly StreamName[], filters: Filters | undefined): void {
    for (const s of streams) this.desired.set(s, filters === undefined ? undefined : structuredClone(filters));
  }

  /** Forgets `streams`. */
  remove(streams: readonly StreamName[]): void {
    for (const s of streams) this.desired.delete(s);
  }

  /** True when `stream` is desired. */
  has(stream: StreamName): boolean {
    return this.desired.has(stream);
  }

  /** Filters of `stream` (undefined when none or not subscribed). */
  filtersOf(stream: StreamName): Filters | undefined {
    return this.desired.get(stream);
  }

  /** Every desired stream. */
  get streams(): StreamName[] {
    return [...this.desired.keys()];
  }

  /** Desired streams grouped by identical filters (stable JSON of the filter object). */
  groups(): SubscriptionGroup[] {
    return this.groupsOf([...this.desired.keys()]);
  }

  /** `streams` (desired ones only) grouped by identical filters. */
  groupsOf(streams: readonly StreamName[]): SubscriptionGroup[] {
    const byKey = new Map<string, SubscriptionGroup>();
    for (const stream of streams) {
      if (!this.desired.has(stream)) continue;
      const filters = this.desired.get(stream);
      const key = filters === undefined ? '' : stableJson(filters);
      const g = byKey.get(key) ?? { streams: [], filters };
      g.streams.push(stream);
      byKey.set(key, g);
    }
    return [...byKey.values()];
  }
}

/** True when `stream` is a reliable stream (resumable, acked, de-duplicated). */
export function isReliable(stream: StreamName): boolean {
  return DELIVERY_CLASS[canonicalStream(stream)] === 'reliable';
}

/** JSON with object keys sorted, so equal filters give equal keys. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
