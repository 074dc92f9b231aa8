/**
 * Which object ball the cue ball hit first in a shot, read from the tracks: the first object ball
 * that starts moving after the cue ball did. An overhead camera at 30 fps cannot see the contact
 * itself, so the reading is given only when it is unambiguous:
 * - the shot must start with the cue ball moving (a ball moved by hand is not a shot);
 * - if two or more object balls start moving in the same frame (a cue ball at break speed travels
 *   up to ~0.27 m per frame and may touch two), nothing is judged;
 * - when no object ball was seen moving, the layouts before and after the shot decide: no object
 *   ball displaced by more than {@link DISPLACED_M} (or gone) is "nothing hit", exactly one is the
 *   ball hit (a soft contact too slow for the tracks' moving threshold), more are not judged.
 * Used by the eight-ball rules for the `no_contact` and `wrong_ball_first` fouls (WPA World
 * Standardized Rules, eight-ball: after the break the cue ball must first contact a ball of the
 * shooter's group, or the 8-ball once that group is cleared; hitting no ball is a foul).
 */
import { isCueBall, type BallTrack } from './ball-track.js';

/** What the reading needs of a track (a {@link BallTrack} has it): positions in metres. */
export type ContactTrack = Pick<BallTrack, 'id' | 'type' | 'number' | 'moving' | 'x' | 'y'>;

/** The reading at the end of a shot: an object ball's number, `null` (nothing hit) or `undefined` (not judged). */
export type FirstContactReading = number | null | undefined;

/** Displacement (metres) that counts an object ball as touched: well above the ~1.5 mm detection noise. */
export const DISPLACED_M = 0.01;

/** Follows one shot at a time: `begin` at `shot_started`, `sample` every frame, `end` at `balls_stopped`. */
export class FirstContact {
  private judged = false;
  /** Decided: a number, or 'ambiguous'; undefined while no object ball moved. */
  private first: number | 'ambiguous' | undefined;
  private readonly movingAtStart = new Set<string>();
  /** Object balls at the strike: id -> position and number. */
  private readonly layout = new Map<string, { x: number; y: number; number: number | null }>();

  /** Whether this shot is judged: it started with the cue ball moving. */
  get judging(): boolean {
    return this.judged;
  }

  /** Whether an object ball has been seen moving in this shot (the contact happened, maybe ambiguous). */
  get objectMoved(): boolean {
    return this.first !== undefined;
  }

  /** The shot starts with these tracks (those moving now set it off). */
  begin(tracks: Iterable<ContactTrack>): void {
    this.movingAtStart.clear();
    this.layout.clear();
    this.first = undefined;
    let cueMoving = false;
    const objects: ContactTrack[] = [];
    for (const t of tracks) {
      if (!isCueBall(t)) this.layout.set(t.id, { x: t.x, y: t.y, number: t.number });
      if (!t.moving) continue;
      this.movingAtStart.add(t.id);
      if (isCueBall(t)) cueMoving = true;
      else objects.push(t);
    }
    this.judged = cueMoving;
    // The cue ball may already have reached a ball in the frames its own start took to confirm.
    if (cueMoving && objects.length > 0) this.first = objects.length === 1 ? (objects[0]!.number ?? 'ambiguous') : 'ambiguous';
  }

  /** One frame of the shot. */
  sample(tracks: Iterable<ContactTrack>): void {
    if (!this.judged || this.first !== undefined) return;
    let found: ContactTrack | null = null;
    let many = false;
    for (const t of tracks) {
      if (!t.moving || isCueBall(t) || this.movingAtStart.has(t.id)) continue;
      if (found) many = true;
      found = t;
    }
    if (found) this.first = many || found.number === null ? 'ambiguous' : found.number;
  }

  /**
   * The shot ended (`tracks`: the table now): the first object ball hit, `null` for none,
   * `undefined` when not judged.
   */
  end(tracks: Iterable<ContactTrack>): FirstContactReading {
    if (!this.judged || this.first === 'ambiguous') return undefined;
    if (this.first !== undefined) return this.first;
    const now = new Map<string, ContactTrack>();
    for (const t of tracks) now.set(t.id, t);
    const touched: (number | null)[] = [];
    for (const [id, was] of this.layout) {
      const t = now.get(id);
      if (!t || Math.hypot(t.x - was.x, t.y - was.y) > DISPLACED_M) touched.push(was.number);
    }
    if (touched.length === 0) return null;
    return touched.length === 1 && touched[0] !== null ? touched[0] : undefined;
  }
}
