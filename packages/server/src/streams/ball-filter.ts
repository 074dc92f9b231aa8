/**
 * The ball-selection content filter of `state` and `trajectory` (PROTOCOL section 4):
 * `ball_ids` (ids or numbers), `min_confidence` (0..1) and `region` (a rectangle in table metres,
 * x/y its lower corner). Balls, lines and collisions outside the selection are removed; the counts
 * that go with them are updated.
 */
import { ErrorCode, type Filters } from '@tablecast/protocol';
import { ProtocolError, type DataTransform, type FilterPlugin } from '@tablecast/gateway';
import { BALL_STREAMS } from './ball-streams.js';

/** The plugin; register it before the coordinates filter (selection happens in table metres). */
export function ballSelectionFilter(): FilterPlugin {
  return {
    name: 'balls',
    validate(f) {
      if (f.region && (f.region.width <= 0 || f.region.height <= 0)) {
        throw new ProtocolError(ErrorCode.INVALID_FILTER, 'filters.region: width and height must be > 0', { path: 'filters.region' });
      }
    },
    key(f, stream) {
      if (!BALL_STREAMS.has(stream) || (f.min_confidence === undefined && !f.ball_ids && !f.region)) return undefined;
      return {
        ...(f.min_confidence !== undefined ? { min_confidence: f.min_confidence } : {}),
        ...(f.ball_ids ? { ball_ids: [...f.ball_ids].map(String).sort() } : {}),
        ...(f.region ? { region: f.region } : {}),
      };
    },
    compile: (f, stream) => ({ transform: stream === 'state' ? stateBallFilter(f) : trajectoryBallFilter(f) }),
  };
}

/** A point in table metres. */
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

