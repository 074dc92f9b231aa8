/**
 * Whether any ball reached a cushion after the cue ball's contact with an object ball, read from the
 * tracks: the rule "no rail after contact" (WPA World Standardized Rules, General Rules 6.3: when no
 * ball is pocketed, the cue ball must contact an object ball and after that contact at least one
 * ball, cue ball or object ball, must contact a cushion; else it is a foul).
 *
 * An overhead camera at 30 fps does not see a ball touch the cushion; a ball counts as having
 * reached one (the cushion noses are the table's edges, x = 0 / width, y = 0 / height, metres) when
 * - its centre comes within its radius + {@link NEAR_M} of a cushion nose (a ball pressed against a
 *   cushion is measured at gap ~0; the ~1.5 mm detection noise is far below NEAR_M), or
 * - its motion along one axis reverses at a point no farther from the cushion it was heading for
 *   than the steps around it + NEAR_M, the steps (to that point over one frame, or over two when
 *   one is shorter; from it over one) each at least {@link TURN_M} (twice that while the tracks do
 *   not yet call the ball moving, their confirmation lagging a frame or two): the bounce of a fast
 *   ball that happened between two frames (above ~0.5 m/s normal speed the ball is never sampled
 *   near; the frame before the turn may show a short step, the ball having gone in and come back).
 * Every doubt goes to the shooter, so that a foul is called only when no ball came near a cushion:
 * - object balls count from the start of the shot (an object ball moves only once something hit
 *   it); the cue ball counts from the earliest frame the contact can have happened: the first frame
 *   whose cue-ball path (the segment between two measured positions) passes within touching
 *   distance (the two radii + NEAR_M) of an object ball, or {@link CUE_LEAD_FRAMES} frames before an
 *   object ball was first seen moving (the tracks confirm motion a few frames late), whichever is
 *   earlier; all the shot when neither was seen;
 * - a ball resting against a cushion when the shot starts (within NEAR_M) counts only after it has
 *   left every cushion by {@link LEAVE_M}: a ball frozen to a cushion is not driven to it by being
 *   hit (WPA General Rules 8.4, Driven to a Rail: only a ball not touching a cushion can be), and a
 *   push along that cushion looks the same from above;
 * - a bounce off another ball close to a cushion also counts (it cannot be told apart), and so does
 *   an object ball no longer tracked at the end (pocketed, its jaw contact unseen, or lost from
 *   view; a shot that pocketed a ball needs no cushion anyway).
 * Not judged (undefined): shots that do not start with the cue ball moving, and shots where no
 * object ball moved or was displaced by more than {@link DISPLACED_M} (first-contact.ts reads those
 * as "nothing hit").
 *
 * The same reading counts the object balls that reached a cushion in the shot (each once, by the
 * same tests; a ball gone from the table is not counted): the break is legal when it pockets a
 * ball or drives at least four object balls to a cushion (WPA World Standardized Rules,
 * eight-ball, Legal Break Shot; else the incoming player may play on or have the balls re-racked).
 * Against the physics: 14 seeds of 60 breaks at random power, every illegal one read so and no
 * legal one read illegal; the count exact on 822 of the 840.
 *
 * Measured against the physics (test/core/rail-contact.test.ts: random layouts and shots, 30 fps,
 * 1.5 mm noise, missed detections): over 72 seeds, ~17,600 shots, no shot with a cushion contact
 * read as "no rail"; about 85 % of the shots without one read so, the rest given to the shooter.
 */
import { isCueBall, type BallTrack } from './ball-track.js';
import { DISPLACED_M, type FirstContact } from './first-contact.js';
import { distanceToSegment } from './segment-distance.js';

/**
 * What the reading needs of a track (a {@link BallTrack} has it): the measured position (not the
 * still-ball smoothing of `x`/`y`, which flattens the first frames of a ball's motion, the tracks
 * calling it moving a frame or two late) and radius, metres.
 */
export type RailTrack = Pick<BallTrack, 'id' | 'type' | 'number' | 'moving' | 'missed' | 'measuredX' | 'measuredY' | 'radius'>;

/** The playing surface: cushion noses at x = 0 and `width`, y = 0 and `height` (metres). */
export interface CushionBox {
  width: number;
  height: number;
}

/**
 * Gap (metres) between a ball and a cushion nose that counts as contact: ~6x the detection noise
 * (a ball bouncing at ~0.5 m/s is sampled up to ~8 mm off the cushion).
 */
