/**
 * System health badge: polls `GET /api/v1/websocket/health` and shows `overall_status`.
 */
import { byId } from './dom.js';

/** Starts polling every `intervalMs` (default 5 s); returns a stop function. */
export function mountHealth(apiBase: string, intervalMs = 5000): () => void {
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
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
