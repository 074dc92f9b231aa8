// Eight-ball as the core reads it (eight-ball-rules.ts), shot by shot from game events: groups taken
// by the first clean shot of one group, the turn kept only with an own ball and no foul, a scratch
// counted as a foul, the 8-ball deciding the game (not on the break), a new rack starting over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EightBallRules, type TableBalls } from '../../src/core/eight-ball-rules.js';
import type { GameEvent } from '../../src/core/game-events.js';

/** A table holding the balls not pocketed yet. */
class Table implements TableBalls {
  readonly on = new Set<number>(Array.from({ length: 16 }, (_, i) => i));
  balls() {
    return [...this.on].map((number) => ({ number }));
  }
}

let frame = 0;
const ev = (event: GameEvent['event'], extra: Record<string, unknown> = {}): GameEvent => ({ event, frame_number: ++frame, capture_timestamp: 't', ...extra });

/** Plays one shot that pockets `numbers` (0 = the cue ball: a scratch); returns the derived events. */
function shot(rules: EightBallRules, table: Table, numbers: number[], contact?: number | null, rail?: boolean): GameEvent[] {
  const events: GameEvent[] = [ev('shot_started')];
  for (const n of numbers) {
    table.on.delete(n);
    events.push(ev('ball_pocketed', { number: n }));
    if (n === 0) events.push(ev('scratch', { number: 0 }));
  }
  const stopped = ev('balls_stopped', { ...(contact === undefined ? {} : { first_contact: contact }), ...(rail === undefined ? {} : { rail_after_contact: rail }) });
  events.push(stopped);
  const derived = rules.apply(events, table);
  if (numbers.includes(0)) table.on.add(0); // ball in hand: back on the table
  return [stopped, ...derived];
}

test('groups, turns, fouls and the 8-ball over a game', () => {
  const rules = new EightBallRules();
  const table = new Table();
  rules.apply([ev('game_started')], table);
  let g = rules.current(table);
  assert.deepEqual([g.turn, g.shots, g.winner, g.players[0]!.group], [0, 0, null, null]);

  shot(rules, table, [3]); // the break pockets a solid: player 1 keeps the table, which stays open
  g = rules.current(table);
  assert.deepEqual([g.turn, g.players[0]!.group, g.players[1]!.group], [0, null, null]);
  assert.deepEqual(g.last_shot, { shot: 1, shooter: 0, pocketed: [3], foul: false, foul_reason: null, turn_kept: true });
  shot(rules, table, [4]); // the first solid after the break: player 1 takes solids
  g = rules.current(table);
  assert.deepEqual([g.turn, g.players[0]!.group, g.players[1]!.group], [0, 'solids', 'stripes']);

  shot(rules, table, []); // a miss: the turn passes
  assert.equal(rules.current(table).turn, 1);
  shot(rules, table, [9]); // player 2 pockets a stripe: keeps it
  assert.equal(rules.current(table).turn, 1);
  shot(rules, table, [1]); // player 2 pockets only an opponent's ball: the turn passes
  g = rules.current(table);
  assert.equal(g.turn, 0);
  assert.deepEqual([g.players[0]!.pocketed, g.players[1]!.pocketed], [[3, 4, 1], [9]]);

  const [, foul] = shot(rules, table, [2, 0]); // player 1 pockets a solid but scratches: a foul
  assert.equal(foul?.event, 'foul');
  assert.equal(foul?.player, 0);
  g = rules.current(table);
  assert.deepEqual([g.turn, g.players[0]!.fouls, g.last_shot?.turn_kept, g.last_shot?.foul_reason], [1, 1, false, 'scratch']);
  assert.deepEqual(g.balls_left, { solids: 3, stripes: 6, eight: true });

  const [stopped, over] = shot(rules, table, [8]); // player 2 pockets the 8 with stripes left: player 1 wins
  assert.equal(over?.event, 'game_over');
  assert.equal(over?.winner, 0);
  assert.equal((stopped!.shot as { shooter: number }).shooter, 1);
  g = rules.current(table);
  assert.deepEqual([g.winner, g.balls_left.eight], [0, false]);
  assert.deepEqual(shot(rules, table, [10]).slice(1), [], 'nothing is scored after the game ended');

  rules.apply([ev('game_started')], new Table());
  g = rules.current(new Table());
  assert.deepEqual([g.winner, g.shots, g.turn, g.players[0]!.fouls, g.players[0]!.group], [null, 0, 0, 0, null], 'a new rack starts over');
});

