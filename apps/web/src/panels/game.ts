/**
 * The game panel: the current eight-ball game from the `game` block of each state (the core's
 * reading of the table: players, whose turn, groups, fouls, balls left per group, the winner).
 * Rendered only when it changed (the core sends the same block until then).
 */
import type { GameSummary, StatePayload } from '@tablecast/protocol';
import { byId } from './dom.js';

/** One line about a player: group, pocketed count, fouls (`solids · 3 pocketed · 1 foul`). */
export function describePlayer(g: GameSummary, i: number): string {
  const p = g.players[i]!;
  const group = p.group ?? 'open table';
  return `${group} · ${p.pocketed.length} pocketed · ${p.fouls} foul${p.fouls === 1 ? '' : 's'}`;
}

/** What the panel says about the state of play. */
export function describeTurn(g: GameSummary): string {
  if (g.winner !== null) return `${g.players[g.winner]!.name} wins`;
  // The break needs a full rack: a game joined in progress (a photo, a restart) has none.
  const rack = g.balls_left.solids === 7 && g.balls_left.stripes === 7 && g.balls_left.eight;
  return `${g.players[g.turn]!.name} to shoot${g.shots === 0 && rack ? ' (break)' : ''}`;
}

/** Shows `state.game` in the game panel; returns a function to feed it states. */
export function mountGamePanel(): (state: StatePayload) => void {
  const turn = byId('game-turn');
  const rows = [byId('game-p1'), byId('game-p2')];
  const solids = byId('game-solids');
  const stripes = byId('game-stripes');
  const shots = byId('game-shots');
  let last: GameSummary | null = null;
  let lastText = '';
  return (state) => {
    const g = state.game;
    if (!g) return;
    const text = JSON.stringify(g);
    if (g === last || text === lastText) return;
    last = g;
    lastText = text;
    turn.textContent = describeTurn(g);
    turn.dataset.winner = g.winner === null ? '' : String(g.winner);
    rows.forEach((row, i) => {
      row.querySelector('.name')!.textContent = g.players[i]!.name;
      row.querySelector('.detail')!.textContent = describePlayer(g, i);
      row.dataset.turn = String(g.winner === null && g.turn === i);
    });
    solids.textContent = String(g.balls_left.solids);
    stripes.textContent = String(g.balls_left.stripes);
    shots.textContent = String(g.shots);
  };
}
