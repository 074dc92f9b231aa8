/**
 * Subscription filters (PROTOCOL section 4), compiled once per subscription.
 *
 * Filters split in two kinds:
 * - content filters (min_confidence, ball_ids, region, coordinates, include/exclude_fields,
 *   conditions, quality) change what a message says: clients with identical content filters share one
 *   variant, serialized once (the `variantKey`);
 * - delivery filters (max_fps / frame_rate, sample_rate, aggregation_window_ms) are per client.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ErrorCode, Filters as FiltersSchema, type CanonicalStream, type Filters } from '@tablecast/protocol';
import { ProtocolError } from './errors.js';
import { compileConditions, type ConditionPredicate } from './conditions.js';
import type { PixelSpace, TableToPixels } from './coordinates.js';

const checkFilters = TypeCompiler.Compile(FiltersSchema);

/** Context a transform needs that changes at run time. */
export interface TransformContext {
  /** Table metres -> 4K pixels, for `coordinates: pixels_4k`. */
  toPixels4k: TableToPixels;
  /** Table metres -> the video frames' pixels, for `coordinates: pixels` (coordinates.ts). */
  toImage: PixelSpace;
}

/** A content transform; returns null when the message must not be sent (conditions false). */
export type DataTransform = (data: Record<string, unknown>, ctx: TransformContext) => Record<string, unknown> | null;

/** Filters compiled for one stream. */
export interface CompiledFilters {
  /** Identical keys share one serialized variant; '' is the unfiltered variant. */
  variantKey: string;
  /** null when the content is unchanged. */
  transform: DataTransform | null;
  /** Messages per second at most, or 0. */
  maxFps: number;
  /** Send every n-th message (1 = all). */
  sampleRate: number;
  /** Batch window in ms, or 0. */
  aggregationMs: number;
  /** JPEG quality variant of `frame`, when asked for. */
  quality: 'low' | 'medium' | 'high' | null;
  /** The filters as given (for status and REST). */
  raw: Filters;
}

/**
 * Validates raw filters.
 * @throws ProtocolError(INVALID_FILTER) naming the first bad field in `details.path`
 */
export function validateFilters(raw: unknown): Filters {
  if (raw === undefined || raw === null) return {};
  if (!checkFilters.Check(raw)) {
    const e = checkFilters.Errors(raw).First();
    const path = `filters${e?.path.replaceAll('/', '.') ?? ''}`;
    throw new ProtocolError(ErrorCode.INVALID_FILTER, `${path}: ${e?.message ?? 'invalid'}`, { path });
  }
  if (raw.region && (raw.region.width <= 0 || raw.region.height <= 0)) {
    throw new ProtocolError(ErrorCode.INVALID_FILTER, 'filters.region: width and height must be > 0', { path: 'filters.region' });
  }
  return raw;
}

const BALL_STREAMS = new Set<CanonicalStream>(['state', 'trajectory']);

/**
 * Compiles validated filters for `stream`.
 * @throws ProtocolError(INVALID_FILTER) for bad conditions
 */
