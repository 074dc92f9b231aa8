// Configuration: defaults carry the original system's values; JSON file <- environment
// (TABLECAST__SECTION__KEY, PORT, RATE_LIMIT, ...) <- programmatic overrides; a bad value fails with a
// message naming the key (loadConfig, createServer and the CLI, which exits non-zero).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createServer, loadConfig } from '../../src/index.js';
import { redactConfig } from '../../src/config/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tablecast-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('defaults carry the original values', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.websocket.ping_interval_s, 30);
  assert.equal(c.websocket.timeout_s, 60);
  assert.equal(c.websocket.rate_limit_per_min, 100);
  assert.equal(c.websocket.compression.enabled, false);
  assert.equal(c.websocket.compression.threshold, 1024);
  assert.equal(c.websocket.compression.level, 6);
  assert.equal(c.integration.target_fps, 30);
  assert.equal(c.integration.retry.max_retries, 3);
  assert.equal(c.integration.retry.initial_delay_s, 0.1);
  assert.equal(c.integration.circuit_breaker.failure_threshold, 10);
  assert.equal(c.integration.circuit_breaker.timeout_s, 30);
  assert.equal(c.server.port, 8000);
  assert.deepEqual(c.server.cors_origins, [], 'only the server\'s own origin by default');
  assert.deepEqual(c.websocket.paths, ['/api/v1/ws', '/api/v1/websocket/ws', '/ws']);
  assert.deepEqual(c.websocket.connections_per_ip_paths, ['/api/v1/websocket/ws']);
  assert.equal(c.broker.url, 'memory://');
  assert.deepEqual(c.publish.api_keys, []);
});

test('environment overrides: TABLECAST__SECTION__KEY, PORT, RATE_LIMIT; types follow the schema', () => {
  const c = loadConfig({
    env: {
      TABLECAST__WEBSOCKET__PING_INTERVAL_S: '5',
      TABLECAST__WEBSOCKET__COMPRESSION__ENABLED: 'true',
      TABLECAST__SERVER__NODE_ID: '123',
      TABLECAST__SERVER__HOST: '127.0.0.1',
      TABLECAST__PUBLISH__API_KEYS: '["env-key-0001"]',
      RATE_LIMIT: '42',
      PORT: '9123',
    },
  });
  assert.equal(c.websocket.ping_interval_s, 5);
  assert.equal(c.websocket.compression.enabled, true);
  assert.equal(c.websocket.compression.level, 6, 'siblings keep their defaults');
  assert.equal(c.server.node_id, '123', 'a numeric-looking value for a string key stays a string');
  assert.equal(c.server.host, '127.0.0.1');
  assert.deepEqual(c.publish.api_keys, ['env-key-0001']);
  assert.equal(c.websocket.rate_limit_per_min, 42);
  assert.equal(c.server.port, 9123);
});

test('precedence: file <- environment <- overrides', () => {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ websocket: { ping_interval_s: 11, timeout_s: 22, rate_limit_per_min: 33 }, history: { max_messages: 44 } }));
  const c = loadConfig({ file, env: { TABLECAST__WEBSOCKET__TIMEOUT_S: '23', RATE_LIMIT: '34' }, overrides: { websocket: { rate_limit_per_min: 35 } } });
  assert.equal(c.websocket.ping_interval_s, 11, 'from the file');
  assert.equal(c.websocket.timeout_s, 23, 'environment over file');
  assert.equal(c.websocket.rate_limit_per_min, 35, 'overrides over environment');
  assert.equal(c.history.max_messages, 44);
  const viaEnv = loadConfig({ env: { TABLECAST_CONFIG: file } });
  assert.equal(viaEnv.websocket.ping_interval_s, 11, 'TABLECAST_CONFIG names the file');
  assert.throws(() => loadConfig({ file: join(dir, 'missing.json'), env: {} }), (e: unknown) => e instanceof ConfigError && /missing\.json/.test(e.message));
});

test('a bad value fails with a message naming the key', async () => {
  const cases: [Record<string, string>, string][] = [
    [{ TABLECAST__WEBSOCKET__PING_INTERVAL_S: '-1' }, 'websocket.ping_interval_s'],
    [{ TABLECAST__WEBSOCKET__PING_INTERVAL_S: 'often' }, 'websocket.ping_interval_s'],
    [{ RATE_LIMIT: '0' }, 'websocket.rate_limit_per_min'],
    [{ PORT: '70000' }, 'server.port'],
    [{ TABLECAST__WEBSOCKET__MAX_PAYLOAD_BYTES: '1.5' }, 'websocket.max_payload_bytes'],
    [{ TABLECAST__WEBSOCKET__COMPRESSION__LEVEL: '12' }, 'websocket.compression.level'],
    [{ TABLECAST__WEBSOCKET__NO_SUCH_KEY: '1' }, 'websocket'],
  ];
  for (const [env, key] of cases) {
    assert.throws(
      () => loadConfig({ env }),
      (e: unknown) => e instanceof ConfigError && e.key.startsWith(key) && e.message.includes(key),
      `${JSON.stringify(env)} -> ConfigError naming ${key}`,
    );
  }
  await assert.rejects(
    createServer({ env: {}, logger: false, overrides: { websocket: { timeout_s: 0 } } }),
    (e: unknown) => e instanceof ConfigError && e.message.includes('websocket.timeout_s'),
  );
});

test('redaction removes secrets (keys, tokens, passwords, broker credentials)', () => {
  const c = loadConfig({ env: {}, overrides: { publish: { api_keys: ['secret-key-0001'] }, broker: { url: 'redis://user:pa55@localhost:6379/0' } } });
  const r = redactConfig(c);
  const text = JSON.stringify(r);
  assert.ok(!text.includes('secret-key-0001'));
  assert.ok(!text.includes('pa55'));
  assert.equal((r.websocket as Record<string, unknown>).ping_interval_s, 30, 'ordinary values stay');
});

test('CLI: a bad TABLECAST__ environment value exits non-zero printing the key', { timeout: 60_000 }, async () => {
  const proc = runCli(['serve', '--port', '0', '--host', '127.0.0.1', '--source', 'none'], { TABLECAST__WEBSOCKET__PING_INTERVAL_S: '-5' });
  const bad = runCli(['serve', '--port', '0', '--source', 'none'], { RATE_LIMIT: 'lots' });
  const [exit, exit2] = await Promise.all([proc.exited, bad.exited]);
  assert.notEqual(exit.code, 0);
  assert.match(proc.stderr(), /websocket\.ping_interval_s/);
  assert.notEqual(exit2.code, 0);
  assert.match(bad.stderr(), /websocket\.rate_limit_per_min/);
});
