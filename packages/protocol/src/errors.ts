/**
 * Error codes carried by `error {code, message, details?}` replies (PROTOCOL section 7), one registry.
 * A test keeps this table and docs/PROTOCOL-ERRORS.md in sync.
 */
export const ErrorCode = {
  INVALID_JSON: 'INVALID_JSON',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  UNKNOWN_MESSAGE_TYPE: 'UNKNOWN_MESSAGE_TYPE',
  INVALID_SUBSCRIBE_FORMAT: 'INVALID_SUBSCRIBE_FORMAT',
  INVALID_UNSUBSCRIBE_FORMAT: 'INVALID_UNSUBSCRIBE_FORMAT',
  INVALID_STREAM: 'INVALID_STREAM',
  INVALID_FILTER: 'INVALID_FILTER',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  RATE_LIMIT: 'RATE_LIMIT',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_PARAMETER: 'INVALID_PARAMETER',
  NO_FRAME: 'NO_FRAME',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

/** One of the error codes above. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What each error code means; surfaced in the AsyncAPI document and docs. */
export const ERROR_CODE_DESCRIPTIONS: Readonly<Record<ErrorCodeValue, string>> = {
  INVALID_JSON: 'the frame is not valid JSON (or msgpack with encoding=msgpack), or is binary on a JSON connection',
  INVALID_MESSAGE: 'the message is not an object with a string `type`',
  UNKNOWN_MESSAGE_TYPE: 'the `type` is not a client message type of PROTOCOL section 3',
  INVALID_SUBSCRIBE_FORMAT: 'subscribe data is not {streams: string[], filters?, since?}',
  INVALID_UNSUBSCRIBE_FORMAT: 'unsubscribe data is not {streams: string[]}',
  INVALID_STREAM: 'a stream name is not one of PROTOCOL section 3',
  INVALID_FILTER: 'a filter field has the wrong type or range (details.path names it)',
  INVALID_PAYLOAD: 'a published payload does not match its stream schema (details.path names the field)',
  RATE_LIMIT: 'too many inbound messages on this connection; the message was ignored',
  UNAUTHORIZED: 'no valid credentials',
  FORBIDDEN: 'the credentials do not allow this stream or action',
  MESSAGE_TOO_LARGE: 'the message exceeds the maximum payload size',
  NOT_FOUND: 'the addressed resource does not exist',
  INVALID_PARAMETER: 'an HTTP request parameter, query or body does not match the route schema (details.path names it)',
  NO_FRAME: 'no video frame is available yet (HTTP 503; the source has not produced one, or video is stopped)',
  UNAVAILABLE: 'the service is temporarily unable to accept the request (circuit open, stopped)',
  INTERNAL: 'an unexpected server error; the connection stays open',
};
