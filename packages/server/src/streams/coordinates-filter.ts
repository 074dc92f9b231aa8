/**
 * The `coordinates` content filter of `state` and `trajectory` (PROTOCOL section 4): positions,
 * velocities and radii from table metres into pixels.
 * - `pixels_4k`: the original 3840x2160 camera space (through the camera calibration when there is one);
 * - `pixels`: the video frames' own pixels, each position with `scale` to 4K (what the original's
 *   clients expect, docs/COMPATIBILITY.md).
 * The mapping is read at render time from a {@link TablePixels}, which follows the calibration the
 * states carry (calibration-follower.ts).
 */
import type { FilterPlugin, DataTransform } from '@tablecast/gateway';
import type { PixelSpace } from './coordinates.js';
import type { TablePixels } from './table-pixels.js';
import { BALL_STREAMS } from './ball-streams.js';

type Pt = { x: number; y: number };

/** The plugin, reading the current mapping from `pixels`. */
export function coordinatesFilter(pixels: TablePixels): FilterPlugin {
  const ONE_SCALE: [number, number] = [1, 1];
  const spaces = {
    pixels_4k: (): PixelSpace => ({ map: pixels.toPixels4k, scale: ONE_SCALE }),
    pixels: (): PixelSpace => pixels.toImage,
  };
  return {
    name: 'coordinates',
    key: (f, stream) => (BALL_STREAMS.has(stream) && (f.coordinates === 'pixels_4k' || f.coordinates === 'pixels') ? f.coordinates : undefined),
    compile(f, stream) {
      const name = f.coordinates as 'pixels_4k' | 'pixels';
      return { transform: stream === 'state' ? statePixels(spaces[name], name) : trajectoryPixels(spaces[name], name) };
    },
  };
}

/** Which pixel space of the context a transform maps into. */
type SpaceOf = () => PixelSpace;

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
  return (d) => {
    const s = spaceOf();
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
  return (d) => {
    const s = spaceOf();
    return {
      ...d,
      lines: ((d.lines as Record<string, unknown>[] | undefined) ?? []).map((l) => ({ ...l, start: mapPos(l.start, s), end: mapPos(l.end, s) })),
      collisions: ((d.collisions as Record<string, unknown>[] | undefined) ?? []).map((c) => ({ ...c, position: mapPos(c.position, s) })),
      coordinates: name,
    };
  };
}