test('the shooter who clears the group and then pockets the 8 wins; the 8 on the break ends nothing', () => {
  const rules = new EightBallRules();
  const table = new Table();
  rules.apply([ev('game_started')], table);
  shot(rules, table, [8, 1]); // the break: the 8 down does not decide the game; a ball down keeps the table
  let g = rules.current(table);
  assert.deepEqual([g.winner, g.turn], [null, 0]);
  table.on.add(8); // re-spotted
  shot(rules, table, []); // a miss: player 2
  shot(rules, table, [2, 3, 4, 5, 6, 7]); // player 2 takes solids and clears them
  g = rules.current(table);
  assert.deepEqual([g.players[1]!.group, g.turn, g.balls_left.solids], ['solids', 1, 0]);
  const [, over] = shot(rules, table, [8]);
  assert.equal(over?.winner, 1, 'the group was cleared before the 8');
});

test('a game joined without a rack seen has no break: its first clean shot of one group assigns the groups, its 8-ball decides', () => {
  const rules = new EightBallRules();
  const table = new Table();
  for (const n of [2, 3, 9, 10, 11]) table.on.delete(n); // a game in progress
  shot(rules, table, [12]);
  let g = rules.current(table);
  assert.deepEqual([g.players[0]!.group, g.players[1]!.group, g.turn], ['stripes', 'solids', 0]);
  const other = new EightBallRules();
  const [, over] = shot(other, new Table(), [8]);
  assert.equal(over?.event, 'game_over', 'no break to excuse the 8-ball');
  g = other.current(new Table());
  assert.equal(g.winner, 1);
});

test('contact fouls: nothing hit, or first a ball not the shooter\'s; never on the break, an open table or an unread contact', () => {
  const rules = new EightBallRules();
  const table = new Table();
  rules.apply([ev('game_started')], table);
  assert.deepEqual(shot(rules, table, [], null).slice(1), [], 'the break: not judged');
  shot(rules, table, [], 9); // player 2, open table: any first ball is fine
  let g = rules.current(table);
  assert.deepEqual([g.turn, g.players[1]!.fouls], [0, 0]);
  shot(rules, table, [3], 3); // player 1 takes solids
  g = rules.current(table);
  assert.deepEqual([g.turn, g.players[0]!.group], [0, 'solids']);
  const [stopped, foul] = shot(rules, table, [4], 12); // a solid down, but a stripe was hit first
  assert.equal(foul?.event, 'foul');
  assert.deepEqual([foul?.reason, foul?.first_contact, foul?.player], ['wrong_ball_first', 12, 0]);
  assert.deepEqual([(stopped!.shot as { foul_reason: string }).foul_reason, (stopped!.shot as { turn_kept: boolean }).turn_kept], ['wrong_ball_first', false]);
  g = rules.current(table);
  assert.deepEqual([g.turn, g.players[0]!.fouls], [1, 1], 'the turn passes');
  const [, none] = shot(rules, table, [], null); // player 2 hits nothing
  assert.deepEqual([none?.event, none?.reason, none?.player], ['foul', 'no_contact', 1]);
  assert.deepEqual(shot(rules, table, [], undefined).slice(1), [], 'player 1: contact not read, not judged');
  shot(rules, table, [9, 10], 9); // player 2: an own ball first, two down
  g = rules.current(table);
  assert.deepEqual([g.turn, g.players[1]!.fouls, g.last_shot?.foul, g.last_shot?.first_contact], [1, 1, false, 9]);
});

