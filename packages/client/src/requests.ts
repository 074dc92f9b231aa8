/**
 * Correlation of requests with replies. The protocol has no request ids: the server answers each
 * connection's requests in order, so replies of one type resolve that type's oldest pending request,
 * and an `error` reply rejects the oldest pending request whose type can produce that error code.
 */
import type { ErrorData } from '@tablecast/protocol';
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

  /** @param timeoutMs how long a request waits for its reply */
  constructor(private readonly timeoutMs: number) {}

  /**
   * Registers a request about to be sent. `onReply` runs synchronously on the reply, before any
   * later message of the same frame batch is processed (used for resume bookkeeping).
   */
  add<T>(type: RequestType, onReply?: (data: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
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
  }

  /** True when a request of `type` waits (a `status` message with sequence 0 is then a reply). */
  has(type: RequestType): boolean {
    return this.pending.some((p) => p.type === type);
  }

  /** Resolves the oldest request answered by a reply of `replyType`; false when none waits. */
  resolve(replyType: string, data: unknown): boolean {
    const entry = this.pending.find((p) => REPLY_TYPE[p.type] === replyType);
    if (!entry) return false;
    this.remove(entry);
    entry.onReply?.(data);
    entry.resolve(data);
    return true;
  }

  /** Rejects the oldest request that can fail with `error.code`; false when none matches. */
  reject(error: ErrorData): boolean {
    const entry = this.pending.find((p) => ERROR_CODES[p.type].includes(error.code));
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
