/**
 * System health badge: polls `GET /api/v1/websocket/health` and shows `overall_status`; it also
 * follows the connection, polling at once when the WebSocket connects or drops, so it never says
 * "unreachable" for seconds while the live stream is back.
 */
import type { ClientStatus } from '@tablecast/client';
import { byId } from './dom.js';

/**
 * Starts polling every `intervalMs` (default 5 s) and on every connect/disconnect of `onStatus`;
 * returns a stop function.
 */
export function mountHealth(apiBase: string, onStatus: (l: (s: ClientStatus) => void) => () => void, intervalMs = 5000): () => void {
  const badge = byId('health-badge');
  let stopped = false;
  const poll = async () => {
    try {
      const res = await fetch(new URL('api/v1/websocket/health', apiBase), { cache: 'no-store' });
      const body = (await res.json()) as { overall_status?: string; performance?: { average_latency_ms?: number } };
      const level = body.overall_status ?? 'unknown';
      badge.dataset.level = level;
      const lat = body.performance?.average_latency_ms;
      badge.textContent = `health: ${level}${typeof lat === 'number' ? ` (${lat.toFixed(1)} ms)` : ''}`;
    } catch {
      badge.dataset.level = 'unknown';
      badge.textContent = 'health: unreachable';
    }
  };
  void poll();
  const timer = setInterval(() => !stopped && void poll(), intervalMs);
  const off = onStatus((s) => {
    if (!stopped && (s.type === 'connected' || s.type === 'disconnected')) void poll();
  });
  return () => {
    stopped = true;
    off();
    clearInterval(timer);
  };
}