export const NEAR_M = 0.01;
/** Distance (metres) a ball frozen to a cushion must move off every cushion before it counts again. */
export const LEAVE_M = 0.02;
/** Smallest step per frame (metres) that shows a direction: 2x the ~1.5 mm detection noise. */
export const TURN_M = 0.003;
/** Frames before the object ball's first moving frame from which the cue ball's cushions count. */
export const CUE_LEAD_FRAMES = 3;

/** A ball's last measured position, the step that reached it (`dx`, `dy`) and the last two steps together (`dx2`, `dy2`), metres. */
interface Previous {
  x: number;
  y: number;
  dx: number;
  dy: number;
  dx2: number;
  dy2: number;
  moving: boolean;
}

/** Gap (metres) between the ball's surface and the nearest cushion nose. */
function cushionGap(t: RailTrack, box: CushionBox): number {
  return Math.min(t.measuredX, box.width - t.measuredX, t.measuredY, box.height - t.measuredY) - t.radius;
}

/**
 * Whether the motion along one axis turned at `from` (the previous position, reached by step `a1`,
 * or by `a2` over the two steps before when `a1` is short; left by step `b`) close to the cushion it
 * was heading for (at 0 or at `size`); steps shorter than `minStep` show no direction.
 */
function turnedAtCushion(from: number, a1: number, a2: number, b: number, radius: number, size: number, minStep: number): boolean {
  const a = Math.abs(a1) >= minStep ? a1 : a2;
  if (Math.abs(a) < minStep || Math.abs(b) < minStep || Math.sign(a) === Math.sign(b)) return false;
  const gap = a > 0 ? size - from - radius : from - radius;
  return gap <= Math.max(Math.abs(a), Math.abs(b)) + NEAR_M;
}

/** What a shot showed of the cushions. */
export interface RailReading {
  /** Whether a ball reached a cushion after the cue ball's contact; undefined when not judged. */
  afterContact: boolean | undefined;
  /** Object balls that reached a cushion in the shot; undefined when the cue ball did not start it. */
  objectBalls: number | undefined;
}

/** What the reading takes of the shot's {@link FirstContact}: whether it is judged, and when an object ball first moved. */
export type ContactOnset = Pick<FirstContact, 'judging' | 'objectMoved'>;

/**
 * Follows one shot at a time: `begin` at `shot_started`, `sample` every frame, `end` at
 * `balls_stopped`; `begin` and `sample` after the same calls of the shot's {@link FirstContact},
 * which says whether the shot is judged and when the contact happened.
 */
export class RailContact {
  private judged = false;
  private frame = 0;
  /** Frame in which an object ball was first seen moving (the FirstContact's onset); undefined while none was. */
  private contactFrame: number | undefined;
  /** First frame whose cue-ball path came within touching distance of an object ball. */
  private touchFrame: number | undefined;
  /** This frame's tracks (the iterable given to `sample` is read once). */
  private readonly current: RailTrack[] = [];
  /** Object balls that reached a cushion in this shot. */
  private readonly driven = new Set<string>();
  /** Last frame in which the cue ball reached a cushion (-Infinity: none). */
  private lastCueRail = -Infinity;
  private readonly frozen = new Set<string>();
  private readonly layout = new Map<string, { x: number; y: number }>();
  private readonly previous = new Map<string, Previous>();
  private box: CushionBox = { width: 0, height: 0 };

  /** The shot starts with these tracks on `box` (`contact`: the shot's FirstContact, begun with them). */
  begin(tracks: Iterable<RailTrack>, box: CushionBox, contact: ContactOnset): void {
    this.box = { width: box.width, height: box.height };
    this.frame = 0;
    this.contactFrame = undefined;
    this.touchFrame = undefined;
    this.driven.clear();
    this.lastCueRail = -Infinity;
    this.frozen.clear();
    this.layout.clear();
    this.previous.clear();
    for (const t of tracks) {
      if (cushionGap(t, this.box) <= NEAR_M) this.frozen.add(t.id);
      if (!isCueBall(t)) this.layout.set(t.id, { x: t.measuredX, y: t.measuredY });
      this.previous.set(t.id, { x: t.measuredX, y: t.measuredY, dx: 0, dy: 0, dx2: 0, dy2: 0, moving: t.moving });
    }
    this.judged = contact.judging;
    // The cue ball may already have reached a ball in the frames its own start took to confirm.
    if (contact.objectMoved) this.contactFrame = 0;
  }

