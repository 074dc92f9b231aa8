/**
 * Publish-time payload checks: the stream's own schema (from the catalog) and the engine's
 * encodability walk, which every wire encoding and broker relies on.
 */
import { ErrorCode } from '@tablecast/protocol';
import { PublishError } from '../errors/errors.js';
import type { StreamCatalog } from '../catalog/stream-catalog.js';

/**
 * Validates a payload of canonical `stream` against the catalog's check and the encodability rules.
 * @throws PublishError(INVALID_PAYLOAD) with details.path of the first bad field
 */
export function validatePayload(catalog: StreamCatalog, stream: string, data: unknown): void {
  const problem = catalog.describe(stream).check?.(data) ?? null;
  if (problem) throw new PublishError(ErrorCode.INVALID_PAYLOAD, `${stream}: ${problem.path}: ${problem.message}`, { path: problem.path, stream });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PublishError(ErrorCode.INVALID_PAYLOAD, `${stream}: data: a payload is an object`, { path: 'data', stream });
  }
  const issue = payloadIssue(data, MAX_PAYLOAD_DEPTH);
  if (issue) {
    const path = ['data', ...issue.keys].join('.');
    throw new PublishError(ErrorCode.INVALID_PAYLOAD, `${stream}: ${path}: ${issue.problem}`, { path, stream });
  }
}

/** Payloads nest at most this deep (objects/arrays): deeper ones could not be serialized safely. */
const MAX_PAYLOAD_DEPTH = 32;

/** What makes a payload unpublishable, and where (keys from `data` down, outermost first). */
export interface PayloadIssue {
  keys: string[];
  problem: string;
}

/**
 * Why `v` cannot be published as it is, or null. A payload must encode to the same value in every
 * wire encoding (JSON and msgpack) and survive the broker and history, so it may hold only null,
 * booleans, strings, finite numbers, arrays and plain objects (an object property may be undefined:
 * both encodings omit or keep it as absent), nested at most `limit` levels. Refused: BigInt (a
 * msgpack int64 decodes to one; JSON cannot encode it), NaN and Infinity (JSON turns them into
 * null), undefined in an array, functions, symbols, and objects that are not plain (Date, Map,
 * binary): each would reach JSON and msgpack clients as different values or not at all.
 *
 * Allocates nothing unless it finds an issue: it runs on every in-process publish (30 Hz states of
 * ~100 objects; `Object.entries` here was a third of the server's allocations).
 */
export function payloadIssue(v: unknown, limit: number): PayloadIssue | null {
  const problem = valueProblem(v);
  if (problem) return { keys: [], problem };
  if (v === null || typeof v !== 'object') return null;
  if (limit <= 0) return { keys: [], problem: `nested deeper than ${MAX_PAYLOAD_DEPTH} levels` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const child: unknown = v[i];
      // The common leaves are settled here, without a call (this runs on every 30 Hz state).
      if (typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && Number.isFinite(child))) continue;
      const inner = child === undefined ? { keys: [], problem: 'undefined in an array (JSON sends null)' } : payloadIssue(child, limit - 1);
      if (inner) {
        inner.keys.unshift(String(i));
        return inner;
      }
    }
    return null;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    const child = o[k];
    if (child === undefined || typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && Number.isFinite(child))) continue;
    const inner = payloadIssue(child, limit - 1);
    if (inner) {
      inner.keys.unshift(k);
      return inner;
    }
  }
  return null;
}

/** Why a single value (not its children) cannot be encoded alike in JSON and msgpack, or null. */
function valueProblem(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(v) ? null : `${String(v)} is not a finite number (JSON sends null)`;
    case 'bigint':
      return 'a 64-bit integer (msgpack int64, decoded as a BigInt) cannot be encoded in JSON; send it as a 32-bit or float number, or a string';
    case 'undefined':
      return 'undefined is not a value';
    case 'function':
    case 'symbol':
      return `a ${typeof v} is not a value`;
    default: {
      if (v === null || Array.isArray(v)) return null;
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto === Object.prototype || proto === null) return null;
      const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return `a ${name} is not a plain object (JSON and msgpack would send different values)`;
    }
  }
}

