/**
 * The configuration schema: one TypeBox object with the original system's keys and defaults.
 * Durations are in seconds (`_s`) or milliseconds (`_ms`) as the key says; sizes in bytes.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AuthSection } from '../auth/config.js';
import { ChannelsSection } from '../channels/config.js';
import { ClusterSection } from '../cluster/config.js';
import { IntegrationSection, SourceSection, TableSection } from '@tablecast/pipeline';

const Int = (def: number, min: number, max: number, description?: string) =>
  Type.Integer({ default: def, minimum: min, maximum: max, ...(description ? { description } : {}) });
const Num = (def: number, min: number, max: number, description?: string) =>
  Type.Number({ default: def, minimum: min, maximum: max, ...(description ? { description } : {}) });
const Obj = <T extends Parameters<typeof Type.Object>[0]>(props: T) =>
  Type.Object(props, { additionalProperties: false, default: {} });

export const ServerSection = Obj({
  host: Type.String({ default: '0.0.0.0' }),
  port: Int(8000, 0, 65535),
  node_id: Type.Optional(Type.String({ minLength: 1, description: 'cluster node id; generated when absent' })),
  shutdown_timeout_s: Num(5, 0.1, 120, 'SIGTERM: close clients with 1001 and exit within this time'),
  cors_origins: Type.Array(Type.String(), { default: ['*'], description: "allowed origins for CORS and browser WebSocket connections; '*' allows all" }),
  log_level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  log_format: Type.Union([Type.Literal('auto'), Type.Literal('pretty'), Type.Literal('json')], {
    default: 'auto',
    description: "'auto': human-readable lines on a terminal, JSON otherwise (a file, a pipe, a log collector)",
  }),
  serve_web: Type.Boolean({ default: true, description: 'serve the dashboard (apps/web/dist) at /' }),
});

export const WebSocketSection = Obj({
  ping_interval_s: Num(30, 0.05, 3600, 'WebSocket ping every this many seconds'),
  timeout_s: Num(60, 0.1, 7200, 'close 4102 after this long without any inbound frame or pong'),
  max_payload_bytes: Int(65_536, 128, 16 * 1024 * 1024, 'inbound frames above it are closed with 1009'),
  max_queue_bytes: Int(1_048_576, 4096, 1024 * 1024 * 1024, 'per-client send queue bound; a reliable stream over it closes 4100'),
  write_high_water_bytes: Int(65_536, 1024, 64 * 1024 * 1024, 'socket buffer level above which messages are queued instead of written'),
  rate_limit_per_min: Int(100, 1, 1_000_000, 'inbound messages per connection per minute (RATE_LIMIT)'),
  publisher_rate_limit_per_min: Int(6000, 1, 10_000_000, 'inbound messages per minute for publisher/admin connections'),
  rate_limit_violations_before_close: Int(20, 1, 1_000_000, 'RATE_LIMIT errors before the connection is closed with 1008'),
  connections_per_ip_per_min: Int(10, 1, 1_000_000, 'new connections per IP per minute on connections_per_ip_paths; close 1008 above'),
  connections_per_ip_paths: Type.Array(Type.String(), {
    default: ['/api/v1/websocket/ws'],
    description: 'paths the per-IP connection rate applies to (as the original: its live-view path, not the main /api/v1/ws; max_connections bounds every path)',
  }),
  max_connections: Int(20_000, 1, 1_000_000, 'close 4101 above'),
  compression: Obj({
    enabled: Type.Boolean({ default: false, description: 'negotiate permessage-deflate' }),
    threshold: Int(1024, 0, 16 * 1024 * 1024, 'bytes; smaller messages are not compressed'),
    level: Int(6, 0, 9, 'zlib level'),
  }),
  paths: Type.Array(Type.String(), { default: ['/api/v1/ws', '/api/v1/websocket/ws', '/ws'], description: "WebSocket paths of the gateway ('/ws' is the oldest clients' alias)" }),
});

export const HistorySection = Obj({
  max_messages: Int(1000, 1, 10_000_000, 'per reliable stream'),
  max_age_s: Num(300, 1, 30 * 86400, 'per reliable stream'),
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