  /** One frame of the shot (`contact`: the shot's FirstContact, sampled with the same tracks). */
  sample(tracks: Iterable<RailTrack>, contact: ContactOnset): void {
    if (!this.judged) return;
    this.frame++;
    if (this.contactFrame === undefined && contact.objectMoved) this.contactFrame = this.frame;
    const current = this.current;
    current.length = 0;
    let cue: RailTrack | undefined;
    for (const t of tracks) {
      current.push(t);
      if (isCueBall(t)) cue = t;
    }
    if (this.touchFrame === undefined && cue && cue.missed === 0 && this.touching(cue, current)) this.touchFrame = this.frame;
    for (const t of current) {
      if (t.missed > 0) continue; // not seen: its position is the last measured one
      if (!this.reachedCushion(t)) continue;
      if (t === cue) this.lastCueRail = this.frame;
      else this.driven.add(t.id);
    }
  }

  /** Whether the cue ball's path since its last measured position passed within touching distance of an object ball. */
  private touching(cue: RailTrack, tracks: RailTrack[]): boolean {
    const prev = this.previous.get(cue.id);
    const fx = prev ? prev.x : cue.measuredX;
    const fy = prev ? prev.y : cue.measuredY;
    const sx = cue.measuredX - fx;
    const sy = cue.measuredY - fy;
    for (const t of tracks) {
      if (t !== cue && distanceToSegment(t.measuredX, t.measuredY, fx, fy, sx, sy) <= cue.radius + t.radius + NEAR_M) return true;
    }
    return false;
  }

  /** The shot ended (`tracks`: the table now): see {@link RailReading}. */
  end(tracks: Iterable<RailTrack>): RailReading {
    if (!this.judged) return { afterContact: undefined, objectBalls: undefined };
    const now = new Map<string, RailTrack>();
    for (const t of tracks) now.set(t.id, t);
    const objectBalls = this.driven.size;
    if (this.contactFrame === undefined && !this.displacedObject(now)) return { afterContact: undefined, objectBalls };
    if (objectBalls > 0 || [...this.layout.keys()].some((id) => !now.has(id))) return { afterContact: true, objectBalls };
    const from = Math.min(this.touchFrame ?? Infinity, this.contactFrame === undefined ? Infinity : this.contactFrame - CUE_LEAD_FRAMES);
    return { afterContact: this.lastCueRail >= (from === Infinity ? 0 : from), objectBalls };
  }

  /** Whether `t` reached a cushion in this frame (see the module comment); updates its history. */
  private reachedCushion(t: RailTrack): boolean {
    const prev = this.previous.get(t.id);
    if (!prev) {
      this.previous.set(t.id, { x: t.measuredX, y: t.measuredY, dx: 0, dy: 0, dx2: 0, dy2: 0, moving: t.moving });
      return !this.frozen.has(t.id) && cushionGap(t, this.box) <= NEAR_M;
    }
    const { x: px, y: py, dx: pdx, dy: pdy, dx2: pdx2, dy2: pdy2, moving: pmoving } = prev;
    const dx = t.measuredX - px;
    const dy = t.measuredY - py;
    // Updated in place: this runs for every ball in every frame of a shot.
    prev.x = t.measuredX;
    prev.y = t.measuredY;
    prev.dx = dx;
    prev.dy = dy;
    prev.dx2 = pdx + dx;
    prev.dy2 = pdy + dy;
    prev.moving = t.moving;
    const gap = cushionGap(t, this.box);
    if (this.frozen.has(t.id)) {
      if (gap > LEAVE_M) this.frozen.delete(t.id);
      return false;
    }
    if (gap <= NEAR_M) return true;
    const minStep = t.moving || pmoving ? TURN_M : 2 * TURN_M;
    return turnedAtCushion(px, pdx, pdx2, dx, t.radius, this.box.width, minStep) || turnedAtCushion(py, pdy, pdy2, dy, t.radius, this.box.height, minStep);
  }

  /** Whether an object ball of the layout at the strike is gone or displaced by more than DISPLACED_M. */
  private displacedObject(now: ReadonlyMap<string, RailTrack>): boolean {
    for (const [id, was] of this.layout) {
      const t = now.get(id);
      if (!t || Math.hypot(t.measuredX - was.x, t.measuredY - was.y) > DISPLACED_M) return true;
    }
    return false;
  }
}
