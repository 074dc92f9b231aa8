/**
 * The current eight-ball game as the core can read it from the table: two players taking turns,
 * groups (solids 1-7, stripes 9-15) assigned by the first shot that pockets balls of one group only,
 * fouls, balls left per group, the winner. Fed with the game events (game-events.ts) and the state.
 *
 * Rules applied (World Pool-Billiard Association eight-ball, as far as an overhead camera sees):
 * - a shot ends at `balls_stopped`; the shooter keeps the table when the shot pocketed at least one
 *   ball of the shooter's group (any object ball while the table is open) and was not a foul;
 * - fouls, counted per player, one reason per shot in this order: the cue ball pocketed
 *   (`scratch`); after the break, the cue ball hit no ball (`no_contact`) or first hit a ball not of
 *   the shooter's group, or not the 8-ball once the group is cleared (`wrong_ball_first`), as far as
 *   the tracks tell it (`first_contact` of `balls_stopped`, first-contact.ts: not judged when
 *   ambiguous; a wrong ball not on an open table); after the break, when the shot pocketed no
 *   ball, no ball reaching a cushion after the contact (`no_rail`; `rail_after_contact` of
 *   `balls_stopped`, rail-contact.ts: every doubt goes to the shooter);
 * - the break is legal when it pockets an object ball or drives at least four to a cushion
 *   (`balls_to_cushion` of `balls_stopped`; WPA eight-ball, Legal Break Shot): `legal_break` of the
 *   shot, when read. An illegal break is no foul; the turn passes (the incoming player may play on
 *   or have the balls re-racked, and a new rack starts a new game);
 * - groups: the table is open after the break; then the first shot without a foul that pockets
 *   balls of one group only gives that group to the shooter and the other to the opponent;
 * - the 8-ball pocketed ends the game: the shooter wins when the shooter's group was cleared before
 *   the shot and it was not a foul, else the opponent wins; on the break it does not (the rules
 *   re-spot it);
 * - `game_started` (a new rack) starts a new game, player 1 to break. A game joined without a rack
 *   seen (the server started mid-game, a photo of a game in progress) has no break: its first shot
 *   is an ordinary one.
 * Player names are "Player 1" and "Player 2" (the camera does not know who holds the cue).
 */
import type { GameSummary, ShotResult } from '@tablecast/protocol';
import type { GameEvent } from './game-events.js';

/** What the rules read of the game state: the balls on the table and their numbers. */
export interface TableBalls {
  balls(): Iterable<{ number: number | null }>;
}

/** An eight-ball group. */
export type Group = 'solids' | 'stripes';
type FoulReason = NonNullable<ShotResult['foul_reason']>;
/** The group of object ball `n`: solids 1-7, stripes 9-15, else null (the cue ball, the 8). */
const groupOf = (n: number | null): Group | null => (n !== null && n >= 1 && n <= 7 ? 'solids' : n !== null && n >= 9 && n <= 15 ? 'stripes' : null);

/**
 * The contact foul of a shot after the break, or null: nothing hit (`first_contact` null; a foul on
 * an open table too), or first a ball that was not the shooter's to hit (not judged on an open
 * table). Null when the contact was not read.
 */
function contactFoul(contact: unknown, group: Group | null, cleared: boolean): FoulReason | null {
  if (contact === null) return 'no_contact';
  if (typeof contact !== 'number' || group === null) return null;
  return legalFirstContact(contact, group, cleared) ? null : 'wrong_ball_first';
}

/**
 * Whether object ball `n` may be the cue ball's first contact for a shooter with `group` (after the
 * break, groups taken): a ball of the group, or the 8-ball once the group is `cleared`.
 */
export function legalFirstContact(n: number | null, group: Group, cleared: boolean): boolean {
  return cleared ? n === 8 : groupOf(n) === group;
}

/** See the module comment. */
export class EightBallRules {
  private summary: GameSummary = EightBallRules.fresh();
  private snapshot: GameSummary | null = null;
  private inShot: number[] = [];
  private scratched = false;
  /** Whether this game began with a rack on the table (so its first shot is the break). */
  private rackSeen = false;

  private static fresh(): GameSummary {
    return {
      game_type: 'eight_ball',
      players: [
        { name: 'Player 1', group: null, fouls: 0, pocketed: [] },
        { name: 'Player 2', group: null, fouls: 0, pocketed: [] },
      ],
      turn: 0, shots: 0, balls_left: { solids: 7, stripes: 7, eight: true }, last_shot: null, winner: null,
    };
  }

  /**
   * The game now, with the balls left counted on `state`. The same object until something changes
   * (published with every state at 30 Hz): treat it as read-only.
   */
  current(state?: TableBalls): Readonly<GameSummary> {
    if (state) this.count(state);
    this.snapshot ??= structuredClone(this.summary);
    return this.snapshot;
  }

