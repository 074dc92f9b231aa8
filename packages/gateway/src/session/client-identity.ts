/**
 * Client-id ownership: a `client_id` is bound to the principal of the connection that holds it, so
 * nobody can take over another client's id (and its resume offsets).
 *
 * - A token's principal owns by subject: `principal:<kind>:<subject>`; any connection of the same
 *   subject may replace the live one (a reconnect whose old socket is still half-open).
 * - An anonymous connection owns by its resume token: the welcome (`connection`) carries
 *   `resume_token`; a reconnect that sends it back (`?resume_token=`) proves it is the same client.
 * - A live id claimed by another owner is refused with close 4008 CLIENT_ID_IN_USE; the replaced
 *   connection of the same owner is closed with 4009 REPLACED (terminal: its newer self is connected).
 */
import { randomBytes } from 'node:crypto';

/** Shape of a resume token (base64url, 16-64 characters). */
const RESUME_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** A fresh resume token: 144 random bits, base64url. */
function newResumeToken(): string {
  return randomBytes(18).toString('base64url');
}

/** The identity a connection claims a client id with. */
export interface ClientIdentity {
  /** Owner key compared between connections of one client id. */
  owner: string;
  /** The resume token this connection's welcome carries. */
  resumeToken: string;
}

/**
 * The identity of a new connection.
 * @param principal the authenticated subject (`kind` api_key/jwt, `subject`), or null for anonymous
 * @param presented `?resume_token=` of the upgrade request, if any (ignored when malformed)
 */
export function identityOf(principal: { kind: string; subject: string } | null, presented: string | null): ClientIdentity {
  const resumeToken = presented && RESUME_TOKEN.test(presented) ? presented : newResumeToken();
  if (principal) return { owner: `principal:${principal.kind}:${principal.subject}`, resumeToken };
  return { owner: `anonymous:${resumeToken}`, resumeToken };
}
