/**
 * Resume bookkeeping for reliable streams (PROTOCOL section 6): the last sequence delivered per stream,
 * the history epoch the server reported, `since` for resubscribing, and de-duplication — delivery is
 * at-least-once, so a replay after a reconnect may repeat messages the application already has.
 *
 * Sequences are per stream and strictly increasing by 1 within one epoch, so one watermark per stream
 * is enough: a message at or below the watermark is a duplicate. A new epoch (a restarted server with
 * an empty history) restarts sequences, so the watermark is reset when the server says the stream was
 * not recovered.
 */
import type { Envelope, SubscribedData } from '@tablecast/protocol';

interface StreamCursor {
  /** Highest sequence delivered to the application in the current epoch; null before the first. */
  last: number | null;
  /** Server history epoch, when the server reports one. */
  epoch: string | undefined;
  /** True between a resubscribe with `since` and its `subscribed` reply: messages are buffered. */
  pending: boolean;
  buffer: Envelope[];
}

/** What {@link ResumeTracker.onSubscribed} decided. */
export interface ResumeOutcome {
  /** Buffered messages now released, in order, duplicates removed. */
  deliver: Envelope[];
  /** Per resumed stream: whether the missed messages were replayed (false: possible loss). */
  recovered: Record<string, boolean>;
  /**
   * Streams whose history epoch changed (the server restarted with a new history: sequences began
   * again). The caller resubscribes them with `since: 0` in the new epoch so everything the new server
   * holds is replayed; they stay buffered until that reply.
   */
  rewind: { stream: string; epoch: string }[];
}

/** Counters kept by the tracker. */
export interface ResumeCounters {
  /** Messages dropped because their sequence was already delivered. */
  duplicates: number;
  /** Sequence numbers skipped on reliable streams within one epoch (messages never seen). */
  gaps: number;
}

/** Per-client resume state for reliable streams. No global state: one instance per client. */
export class ResumeTracker {
  private readonly cursors = new Map<string, StreamCursor>();
  /** Counters since creation. */
  readonly counters: ResumeCounters = { duplicates: 0, gaps: 0 };

  /** Starts tracking reliable `stream` (idempotent). */
  track(stream: string): void {
    if (!this.cursors.has(stream)) this.cursors.set(stream, { last: null, epoch: undefined, pending: false, buffer: [] });
  }

  /** Stops tracking `stream` (after an unsubscribe): a later subscribe starts fresh. */
  untrack(stream: string): void {
    this.cursors.delete(stream);
  }

  /** True when `stream` is tracked. */
  tracks(stream: string): boolean {
    return this.cursors.has(stream);
  }

  /** The last sequence delivered on `stream`, or null. */
  lastSequence(stream: string): number | null {
    return this.cursors.get(stream)?.last ?? null;
  }

  /**
   * `since` and `epoch` maps for a subscribe of `streams` (only tracked streams with a known position),
   * or undefined when there is nothing to resume.
   */
  resumePoint(streams: readonly string[]): { since: Record<string, number>; epoch?: Record<string, string> } | undefined {
    const since: Record<string, number> = {};
    const epoch: Record<string, string> = {};
    for (const s of streams) {
      const c = this.cursors.get(s);
      if (!c || c.last === null) continue;
      since[s] = c.last;
      if (c.epoch !== undefined) epoch[s] = c.epoch;
    }
    if (Object.keys(since).length === 0) return undefined;
    return Object.keys(epoch).length > 0 ? { since, epoch } : { since };
  }

  /** Marks `streams` as resuming: their messages are held until the `subscribed` reply arrives. */
  beginResume(streams: readonly string[]): void {
    for (const s of streams) {
      const c = this.cursors.get(s);
      if (c) {
        c.pending = true;
        c.buffer = [];
      }
    }
  }

  /** Drops pending buffers (the socket closed before the reply; `since` will cover them next time). */
  abortResume(): void {
    for (const c of this.cursors.values()) {
      c.pending = false;
      c.buffer = [];
    }
  }

  /**
   * Classifies one inbound message of a tracked stream. Returns the envelopes to deliver now (zero or
   * one): empty when it is a duplicate or buffered while resuming. Untracked streams pass through.
   */
  accept(stream: string, env: Envelope): Envelope[] {
    const c = this.cursors.get(stream);
    if (!c) return [env];
    if (c.pending) {
      c.buffer.push(env);
      return [];
    }
    return this.advance(c, env) ? [env] : [];
  }

  /**
   * Applies a `subscribed` reply (the gateway sends it before any replayed or live message of the
   * subscription): records epochs, decides recovery, and releases or discards buffered messages.
   *
   * - resumed and recovered: the server replays everything after `since` next, in order, so messages
   *   buffered before the reply (from an older subscription) are dropped and the watermark is `since`;
   * - resumed, not recovered, same epoch (gap older than history): watermark reset, live from now;
   * - resumed, not recovered, new epoch: watermark reset and the stream listed in `rewind`;
   * - a fresh subscription: the watermark starts at the stream's latest offset, so a reconnect
   *   before the first message still resumes from the right place.
   * @param resumed `since` sent per stream with this subscribe (empty for a fresh subscribe)
   */
  onSubscribed(reply: SubscribedData, resumed: Readonly<Record<string, number>>): ResumeOutcome {
    const deliver: Envelope[] = [];
    const recovered: Record<string, boolean> = {};
    const rewind: { stream: string; epoch: string }[] = [];
    for (const s of reply.streams) {
      const c = this.cursors.get(s);
      if (!c) continue;
      const epoch = reply.epochs?.[s];
      const epochChanged = epoch !== undefined && c.epoch !== undefined && epoch !== c.epoch;
      const since = resumed[s];
      const serverRecovered = reply.recovered?.[s];
      let held = c.buffer.sort((a, b) => a.sequence - b.sequence);
      c.buffer = [];
      if (since !== undefined) {
        const ok = serverRecovered ?? !epochChanged;
        recovered[s] = ok;
        if (ok) {
          c.last = since;
          held = [];
        } else if (epochChanged && epoch !== undefined) {
          c.epoch = epoch;
          c.last = null;
          rewind.push({ stream: s, epoch });
          continue; // stays pending until the rewind reply
        } else {
          c.last = null;
        }
      } else if (serverRecovered !== undefined) {
        c.last = null; // the server resumed on its own (acked position): accept what it replays
      } else if (epochChanged) {
        c.last = null;
      }
      if (epoch !== undefined) c.epoch = epoch;
      const latest = reply.offsets?.[s];
      if (since === undefined && serverRecovered === undefined && c.last === null && held.length === 0 && latest !== undefined) {
        c.last = latest;
      }
      c.pending = false;
      for (const env of held) if (this.advance(c, env)) deliver.push(env);
    }
    return { deliver, recovered, rewind };
  }

  private advance(c: StreamCursor, env: Envelope): boolean {
    const seq = env.sequence;
    if (seq === 0) return true; // a node-local notice: delivered, outside the stream's sequence
    if (c.last !== null && seq <= c.last) {
      this.counters.duplicates += 1;
      return false;
    }
    if (c.last !== null && seq > c.last + 1) this.counters.gaps += seq - c.last - 1;
    c.last = seq;
    return true;
  }
}