export function compileFilters(filters: Filters, stream: CanonicalStream): CompiledFilters {
  const content: Record<string, unknown> = {};
  const ballStream = BALL_STREAMS.has(stream);
  if (ballStream) {
    if (filters.min_confidence !== undefined) content.min_confidence = filters.min_confidence;
    if (filters.ball_ids) content.ball_ids = [...filters.ball_ids].map(String).sort();
    if (filters.region) content.region = filters.region;
    if (filters.coordinates === 'pixels_4k' || filters.coordinates === 'pixels') content.coordinates = filters.coordinates;
  }
  if (filters.include_fields) content.include_fields = [...filters.include_fields].sort();
  if (filters.exclude_fields) content.exclude_fields = [...filters.exclude_fields].sort();
  if (filters.conditions) content.conditions = filters.conditions;
  const quality = stream === 'frame' && filters.quality ? filters.quality : null;
  if (quality) content.quality = quality;

  const steps: DataTransform[] = [];
  if (filters.conditions) {
    const pred: ConditionPredicate = compileConditions(filters.conditions);
    steps.push((d) => (pred(d) ? d : null));
  }
  if (ballStream && (content.min_confidence !== undefined || content.ball_ids || content.region)) {
    steps.push(stream === 'state' ? stateBallFilter(filters) : trajectoryBallFilter(filters));
  }
  if (ballStream && content.coordinates) {
    const space = content.coordinates === 'pixels' ? imageSpace : fourKSpace;
    steps.push(stream === 'state' ? statePixels(space, content.coordinates as string) : trajectoryPixels(space, content.coordinates as string));
  }
  if (filters.include_fields || filters.exclude_fields) steps.push(fieldFilter(filters.include_fields, filters.exclude_fields));

  const transform: DataTransform | null =
    steps.length === 0
      ? null
      : (data, ctx) => {
          let d: Record<string, unknown> | null = data;
          for (const s of steps) {
            d = s(d, ctx);
            if (d === null) return null;
          }
          return d;
        };
  return {
    variantKey: Object.keys(content).length === 0 ? '' : stableJson(content),
    transform,
    maxFps: filters.max_fps ?? filters.frame_rate ?? 0,
    sampleRate: filters.sample_rate ?? 1,
    aggregationMs: filters.aggregation_window_ms ?? 0,
    quality,
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

type Pt = { x: number; y: number };
type BallLike = { id?: unknown; number?: unknown; confidence?: unknown; position?: Pt };

function inRegion(p: Pt | undefined, r: Filters['region']): boolean {
  if (!r) return true;
  if (!p) return false;
  return p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

function idMatch(ids: Set<string> | null, ...candidates: unknown[]): boolean {
  if (!ids) return true;
  return candidates.some((c) => c !== undefined && c !== null && ids.has(String(c)));
}

function stateBallFilter(f: Filters): DataTransform {
  const ids = f.ball_ids ? new Set(f.ball_ids.map(String)) : null;
  const minConf = f.min_confidence ?? 0;
  return (d) => {
    const balls = Array.isArray(d.balls) ? (d.balls as BallLike[]) : [];
    const kept = balls.filter(
      (b) => (typeof b.confidence !== 'number' || b.confidence >= minConf) && idMatch(ids, b.id, b.number) && inRegion(b.position, f.region),
    );
    return { ...d, balls: kept, ball_count: kept.length };
  };
}

function trajectoryBallFilter(f: Filters): DataTransform {
  const ids = f.ball_ids ? new Set(f.ball_ids.map(String)) : null;
  const minConf = f.min_confidence ?? 0;
  type Line = { start?: Pt; end?: Pt; ball_id?: unknown; confidence?: unknown };
  type Coll = { position?: Pt; ball1_id?: unknown; ball2_id?: unknown };
  return (d) => {
    const lines = ((d.lines as Line[] | undefined) ?? []).filter(
      (l) =>
        idMatch(ids, l.ball_id) &&
        (typeof l.confidence !== 'number' || l.confidence >= minConf) &&
        (!f.region || inRegion(l.start, f.region) || inRegion(l.end, f.region)),
    );
    const collisions = ((d.collisions as Coll[] | undefined) ?? []).filter(
      (c) => idMatch(ids, c.ball1_id, c.ball2_id) && inRegion(c.position, f.region),
    );
    const pocketed = Array.isArray(d.pocketed) ? (d.pocketed as unknown[]).filter((p) => idMatch(ids, p)) : d.pocketed;
    return { ...d, lines, collisions, pocketed, line_count: lines.length, collision_count: collisions.length };
  };
}

/** Which pixel space of the context a transform maps into. */
type SpaceOf = (ctx: TransformContext) => PixelSpace;
const ONE: [number, number] = [1, 1];
const fourKSpace: SpaceOf = (ctx) => ({ map: ctx.toPixels4k, scale: ONE });
const imageSpace: SpaceOf = (ctx) => ctx.toImage;

function mapPos(p: unknown, s: PixelSpace): unknown {
  if (!p || typeof p !== 'object') return p;
  const q = p as Pt;
  if (typeof q.x !== 'number' || typeof q.y !== 'number') return p;
  const m = s.map(q.x, q.y);
  return { ...q, x: m.x, y: m.y, scale: s.scale };
}

function mapVel(pos: unknown, vel: unknown, s: PixelSpace): unknown {
  if (!pos || !vel || typeof pos !== 'object' || typeof vel !== 'object') return vel;
  const p = pos as Pt;
  const v = vel as Pt;
  const a = s.map(p.x, p.y);
  const b = s.map(p.x + v.x, p.y + v.y);
  return { ...v, x: b.x - a.x, y: b.y - a.y, scale: s.scale };
}

/** A radius in metres at `pos` in pixels (the mean of the two axes' local scale). */
function mapRadius(pos: unknown, r: unknown, s: PixelSpace): unknown {
  if (typeof r !== 'number' || !pos || typeof pos !== 'object') return r;
  const p = pos as Pt;
  if (typeof p.x !== 'number' || typeof p.y !== 'number') return r;
  const a = s.map(p.x, p.y);
  const bx = s.map(p.x + r, p.y);
  const by = s.map(p.x, p.y + r);
  return (Math.hypot(bx.x - a.x, bx.y - a.y) + Math.hypot(by.x - a.x, by.y - a.y)) / 2;
}

function statePixels(spaceOf: SpaceOf, name: string): DataTransform {
  return (d, ctx) => {
    const s = spaceOf(ctx);
    const balls = Array.isArray(d.balls)
      ? (d.balls as Record<string, unknown>[]).map((b) => ({
          ...b,
          position: mapPos(b.position, s),
          velocity: mapVel(b.position, b.velocity, s),
          radius: mapRadius(b.position, b.radius, s),
          coordinates: name,
        }))
      : d.balls;
    const c = d.cue && typeof d.cue === 'object' ? (d.cue as Record<string, unknown>) : null;
    const cue = c ? { ...c, tip_position: mapPos(c.tip_position, s), ...(c.position ? { position: mapPos(c.position, s) } : {}) } : d.cue;
    return { ...d, balls, cue, coordinates: name };
  };
}

function trajectoryPixels(spaceOf: SpaceOf, name: string): DataTransform {
  return (d, ctx) => {
    const s = spaceOf(ctx);
    return {
      ...d,
      lines: ((d.lines as Record<string, unknown>[] | undefined) ?? []).map((l) => ({ ...l, start: mapPos(l.start, s), end: mapPos(l.end, s) })),
      collisions: ((d.collisions as Record<string, unknown>[] | undefined) ?? []).map((c) => ({ ...c, position: mapPos(c.position, s) })),
      coordinates: name,
    };
  };
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
