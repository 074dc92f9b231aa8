/**
 * How Fastify's own request and error log lines read: one `debug` line per completed request
 * (method, redacted URL, status, time) instead of two `info` lines; a client error (4xx) at
 * `debug` with its code and message, no stack trace; server errors (5xx) and failed requests at
 * `error` with the error, as before.
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/** See the module comment. */
export class TablecastLogController extends Fastify.LogController {
  override incomingRequest(): void {
    // logged once, when completed
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, status: reply.statusCode, err: error }, 'request errored');
    else reply.log.debug({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) reply.log.error({ req: request, status: reply.statusCode, err: error }, error.message);
    else reply.log.debug({ req: request, status: reply.statusCode, code: (error as { code?: unknown }).code }, error.message);
  }
}
