/**
 * Request ids (PROTOCOL section 3, a tablecast extension): a client may put an `id` beside `type` in
 * any message; the server copies it into the reply to that message (and into the `error` reply when
 * it fails), so replies can be matched by id rather than by arrival order. Messages without an `id`
 * are answered exactly as before (the original system's clients send none).
 */
/** A request id: a string of 1-128 characters or a safe integer. */
export type RequestId = string | number;

/**
 * Reads the `id` of a client message: the id; `undefined` when there is none; `null` when there is
 * one that is not a valid request id (answered with INVALID_MESSAGE, without an id).
 */
export function requestIdOf(message: { id?: unknown }): RequestId | undefined | null {
  const id = message.id;
  if (id === undefined) return undefined;
  if (typeof id === 'string') return id.length >= 1 && id.length <= 128 ? id : null;
  if (typeof id === 'number') return Number.isSafeInteger(id) ? id : null;
  return null;
}
