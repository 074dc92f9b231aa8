/**
 * The configuration schema: one TypeBox object with the original system's keys and defaults.
 * Durations are in seconds (`_s`) or milliseconds (`_ms`) as the key says; sizes in bytes.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AuthSection } from '../auth/config.js';
import { ChannelsSection } from '../channels/config.js';
import { ClusterSection } from '../cluster/config.js';

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

export const IntegrationSection = Obj({
  target_fps: Num(30, 1, 240),
  retry: Obj({
    max_retries: Int(3, 0, 20),
    initial_delay_s: Num(0.1, 0.001, 60),
    backoff_multiplier: Num(2, 1, 10),
  }),
  circuit_breaker: Obj({
    failure_threshold: Int(10, 1, 10_000),
    timeout_s: Num(30, 0.01, 3600, 'how long the breaker stays open before one trial'),
  }),
  state_change_threshold_m: Num(0.002, 0, 1, 'publish state when any ball moved more than this'),
  state_heartbeat_s: Num(1, 0.05, 60, 'publish state at least this often while clients subscribe'),
  trajectory_angle_threshold_deg: Num(0.5, 0, 45),
  trajectory_position_threshold_m: Num(0.005, 0, 1),
  trajectory_worker: Type.Boolean({ default: true, description: 'compute trajectory predictions in a worker thread (false: on the main thread)' }),
});

export const SourceSection = Obj({
  spec: Type.String({ default: 'simulator', description: 'simulator | replay:FILE | image:PATH | video:PATH | camera:DEVICE | none' }),
  seed: Int(1, 0, 2 ** 31 - 1),
  replay_speed: Num(1, 0.01, 1000),
  frames: Type.Boolean({ default: true, description: 'render/capture JPEG frames for the video endpoint' }),
  frames_on_demand: Type.Boolean({
    default: true,
    description: 'render/encode frames only while a video viewer is connected or a frame was requested in the last 5 s (false: always)',
  }),
  jpeg_quality: Int(70, 1, 100),
  handoff_capacity: Int(4, 1, 1024, 'detections buffered between worker and main loop; oldest dropped beyond'),
  restart_backoff_initial_s: Num(0.5, 0.01, 60),
  restart_backoff_max_s: Num(10, 0.01, 600),
  calibration_corners: Type.Optional(Type.Array(Type.Object({ x: Type.Number(), y: Type.Number() }), { minItems: 4, maxItems: 4 })),
  background: Type.Optional(Type.String({ description: 'empty-table image for background subtraction' })),
  ffmpeg_path: Type.String({ default: 'ffmpeg', minLength: 1, description: 'ffmpeg binary for video: and camera: sources (a path, or a name looked up on PATH)' }),
});

export const TableSection = Obj({
  preset: Type.Union([Type.Literal('7ft'), Type.Literal('8ft'), Type.Literal('9ft')], { default: '9ft' }),
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
