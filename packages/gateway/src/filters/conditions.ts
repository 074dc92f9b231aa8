/**
 * `conditions` filter evaluation (PROTOCOL section 4): `{path: value}` (equality) or
 * `{path: {op: value}}` with ops eq ne gt ge lt le in not_in contains. Paths are dot-separated keys
 * into `data`; numeric segments index arrays (`balls.0.id`).
 */
import { ErrorCode } from '@tablecast/protocol';
import { ProtocolError } from '../errors/errors.js';

const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'not_in', 'contains']);

/** One compiled condition. */
interface Condition {
  path: string[];
  op: string;
  value: unknown;
}

/** A compiled predicate over a message's `data`. */
export type ConditionPredicate = (data: Record<string, unknown>) => boolean;

/**
 * Compiles a conditions object.
 * @throws ProtocolError(INVALID_FILTER) with details.path naming the bad condition
 */
export function compileConditions(conditions: Record<string, unknown>): ConditionPredicate {
  const list: Condition[] = [];
  for (const [path, spec] of Object.entries(conditions)) {
    const segments = path.split('.');
    if (segments.some((s) => s === '')) throw bad(path, 'empty path segment');
    if (nestedDeeperThan(spec, MAX_VALUE_DEPTH)) throw bad(path, `value nested deeper than ${MAX_VALUE_DEPTH} levels`);
    if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
      const entries = Object.entries(spec as Record<string, unknown>);
      if (entries.length === 0) throw bad(path, 'operator object is empty');
      for (const [op, value] of entries) {
        if (!OPS.has(op)) throw bad(`${path}.${op}`, `unknown operator "${op}" (expected ${[...OPS].join(', ')})`);
        if ((op === 'in' || op === 'not_in') && !Array.isArray(value)) throw bad(`${path}.${op}`, `${op} needs an array`);
        if (['gt', 'ge', 'lt', 'le'].includes(op) && typeof value !== 'number' && typeof value !== 'string') {
          throw bad(`${path}.${op}`, `${op} needs a number or string`);
        }
        list.push({ path: segments, op, value });
      }
    } else {
      list.push({ path: segments, op: 'eq', value: spec });
    }
  }
  return (data) => list.every((c) => test(get(data, c.path), c.op, c.value));
}

/** Condition values nest at most this deep (objects/arrays); deeper ones are refused, not recursed into. */
const MAX_VALUE_DEPTH = 16;

/** True when `v` has more than `limit` levels of objects/arrays (stops looking past the limit). */
function nestedDeeperThan(v: unknown, limit: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (limit <= 0) return true;
  for (const child of Object.values(v as Record<string, unknown>)) if (nestedDeeperThan(child, limit - 1)) return true;
  return false;
}

function bad(path: string, message: string): ProtocolError {
  return new ProtocolError(ErrorCode.INVALID_FILTER, `conditions.${path}: ${message}`, { path: `filters.conditions.${path}` });
}

function get(data: unknown, path: string[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function test(actual: unknown, op: string, expected: unknown): boolean {
  switch (op) {
    case 'eq':
      return equal(actual, expected);
    case 'ne':
      return !equal(actual, expected);
    case 'gt':
      return actual !== undefined && actual !== null && (actual as number) > (expected as number);
    case 'ge':
      return actual !== undefined && actual !== null && (actual as number) >= (expected as number);
    case 'lt':
      return actual !== undefined && actual !== null && (actual as number) < (expected as number);
    case 'le':
      return actual !== undefined && actual !== null && (actual as number) <= (expected as number);
    case 'in':
      return (expected as unknown[]).some((v) => equal(actual, v));
    case 'not_in':
      return !(expected as unknown[]).some((v) => equal(actual, v));
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
      if (Array.isArray(actual)) return actual.some((v) => equal(v, expected));
      return false;
    default:
      return false;
  }
}
