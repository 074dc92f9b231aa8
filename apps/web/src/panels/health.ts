/**
 * System health badge: polls `GET /api/v1/websocket/health` and shows `overall_status`; it also
 * follows the connection: "unreachable" as soon as the WebSocket drops (a poll then could still
 * reach a server that is shutting down), and a poll at once when it connects, so it never says
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
  // Bumped on every connect/disconnect: a poll answered after one describes the time before it.
  let epoch = 0;
  let disconnected = false;
  const unreachable = () => {
    badge.dataset.level = 'unknown';
    badge.textContent = 'health: unreachable';
  };
  const poll = async () => {
    const asked = epoch;
    try {
      const res = await fetch(new URL('api/v1/websocket/health', apiBase), { cache: 'no-store' });
      const body = (await res.json()) as { overall_status?: string; performance?: { average_latency_ms?: number } };
      if (asked !== epoch || disconnected) return;
      const level = body.overall_status ?? 'unknown';
      badge.dataset.level = level;
      const lat = body.performance?.average_latency_ms;
      badge.textContent = `health: ${level}${typeof lat === 'number' ? ` (${lat.toFixed(1)} ms)` : ''}`;
    } catch {
      if (asked === epoch) unreachable();
    }
  };
  void poll();
  const timer = setInterval(() => !stopped && void poll(), intervalMs);
  const off = onStatus((s) => {
    if (stopped) return;
    if (s.type === 'connected') {
      epoch++;
      disconnected = false;
      void poll();
    } else if (s.type === 'disconnected') {
      epoch++;
      disconnected = true;
      unreachable();
    }
  });
  return () => {
    stopped = true;
    off();
    clearInterval(timer);
  };
}
