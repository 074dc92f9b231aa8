/**
 * Credential redaction for log lines and error messages: tokens and keys never reach a log.
 *
 * Query parameters whose name says they carry a credential (`token`, `access_token`, `api_key`,
 * `apikey`, `key`, `password`, `secret`, `auth`) keep their name and lose their value (`***`); the
 * same holds for the userinfo part of a URL (`redis://user:pass@host`). Headers that carry
 * credentials (`authorization`, `x-api-key`, `cookie`, `proxy-authorization`) are redacted by
 * pino's `redact` option ({@link REDACT_PATHS}).
 */

/** Query parameter names treated as credentials (compared lower-case). */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set(['token', 'access_token', 'api_key', 'apikey', 'key', 'password', 'secret', 'auth']);

/** Header names treated as credentials (lower-case, as Node delivers them). */
export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'cookie', 'proxy-authorization'] as const;

const QUERY_PARAM = /([?&;])([^=&;#]*)=([^&;#]*)/g;
const USERINFO = /(\/\/)[^@/?#]*@/;

/**
 * `url` (absolute or a request path with a query string) with credential values replaced by `***`.
 * Never throws: a malformed URL is handled as text.
 */
export function redactCredentials(url: string): string {
  return url
    .replace(USERINFO, '$1***@')
    .replace(QUERY_PARAM, (whole, sep: string, name: string) => {
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* a malformed name stays as it is */
      }
      return CREDENTIAL_PARAMS.has(decoded.toLowerCase()) ? `${sep}${name}=***` : whole;
    });
}

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
