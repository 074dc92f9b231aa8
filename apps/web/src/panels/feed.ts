/**
 * Event feed (game events from the reliable `event` stream: shots, pocketed balls, scratches, ...)
 * and alerts (`alert` stream), newest first.
 */
import type { AlertPayload, Envelope, EventPayload, TablecastClient } from '@tablecast/client';
import { byId, clock, prepend } from './dom.js';
import { describeDown, describeFoul } from './shots.js';

/**
 * Names the pocket of a `ball_pocketed` / `scratch` event: the pipeline sends
 * `{index, x, y}` (index into the table's pockets, centre in metres); other publishers may send a
 * plain name such as `bottom-right`.
 * @returns e.g. `pocket 3 at 1.27, 0.00 m`, the name as given, or null when absent/unusable
 */
export function describePocket(pocket: unknown): string | null {
  if (typeof pocket === 'string' || typeof pocket === 'number') return String(pocket);
  if (pocket && typeof pocket === 'object') {
    const p = pocket as { index?: unknown; x?: unknown; y?: unknown };
    const where = typeof p.x === 'number' && typeof p.y === 'number' ? ` at ${p.x.toFixed(2)}, ${p.y.toFixed(2)} m` : '';
    if (typeof p.index === 'number') return `pocket ${p.index + 1}${where}`;
    if (where) return `pocket${where}`;
  }
  return null;
}

/** One line of text for a game event. */
export function describeEvent(e: EventPayload): string {
  const f = e as Record<string, unknown>;
  const ball = f.ball_id ?? f.ball ?? f.number;
  switch (e.event) {
    case 'shot_started':
      return `shot${typeof f.speed === 'number' ? ` at ${f.speed.toFixed(2)} m/s` : ''}`;
    case 'ball_pocketed':
    {
      const pocket = describePocket(f.pocket);
      return `ball ${String(ball ?? '?')} pocketed${pocket ? ` (${pocket})` : ''}`;
    }
    case 'scratch':
      return 'scratch: cue ball pocketed';
    case 'balls_stopped':
    {
      const shot = f.shot as { shot?: number; pocketed?: number[]; foul?: boolean } | undefined;
      if (!shot?.shot) return 'balls stopped';
      return `shot ${shot.shot} over: ${describeDown(shot.pocketed ?? [])}${shot.foul ? ', foul' : ''}`;
    }
    case 'foul':
      return `foul by Player ${typeof f.player === 'number' ? f.player + 1 : '?'} (${describeFoul(f.reason, f.first_contact)})`;
    case 'game_over':
      return `game over: Player ${typeof f.winner === 'number' ? f.winner + 1 : '?'} wins`;
    case 'game_started':
      return 'game started';
    case 'cue_detected':
      return 'cue detected';
    case 'cue_lost':
      return 'cue lost';
    default:
      return e.event.replace(/_/g, ' ');
  }
}

/** Subscribes the feed lists to the client's `event` and `alert` handlers. */
export function mountFeed(client: TablecastClient, onEvent?: (e: EventPayload, env: Envelope<EventPayload>) => void): () => void {
  const events = byId('events');
  const alerts = byId('alerts');
  const offEvent = client.on('event', (e, env) => {
    const li = document.createElement('li');
    li.dataset.kind = e.event;
    li.innerHTML = '<time></time><span></span>';
    li.querySelector('time')!.textContent = clock(env.timestamp);
    li.querySelector('span')!.textContent = describeEvent(e);
    prepend(events, li);
    onEvent?.(e, env);
  });
  const offAlert = client.on('alert', (a: AlertPayload, env) => {
    const li = document.createElement('li');
    li.dataset.level = a.level;
    li.innerHTML = '<time></time><span></span>';
    li.querySelector('time')!.textContent = clock(env.timestamp);
    li.querySelector('span')!.textContent = `${a.level.toUpperCase()} ${a.code ? `[${a.code}] ` : ''}${a.message}`;
    prepend(alerts, li);
  });
  return () => {
    offEvent();
    offAlert();
  };
}
