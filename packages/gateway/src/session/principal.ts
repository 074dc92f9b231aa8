/**
 * The principal of a session: who the connection is, as the application's authenticator decided
 * (transport/connection-auth.ts). The engine stores it and never interprets roles.
 */

/** Who a connection is. */
export interface Principal {
  /** How it authenticated: `none` (anonymous) or the credential kind (`api_key`, `jwt`, ...). */
  auth: string;
  /** The credential's subject (a JWT `sub`, an API key's name), or `anonymous`. */
  subject: string;
  /** Primary role (the one logged and sent in the welcome). */
  role: string;
  /** Every role the credential grants. */
  roles: readonly string[];
  /** When the credential expires, seconds since the Unix epoch, or null. */
  exp: number | null;
  /** The user a per-user channel belongs to, or null. */
  userId: string | null;
}

/** The principal of a connection nobody authenticated (auth off, or an anonymous channel). */
export const ANONYMOUS: Principal = Object.freeze({ auth: 'none', subject: 'anonymous', role: 'anonymous', roles: Object.freeze(['anonymous']), exp: null, userId: null });
