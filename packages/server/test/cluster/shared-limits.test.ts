// Per-address limits across a cluster (issue 14): two nodes on one private redis-server draw on one
// budget per client address (rate-limiter-flexible's Redis store under {prefix}ratelimit:), for
// WebSocket upgrades and for the HTTP API; with Redis gone each node goes on limiting by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { RedisProcess, redisServerPath } from '@tablecast/gateway/testing';
import { startServer, type Started } from '../helpers/server.js';

const skip = redisServerPath() ? false : 'redis-server not installed (scripts/setup-test.sh)';
let redis: RedisProcess;
const nodes: Started[] = [];

before(async () => {
  if (skip) return;
  redis = await RedisProcess.start();
  for (const id of ['l1', 'l2']) {
    nodes.push(await startServer({
      server: { node_id: id, http_requests_per_ip_per_min: 4 },
      websocket: { connections_per_ip_per_min: 3 },
      broker: { url: redis.url, key_prefix: 'limits:' },
      cluster: { heartbeat_interval_ms: 100, node_ttl_ms: 1000 },
    }));
  }
});
after(async () => {
  for (const n of nodes) await n.close();
  await redis?.stop();
});

/** 'open' or the HTTP status of a WebSocket attempt on the limited path. */
function attempt(s: Started): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api/v1/websocket/ws`);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response|closed before/.test(err.message)) reject(err);
    });
  });
}

test('one budget per address for the whole cluster: WebSocket upgrades and HTTP requests', { skip }, async () => {
  const [a, b] = nodes as [Started, Started];
  assert.deepEqual([await attempt(a), await attempt(b), await attempt(a)], ['open', 'open', 'open']);
  assert.deepEqual([await attempt(b), await attempt(a)], [429, 429], 'the fourth is refused on either node');
  const get = (s: Started) => fetch(`${s.url}/api/v1/health`).then((r) => r.status);
  // startServer's own requests do not go through HTTP; 4 requests spread over both nodes, then 429.
  assert.deepEqual([await get(a), await get(b), await get(a), await get(b)], [200, 200, 200, 200]);
  assert.deepEqual([await get(a), await get(b)], [429, 429]);
});

test('Redis gone: each node keeps limiting on its own (the insurance limiter), nobody is refused for the outage', { skip }, async () => {
  await redis.stop();
  const c = nodes[1]!;
  const results: (string | number)[] = [];
  for (let i = 0; i < 4; i++) results.push(await attempt(c));
  assert.deepEqual(results, ['open', 'open', 'open', 429]);
});