  /**
   * Applies the events of one update; returns the events it derives: `foul` (with the player) and
   * `game_over` (with the winner), and adds the shot's result to the `balls_stopped` event (`shot`).
   */
  apply(events: GameEvent[], state: TableBalls): GameEvent[] {
    const out: GameEvent[] = [];
    for (const e of events) {
      switch (e.event) {
        case 'game_started':
          this.snapshot = null;
          this.summary = EightBallRules.fresh();
          this.inShot = [];
          this.scratched = false;
          this.rackSeen = true;
          break;
        case 'shot_started':
          this.inShot = [];
          this.scratched = false;
          break;
        case 'ball_pocketed':
          if (typeof e.number === 'number') this.inShot.push(e.number);
          break;
        case 'scratch':
          this.scratched = true;
          break;
        case 'balls_stopped':
          if (this.summary.winner === null) out.push(...this.endShot(e, state));
          break;
        default:
          break;
      }
    }
    return out;
  }

  private endShot(stopped: GameEvent, state: TableBalls): GameEvent[] {
    const g = this.summary;
    const shooter = g.turn;
    const player = g.players[shooter]!;
    const opponent = g.players[1 - shooter]!;
    const objects = this.inShot.filter((n) => n !== 0 && n !== 8);
    const clearedBefore = player.group !== null && this.leftOf(player.group, state) + objects.filter((n) => groupOf(n) === player.group).length === 0;
    const isBreak = g.shots === 0 && this.rackSeen;
    const reason = this.scratched ? 'scratch' : isBreak ? null : (contactFoul(stopped.first_contact, player.group, clearedBefore) ?? this.railFoul(stopped));
    const foul = reason !== null;
    player.pocketed.push(...objects.filter((n) => groupOf(n) === player.group || player.group === null));
    opponent.pocketed.push(...objects.filter((n) => player.group !== null && groupOf(n) === opponent.group));
    if (player.group === null && !isBreak && !foul && objects.length > 0) {
      const groups = new Set(objects.map(groupOf));
      if (groups.size === 1) {
        const mine = [...groups][0]!;
        player.group = mine;
        opponent.group = mine === 'solids' ? 'stripes' : 'solids';
      }
    }
    const own = objects.filter((n) => (player.group === null ? true : groupOf(n) === player.group));
    const turnKept = !foul && own.length > 0 && (isBreak || !this.inShot.includes(8));
    g.shots += 1;
    const contact = stopped.first_contact;
    const rail = stopped.rail_after_contact;
    const driven = stopped.balls_to_cushion;
    const result: ShotResult = {
      shot: g.shots, shooter, pocketed: [...this.inShot], foul, foul_reason: reason, turn_kept: turnKept,
      ...(typeof contact === 'number' || contact === null ? { first_contact: contact } : {}),
      ...(typeof rail === 'boolean' ? { rail_after_contact: rail } : {}),
      ...(typeof driven === 'number' ? { balls_to_cushion: driven } : {}),
      ...(isBreak && typeof driven === 'number' ? { legal_break: this.inShot.some((n) => n !== 0) || driven >= 4 } : {}),
    };
    g.last_shot = result;
    stopped.shot = result;
    const out: GameEvent[] = [];
    const base = { frame_number: stopped.frame_number, capture_timestamp: stopped.capture_timestamp };
    if (foul) {
      player.fouls += 1;
      out.push({ event: 'foul', ...base, player: shooter, reason, fouls: player.fouls, ...(typeof contact === 'number' ? { first_contact: contact } : {}) });
    }
    if (this.inShot.includes(8) && !isBreak) {
      g.winner = clearedBefore && !foul ? shooter : 1 - shooter;
      out.push({ event: 'game_over', ...base, winner: g.winner, reason: g.winner === shooter ? '8-ball pocketed after the group' : foul ? '8-ball pocketed with a foul' : '8-ball pocketed early' });
    } else if (!turnKept) {
      g.turn = 1 - shooter;
    }
    this.inShot = [];
    this.scratched = false;
    this.snapshot = null;
    this.count(state);
    return out;
  }

  /** `no_rail` when the shot pocketed nothing and no ball reached a cushion after the contact, else null. */
  private railFoul(stopped: GameEvent): FoulReason | null {
    return stopped.rail_after_contact === false && this.inShot.length === 0 ? 'no_rail' : null;
  }

  /** Balls of `group` still on the table. */
  private leftOf(group: Group, state: TableBalls): number {
    let n = 0;
    for (const t of state.balls()) if (groupOf(t.number) === group) n++;
    return n;
  }

  /** Balls left per group in one pass over the table (runs with every published state). */
  private count(state: TableBalls): void {
    let solids = 0;
    let stripes = 0;
    let eight = false;
    for (const t of state.balls()) {
      const n = t.number;
      if (n === null) continue;
      if (n >= 1 && n <= 7) solids++;
      else if (n >= 9 && n <= 15) stripes++;
      else if (n === 8) eight = true;
    }
    const was = this.summary.balls_left;
    if (was.solids === solids && was.stripes === stripes && was.eight === eight) return;
    this.summary.balls_left = { solids, stripes, eight };
    this.snapshot = null;
  }

}
