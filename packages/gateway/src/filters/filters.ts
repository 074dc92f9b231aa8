/**
 * Subscription filters (PROTOCOL section 4), compiled once per subscription.
 *
 * Filters split in two kinds:
 * - content filters change what a message says: clients with identical content filters share one
 *   variant, serialized once (the `variantKey`). The engine's own are `conditions` and
 *   `include_fields`/`exclude_fields`; the application adds its own as {@link FilterPlugin}s
 *   (the billiards server: ball_ids, min_confidence, region, coordinates, quality);
 * - delivery filters (max_fps / frame_rate, sample_rate, aggregation_window_ms) are per client.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ErrorCode, Filters as FiltersSchema, type Filters } from '@tablecast/protocol';
import { ProtocolError } from '../errors/errors.js';
import { compileConditions, type ConditionPredicate } from './conditions.js';

const checkFilters = TypeCompiler.Compile(FiltersSchema);

/** A content transform; returns null when the message must not be sent (conditions false). */
export type DataTransform = (data: Record<string, unknown>) => Record<string, unknown> | null;

/** An asynchronous content transform (re-encoding a frame); run in order per variant. */
export type AsyncDataTransform = (data: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** What a plugin contributes to one subscription's variant. */
export interface FilterStep {
  transform?: DataTransform;
  transformAsync?: AsyncDataTransform;
}

/**
 * A content filter the application registers. For each subscription the engine asks every plugin
 * for its part of the variant key; a plugin that returns undefined does not apply (to this stream,
 * or with these filters) and is not compiled.
 */
export interface FilterPlugin {
  /** Names the plugin in the variant key (unique per hub). */
  readonly name: string;
  /**
   * Checks the plugin's filter fields beyond the schema (e.g. a region of positive size).
   * @throws ProtocolError(INVALID_FILTER) naming the field in `details.path`
   */
  validate?(filters: Filters): void;
  /** The filter values this plugin acts on, normalized (equal filters give equal keys), or undefined. */
  key(filters: Filters, stream: string): unknown;
  /** The transform for these filters on `stream`; called only when {@link key} returned a value. */
  compile(filters: Filters, stream: string): FilterStep;
}

/** Filters compiled for one stream. */
export interface CompiledFilters {
  /** Identical keys share one serialized variant; '' is the unfiltered variant. */
  variantKey: string;
  /** null when the content is unchanged. */
  transform: DataTransform | null;
  /** Asynchronous step after `transform` (e.g. JPEG re-encoding), or null. */
  transformAsync: AsyncDataTransform | null;
  /** Messages per second at most, or 0. */
  maxFps: number;
  /** Send every n-th message (1 = all). */
  sampleRate: number;
  /** Batch window in ms, or 0. */
  aggregationMs: number;
  /** The filters as given (for status and REST). */
  raw: Filters;
}

/**
 * Validates raw filters against the protocol's filter schema, then each plugin's own rules.
 * @throws ProtocolError(INVALID_FILTER) naming the first bad field in `details.path`
 */
export function validateFilters(raw: unknown, plugins: readonly FilterPlugin[] = []): Filters {
  if (raw === undefined || raw === null) return {};
  if (!checkFilters.Check(raw)) {
    const e = checkFilters.Errors(raw).First();
    const path = `filters${e?.path.replaceAll('/', '.') ?? ''}`;
    throw new ProtocolError(ErrorCode.INVALID_FILTER, `${path}: ${e?.message ?? 'invalid'}`, { path });
  }
  for (const p of plugins) p.validate?.(raw);
  return raw;
}

/**
 * Compiles validated filters for `stream`: conditions first, then the plugins in registration
 * order, then the field selection.
 * @throws ProtocolError(INVALID_FILTER) for bad conditions
 */
export function compileFilters(filters: Filters, stream: string, plugins: readonly FilterPlugin[] = []): CompiledFilters {
  const content: Record<string, unknown> = {};
  const steps: DataTransform[] = [];
  const asyncSteps: AsyncDataTransform[] = [];
  if (filters.conditions) {
    content.conditions = filters.conditions;
    const pred: ConditionPredicate = compileConditions(filters.conditions);
    steps.push((d) => (pred(d) ? d : null));
  }
  for (const p of plugins) {
    const key = p.key(filters, stream);
    if (key === undefined) continue;
    content[p.name] = key;
    const step = p.compile(filters, stream);
    if (step.transform) steps.push(step.transform);
    if (step.transformAsync) asyncSteps.push(step.transformAsync);
  }
  if (filters.include_fields) content.include_fields = [...filters.include_fields].sort();
  if (filters.exclude_fields) content.exclude_fields = [...filters.exclude_fields].sort();
  if (filters.include_fields || filters.exclude_fields) steps.push(fieldFilter(filters.include_fields, filters.exclude_fields));

  const transform: DataTransform | null =
    steps.length === 0
      ? null
      : steps.length === 1
        ? steps[0]!
        : (data) => {
            let d: Record<string, unknown> | null = data;
            for (const s of steps) {
              d = s(d);
              if (d === null) return null;
            }
            return d;
          };
  const transformAsync: AsyncDataTransform | null =
    asyncSteps.length === 0
      ? null
      : async (data) => {
          let d = data;
          for (const s of asyncSteps) d = await s(d);
          return d;
        };
  return {
    variantKey: Object.keys(content).length === 0 ? '' : stableJson(content),
    transform,
    transformAsync,
    maxFps: filters.max_fps ?? filters.frame_rate ?? 0,
    sampleRate: filters.sample_rate ?? 1,
    aggregationMs: filters.aggregation_window_ms ?? 0,
    raw: filters,
  };
}

/** JSON with sorted object keys, so equal filters give equal keys. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function fieldFilter(include: string[] | undefined, exclude: string[] | undefined): DataTransform {
  const inc = include ? new Set(include) : null;
  const exc = new Set(exclude ?? []);
  return (d) => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(d)) if ((!inc || inc.has(k)) && !exc.has(k)) out[k] = d[k];
    return out;
  };
}
