/**
 * Error classes with stable codes. A ProtocolError becomes an `error {code, message, details}` reply;
 * when it carries `closeCode` the connection is closed with it.
 */
import { ErrorCode, type ErrorCodeValue, type CloseCodeValue } from '@tablecast/protocol';

/** An error a client caused; answered with an `error` reply (and a close when `closeCode` is set). */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly closeCode?: CloseCodeValue,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * A publish that failed. `retryable` tells the integration loop whether a retry can help:
 * validation errors (INVALID_PAYLOAD, INVALID_STREAM) are not retryable; broker outages are.
 */
export class PublishError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishError';
    this.retryable = code === ErrorCode.UNAVAILABLE || code === ErrorCode.INTERNAL;
  }
}
