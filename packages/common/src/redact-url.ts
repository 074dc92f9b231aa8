/**
 * Credential redaction of URLs for log lines and error messages: query parameters whose name says
 * they carry a credential (`token`, `access_token`, `api_key`, `apikey`, `key`, `password`,
 * `secret`, `auth`) keep their name and lose their value (`***`); so does the userinfo part of a
 * URL (`redis://user:pass@host`).
 */

/** Query parameter names treated as credentials (compared lower-case). */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set(['token', 'access_token', 'api_key', 'apikey', 'key', 'password', 'secret', 'auth']);

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
