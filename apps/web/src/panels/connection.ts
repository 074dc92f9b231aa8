/**
 * Connection panel: status (from the SDK's typed status events), RTT, messages per second, dropped
 * and reconnect counters, refreshed four times a second.
 */
import type { ClientStatus, TablecastClient } from '@tablecast/client';
import { byId } from './dom.js';

/** Human text of a status event. */
function describeStatus(s: ClientStatus): string {
  switch (s.type) {
    case 'connecting':
      return s.attempt === 0 ? 'connecting…' : `connecting (attempt ${s.attempt})…`;
    case 'connected':
      return s.reconnected ? 'connected (reconnected)' : 'connected';
    case 'disconnected':
      return `disconnected: ${s.code}${s.reason ? ` ${s.reason}` : ''}`;
    case 'reconnecting':
      return `reconnecting in ${(s.delayMs / 1000).toFixed(1)} s (attempt ${s.attempt})`;
    case 'resubscribed': {
      const lost = Object.entries(s.recovered).filter(([, ok]) => !ok).map(([k]) => k);
      return lost.length ? `connected; not recovered: ${lost.join(', ')}` : 'connected; resumed';
    }
    case 'closed':
      return `closed: ${s.code}${s.reason ? ` ${s.reason}` : ''}`;
    case 'server_error':
      return `server error ${s.code}: ${s.message}`;
    case 'handler_error':
      return `handler error on ${s.stream}`;
  }
}

/** Binds the panel to `client`; `ballCount()` reports how many balls the table shows. */
export function mountConnectionPanel(client: TablecastClient, ballCount: () => number): () => void {
  const badge = byId('conn-badge');
  const status = byId('conn-status');
  const rtt = byId('conn-rtt');
  const rate = byId('conn-rate');
  const dropped = byId('conn-dropped');
  const reconnects = byId('conn-reconnects');
  const balls = byId('conn-balls');
  const off = client.onStatus((s) => {
    if (s.type === 'server_error' || s.type === 'handler_error') {
      console.warn('tablecast', s);
      return;
    }
    status.textContent = describeStatus(s);
    badge.dataset.state = client.state;
    badge.textContent = client.state;
  });
  const timer = setInterval(() => {
    const st = client.stats;
    rtt.textContent = st.rttMs === null ? '–' : `${st.rttMs.toFixed(1)} ms (avg ${(st.rttAvgMs ?? 0).toFixed(1)})`;
    rate.textContent = st.messagesPerSecond.toFixed(0);
    dropped.textContent = String(st.dropped);
    reconnects.textContent = String(st.reconnects);
    balls.textContent = String(ballCount());
    badge.dataset.state = client.state;
    badge.textContent = client.state;
  }, 250);
  return () => {
    off();
    clearInterval(timer);
  };
}
