/**
 * A small stream catalog for the engine's own tests: the engine knows no stream by name, so these
 * are the application's part. `ticker` (latest value), `alert` and `event` (reliable), `frame`
 * (latest value, least urgent), `metrics` an alias of `ticker`.
 */
import { createStreamCatalog, type StreamCatalog } from '../../src/catalog/stream-catalog.js';

/** Requires an object with a string `message` (so tests can send a bad payload). */
const needsMessage = (data: unknown) =>
  data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string' ? null : { path: 'data.message', message: 'Expected string' };

/** The test catalog. */
export function testCatalog(): StreamCatalog {
  return createStreamCatalog({
    streams: {
      alert: { delivery: 'reliable', priority: 0, check: needsMessage },
      event: { delivery: 'reliable', priority: 2 },
      ticker: { delivery: 'latest', priority: 4 },
      frame: { delivery: 'latest', priority: 6 },
    },
    aliases: { metrics: 'ticker' },
  });
}
