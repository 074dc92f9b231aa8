/**
 * Credential redaction for log lines and error messages: tokens and keys never reach a log.
 *
 * Query parameters whose name says they carry a credential (`token`, `access_token`, `api_key`,
 * `apikey`, `key`, `password`, `secret`, `auth`) keep their name and lose their value (`***`); the
 * same holds for the userinfo part of a URL (`redis://user:pass@host`). Headers that carry
 * credentials (`authorization`, `x-api-key`, `cookie`, `proxy-authorization`) are redacted by
 * pino's `redact` option ({@link REDACT_PATHS}).
 */
import { redactCredentials } from '@tablecast/common';

export { CREDENTIAL_PARAMS, redactCredentials } from '@tablecast/common';

/** Header names treated as credentials (lower-case, as Node delivers them). */
export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'cookie', 'proxy-authorization'] as const;


/** The request fields tablecast logs (pino `req` serializer): no headers, credentials redacted. */
export interface LoggedRequest {
  [key: string]: unknown;
  method: string | undefined;
  url: string;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
}

/** Serializes a request for a log line (Fastify's `req` serializer, with the URL redacted). */
export function serializeRequest(req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string; remotePort?: number } }): LoggedRequest {
  return {
    method: req.method,
    url: redactCredentials(req.url ?? ''),
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

/** pino `redact` paths for credential headers wherever a request or its headers are logged. */
export const REDACT_PATHS: string[] = CREDENTIAL_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]);