test('with the group cleared only the 8-ball is a legal first contact', () => {
  const rules = new EightBallRules();
  const table = new Table();
  rules.apply([ev('game_started')], table);
  shot(rules, table, [1]); // the break
  shot(rules, table, [2, 3, 4, 5, 6, 7], 2); // solids, cleared
  const [, foul] = shot(rules, table, [], 12);
  assert.equal(foul?.reason, 'wrong_ball_first', 'a stripe first with solids cleared');
  shot(rules, table, [], 11); // player 2 misses legally
  const [, over] = shot(rules, table, [8], 8);
  assert.deepEqual([over?.event, over?.winner], ['game_over', 0], 'the 8 hit first and pocketed wins');
});

test('no rail after contact: a foul when nothing was pocketed and no ball reached a cushion; not on the break, not when a ball went down, not when unread', () => {
  const rules = new EightBallRules();
  const table = new Table();
  rules.apply([ev('game_started')], table);
  assert.deepEqual(shot(rules, table, [], 5, false).slice(1), [], 'the break: not judged');
  const [stopped, foul] = shot(rules, table, [], 3, false); // player 2, open table: a ball hit, nothing reached a rail
  assert.deepEqual([foul?.event, foul?.reason, foul?.player], ['foul', 'no_rail', 1]);
  assert.deepEqual([(stopped!.shot as { foul_reason: string }).foul_reason, (stopped!.shot as { rail_after_contact: boolean }).rail_after_contact], ['no_rail', false]);
  let g = rules.current(table);
  assert.deepEqual([g.turn, g.players[1]!.fouls], [0, 1], 'the turn passes');
  assert.deepEqual(shot(rules, table, [], 3, true).slice(1), [], 'player 1: a rail after contact, a legal miss');
  assert.deepEqual(shot(rules, table, [], 4, undefined).slice(1), [], 'player 2: not read, not judged');
  shot(rules, table, [2], 2, false); // player 1: a ball down needs no rail
  g = rules.current(table);
  assert.deepEqual([g.turn, g.players[0]!.fouls, g.players[0]!.group, g.last_shot?.foul], [0, 0, 'solids', false]);
  const [, nothing] = shot(rules, table, [], null, false);
  assert.equal(nothing?.reason, 'no_contact', 'nothing hit is no_contact, not no_rail');
});

test('the break: legal with a ball down or four object balls to a cushion; an illegal break is no foul and passes the turn', () => {
  const stoppedWith = (driven: number, down: number[]) => {
    const rules = new EightBallRules();
    const table = new Table();
    rules.apply([ev('game_started')], table);
    const events: GameEvent[] = [ev('shot_started'), ...down.map((n) => ev('ball_pocketed', { number: n })), ev('balls_stopped', { balls_to_cushion: driven })];
    for (const n of down) table.on.delete(n);
    const derived = rules.apply(events, table);
    return { shot: events.at(-1)!.shot as { legal_break?: boolean; balls_to_cushion?: number; foul: boolean }, derived, game: rules.current(table) };
  };
  const illegal = stoppedWith(3, []);
  assert.deepEqual([illegal.shot.legal_break, illegal.shot.balls_to_cushion, illegal.shot.foul, illegal.derived.length, illegal.game.turn], [false, 3, false, 0, 1]);
  assert.equal(stoppedWith(4, []).shot.legal_break, true, 'four to a cushion');
  assert.equal(stoppedWith(1, [9]).shot.legal_break, true, 'a ball down');
  const later = new EightBallRules();
  const table = new Table();
  later.apply([ev('game_started')], table);
  shot(later, table, [1]);
  const [after] = shot(later, table, [], 3, true);
  assert.equal((after!.shot as { legal_break?: boolean }).legal_break, undefined, 'only the break has one');
});
