/**
 * The shot list: every shot of the game with its outcome (who shot, what went down, foul, turn
 * kept) from the `balls_stopped` events, newest first, each with a "replay" button that plays the
 * recorded shot back on the table. The list starts from the server's event history
 * (`GET /api/v1/game/history`), so a page opened mid-game shows the shots before it.
 */
import type { EventPayload, ShotReplay, ShotResult, TablecastClient } from '@tablecast/client';
import { byId } from './dom.js';

/** A shot the list shows. */
export interface ListedShot {
  sequence: number;
  result: ShotResult | null;
  replay: ShotReplay | null;
  durationS: number | null;
}

/**
 * A foul in words: `scratch`, `no ball hit`, `wrong ball first (12)`.
 * @param reason `foul_reason` of a shot or `reason` of a `foul` event
 * @param firstContact the object ball hit first, when known
 */
export function describeFoul(reason: unknown, firstContact?: unknown): string {
  if (reason === 'no_contact') return 'no ball hit';
  if (reason === 'no_rail') return 'no rail after contact';
  if (reason === 'wrong_ball_first') return `wrong ball first${typeof firstContact === 'number' ? ` (${firstContact})` : ''}`;
  return typeof reason === 'string' ? reason : 'foul';
}

/** The balls a shot pocketed, in words: `ball 4 down`, `balls 4, 9 down`, `nothing down` (0, the cue ball, left out). */
export function describeDown(pocketed: readonly number[]): string {
  const down = pocketed.filter((n) => n !== 0);
  return down.length === 0 ? 'nothing down' : `${down.length === 1 ? 'ball' : 'balls'} ${down.join(', ')} down`;
}

/**
 * One line for a shot: `Shot 3 · Player 2 · balls 4, 9 down · foul (scratch)`; on the break, after
 * what went down, `break (6 to a cushion)` or `illegal break (2 to a cushion)`.
 */
export function describeShot(s: ListedShot, names: readonly string[] = ['Player 1', 'Player 2']): string {
  const r = s.result;
  if (!r) return `shot${s.durationS !== null ? ` (${s.durationS.toFixed(1)} s)` : ''}`;
  const parts = [`Shot ${r.shot}`, names[r.shooter] ?? `Player ${r.shooter + 1}`, describeDown(r.pocketed)];
  if (r.legal_break !== undefined) parts.push(`${r.legal_break ? 'break' : 'illegal break'} (${r.balls_to_cushion ?? 0} to a cushion)`);
  if (r.foul) parts.push(`foul (${describeFoul(r.foul_reason, r.first_contact)})`);
  else parts.push(r.turn_kept ? 'keeps the table' : 'turn passes');
  return parts.join(' · ');
}

/** The shot of a `balls_stopped` event, or null for other events. */
export function shotOf(e: EventPayload, sequence: number): ListedShot | null {
  if (e.event !== 'balls_stopped') return null;
  const f = e as Record<string, unknown>;
  return {
    sequence,
    result: (f.shot as ShotResult | undefined) ?? null,
    replay: (f.replay as ShotReplay | undefined) ?? null,
    durationS: typeof f.duration_s === 'number' ? f.duration_s : null,
  };
}

/**
 * Fills the shot list from history and live events.
 * @param onReplay called with the shot when its replay button is pressed
 */
export function mountShotList(client: TablecastClient, apiBase: string, onReplay: (shot: ListedShot) => void): void {
  const list = byId('shots');
  const shots = new Map<number, ListedShot>();
  const item = (shot: ListedShot): HTMLLIElement => {
    const li = document.createElement('li');
    li.dataset.foul = String(shot.result?.foul ?? false);
    const text = document.createElement('span');
    text.textContent = describeShot(shot);
    li.append(text);
    if (shot.replay) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'replay';
      button.textContent = 'replay';
      button.setAttribute('aria-label', `replay ${text.textContent}`);
      button.addEventListener('click', () => onReplay(shot));
      li.append(button);
    }
    return li;
  };
  // Newest first, at most 30; history and live events may arrive in any order.
  const render = () => list.replaceChildren(...[...shots.values()].sort((a, b) => b.sequence - a.sequence).slice(0, 30).map(item));
  client.on('event', (e, env) => {
    const shot = shotOf(e, env.sequence);
    if (!shot || shots.has(shot.sequence)) return;
    shots.set(shot.sequence, shot);
    render();
  });
  void fetch(new URL('api/v1/game/history?limit=1000', apiBase))
    .then((r) => (r.ok ? (r.json() as Promise<{ events: (EventPayload & { sequence: number })[] }>) : null))
    .then((h) => {
      for (const e of h?.events ?? []) {
        const shot = shotOf(e, e.sequence);
        if (shot && !shots.has(shot.sequence)) shots.set(shot.sequence, shot);
      }
      render();
    })
    .catch(() => undefined);
}
