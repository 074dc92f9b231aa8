/**
 * The browser-origin rule of the WebSocket endpoint (and the application's CORS): a request with
 * no `Origin` header (not a browser) is allowed; a browser is allowed from the server's own origin
 * (the `Origin` names the host the request was sent to, RFC 6454 / the `Host` header) and from the
 * configured origins; `'*'` in the list allows every origin.
 */

/**
 * Whether a request from `origin` may proceed.
 * @param origin the request's `Origin` header, or undefined when absent
 * @param host the request's `Host` header (`host[:port]`), or undefined
 * @param allowed configured origins (`scheme://host[:port]`), `'*'` for all
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // `null` (opaque origins) and malformed values are never the server's own
  }
}
