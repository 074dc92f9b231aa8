/**
 * The one error handler of the HTTP API: every error a route throws (or Fastify raises: schema
 * validation, body parsing, payload too large) is answered in the shape of docs/PROTOCOL-ERRORS.md,
 * `{error: {code, message, details?}}`, with a code from the protocol's error table.
 *
 * - Fastify validation errors: 400 `INVALID_PARAMETER`, `details.path` the first bad field
 *   (`querystring.quality`, `body.stream`, ...);
 * - PublishError / ProtocolError (the gateway's): their code; 400, or 503 for `UNAVAILABLE`;
 * - a body that is not JSON: 400 `INVALID_JSON`; any other error with a 4xx status: the code of the
 *   status; logged at debug, without a stack;
 * - everything else: 500 `INTERNAL`, logged at error with the stack, the message not sent.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ErrorCode, type ErrorCodeValue } from '@tablecast/protocol';
import { ProtocolError, PublishError } from '@tablecast/gateway';

/** The error code of an HTTP status without a more specific one. */
function codeOfStatus(status: number): ErrorCodeValue {
  switch (status) {
    case 401:
      return ErrorCode.UNAUTHORIZED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 413:
      return ErrorCode.MESSAGE_TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMIT;
    case 503:
      return ErrorCode.UNAVAILABLE;
    default:
      return ErrorCode.INVALID_MESSAGE;
  }
}

/** Registers the error handler on `app` (routes registered in plugins inherit it). */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0]!;
      const where = err.validationContext ?? 'request';
      const field = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
      const path = [where, field, missing].filter(Boolean).join('.');
      req.log.debug({ path, reason: v.message }, 'request rejected by the route schema');
      return reply.code(400).send({ error: { code: ErrorCode.INVALID_PARAMETER, message: `${path}: ${v.message ?? 'invalid'}`, details: { path } } });
    }
    if (err instanceof PublishError || err instanceof ProtocolError) {
      const status = err.code === ErrorCode.UNAVAILABLE ? 503 : err.code === ErrorCode.FORBIDDEN ? 403 : err.code === ErrorCode.UNAUTHORIZED ? 401 : 400;
      return reply.code(status).send({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status < 500) {
      req.log.debug({ status, reason: err.message }, 'request refused');
      const code = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? ErrorCode.INVALID_JSON : codeOfStatus(status);
      return reply.code(status).send({ error: { code, message: err.message } });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(status).send({ error: { code: status === 503 ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL, message: 'internal error' } });
  });
}
