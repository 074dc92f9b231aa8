/**
 * The configuration schema: one TypeBox object with the original system's keys and defaults.
 * Durations are in seconds (`_s`) or milliseconds (`_ms`) as the key says; sizes in bytes.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AuthSection } from './auth-section.js';
import { ChannelsSection } from './channels-section.js';
import { ClusterSection } from './cluster-section.js';
import { IntegrationSection, SourceSection, TableSection } from '@tablecast/pipeline';
import { HistorySection, WebSocketSection } from '@tablecast/gateway';
import { IntSetting as Int, NumSetting as Num, Section as Obj } from '@tablecast/common';

export const ServerSection = Obj({
  host: Type.String({ default: '0.0.0.0' }),
  port: Int(8000, 0, 65535),
  node_id: Type.Optional(Type.String({ minLength: 1, description: 'cluster node id; generated when absent' })),
  shutdown_timeout_s: Num(5, 0.1, 120, 'SIGTERM: close clients with 1001 and exit within this time'),
  cors_origins: Type.Array(Type.String(), {
    default: [],
    description: "browser origins allowed besides the server's own (CORS and WebSocket Origin), e.g. 'http://coach-laptop:3000'; '*' allows all",
  }),
  trusted_proxies: Type.Array(Type.String(), {
    default: [],
    description: "reverse proxies whose Forwarded / X-Forwarded-For headers are believed: addresses, CIDR ranges ('10.0.0.0/8') or 'loopback', 'linklocal', 'uniquelocal'; the client's address then comes from those headers (limits, logs, the loopback-only admin rule)",
  }),
  http_requests_per_ip_per_min: Int(600, 1, 10_000_000, 'HTTP API requests per client address per minute; 429 with Retry-After above (refused requests do not count)'),
  log_level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  log_format: Type.Union([Type.Literal('auto'), Type.Literal('pretty'), Type.Literal('json')], {
    default: 'auto',
    description: "'auto': human-readable lines on a terminal, JSON otherwise (a file, a pipe, a log collector)",
  }),
  tls: Obj({
    cert_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate (chain) file; with key_file the server speaks https:// and wss://' })),
    key_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key file of cert_file' })),
  }),
  serve_web: Type.Boolean({ default: true, description: 'serve the dashboard (apps/web/dist) at /' }),
});

export const BrokerSection = Obj({
  url: Type.String({ default: 'memory://', description: "'memory://' or 'redis://host:port/db'" }),
  key_prefix: Type.String({ default: 'tablecast:' }),
});

export const PublishSection = Obj({
  api_keys: Type.Array(Type.String({ minLength: 8 }), { default: [], description: 'keys accepted by POST /api/v1/publish (X-API-Key or Bearer)' }),
  max_batch: Int(1000, 1, 100_000),
});

/** The whole configuration. */
export const ConfigSchema = Type.Object(
  {
    server: ServerSection,
    websocket: WebSocketSection,
    history: HistorySection,
    broker: BrokerSection,
    publish: PublishSection,
    integration: IntegrationSection,
    source: SourceSection,
    table: TableSection,
    auth: AuthSection,
    channels: ChannelsSection,
    cluster: ClusterSection,
  },
  { additionalProperties: false },
);

/** Effective configuration (all defaults applied). */
export type Config = Static<typeof ConfigSchema>;
