/**
 * Correlation of requests with replies. Every request carries an `id` (a number, unique per client)
 * and a tablecast server echoes it in the reply, so a reply resolves exactly the request it answers
 * and a reply with an unknown id resolves none. A server that echoes no id (older versions) still
 * answers each connection's requests in order: such replies resolve the oldest pending request of
 * their type, and an `error` without an id rejects the oldest pending request whose type can produce
 * that error code.
 */
import type { ErrorData, RequestId } from '@tablecast/protocol';
import { TablecastError } from './types.js';

/** Request types that get a reply, with the reply's `type`. */
const REPLY_TYPE = {
  subscribe: 'subscribed',
  unsubscribe: 'unsubscribed',
  get_status: 'status',
  publish: 'published',
} as const;

/** A request type that gets a reply. */
export type RequestType = keyof typeof REPLY_TYPE;

/** Error codes each request type can be answered with (PROTOCOL section 7). */
const ERROR_CODES: Record<RequestType, readonly string[]> = {
  subscribe: ['INVALID_SUBSCRIBE_FORMAT', 'INVALID_STREAM', 'INVALID_FILTER', 'FORBIDDEN', 'UNAUTHORIZED', 'INTERNAL', 'UNAVAILABLE'],
  unsubscribe: ['INVALID_UNSUBSCRIBE_FORMAT', 'INVALID_STREAM', 'INTERNAL'],
  get_status: ['INTERNAL'],
  publish: ['INVALID_PAYLOAD', 'INVALID_STREAM', 'FORBIDDEN', 'UNAUTHORIZED', 'UNAVAILABLE', 'MESSAGE_TOO_LARGE', 'INTERNAL'],
};

interface Pending {
  id: number;
  type: RequestType;
  order: number;
  resolve: (data: unknown) => void;
  reject: (err: TablecastError) => void;
  timer: ReturnType<typeof setTimeout>;
  onReply?: ((data: unknown) => void) | undefined;
}

/** Pending requests of one client. */
export class RequestQueue {
  private readonly pending: Pending[] = [];
  private order = 0;
  private nextId = 1;

  /** @param timeoutMs how long a request waits for its reply */
  constructor(private readonly timeoutMs: number) {}

  /**
   * Registers a request about to be sent; send it with the returned `id`. `onReply` runs
   * synchronously on the reply, before any later message of the same frame batch is processed (used
   * for resume bookkeeping).
   */
  add<T>(type: RequestType, onReply?: (data: T) => void): { id: number; reply: Promise<T> } {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        id,
        type,
        order: this.order++,
        resolve: resolve as (d: unknown) => void,
        reject,
        onReply: onReply as ((d: unknown) => void) | undefined,
        timer: setTimeout(() => {
          this.remove(entry);
          reject(new TablecastError('TIMEOUT', `no ${REPLY_TYPE[type]} reply within ${this.timeoutMs} ms`));
        }, this.timeoutMs),
      };
      this.pending.push(entry);
    });
    return { id, reply };
  }

  /** True when a request of `type` waits (a `status` message with sequence 0 is then a reply). */
  has(type: RequestType): boolean {
    return this.pending.some((p) => p.type === type);
  }

  /**
   * Resolves the request a reply of `replyType` answers: the one with `id` when the reply carries
   * one, else the oldest of that type. False when none matches.
   */
  resolve(replyType: string, data: unknown, id?: RequestId): boolean {
    const entry = id !== undefined
      ? this.pending.find((p) => p.id === id && REPLY_TYPE[p.type] === replyType)
      : this.pending.find((p) => REPLY_TYPE[p.type] === replyType);
    if (!entry) return false;
    this.remove(entry);
    entry.onReply?.(data);
    entry.resolve(data);
    return true;
  }

  /**
   * Rejects the request an `error` answers: the one with `id` when the error carries one, else the
   * oldest that can fail with `error.code`. False when none matches.
   */
  reject(error: ErrorData, id?: RequestId): boolean {
    const entry = id !== undefined
      ? this.pending.find((p) => p.id === id)
      : this.pending.find((p) => ERROR_CODES[p.type].includes(error.code));
    if (!entry) return false;
    this.remove(entry);
    entry.reject(new TablecastError(error.code, error.message, error.details));
    return true;
  }

  /** Rejects every pending request (the socket closed: replies will never come). */
  failAll(code: string, message: string): void {
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(new TablecastError(code, message));
    }
  }

  private remove(entry: Pending): void {
    clearTimeout(entry.timer);
    const i = this.pending.indexOf(entry);
    if (i >= 0) this.pending.splice(i, 1);
  }
}
