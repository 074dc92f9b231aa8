/**
 * The gateway's configuration sections (`websocket`, `history`): TypeBox schemas with defaults.
 * Durations in seconds (`_s`), sizes in bytes. The application assembles them into its whole
 * configuration and hands the gateway only these ({@link GatewayConfig}).
 */
import { Type, type Static } from '@sinclair/typebox';
import { IntSetting as Int, NumSetting as Num, Section as Obj } from '@tablecast/common';

/** `websocket`: limits, heartbeat, compression and paths of the WebSocket endpoint. */
export const WebSocketSection = Obj({
  ping_interval_s: Num(30, 0.05, 3600, 'WebSocket ping every this many seconds'),
  timeout_s: Num(60, 0.1, 7200, 'close 4102 after this long without any inbound frame or pong'),
  max_payload_bytes: Int(65_536, 128, 16 * 1024 * 1024, 'inbound frames above it are closed with 1009'),
  max_queue_bytes: Int(1_048_576, 4096, 1024 * 1024 * 1024, 'per-client send queue bound; a reliable stream over it closes 4100'),
  write_high_water_bytes: Int(65_536, 1024, 64 * 1024 * 1024, 'socket buffer level above which messages are queued instead of written'),
  rate_limit_per_min: Int(100, 1, 1_000_000, 'inbound messages per connection per minute (RATE_LIMIT)'),
  publisher_rate_limit_per_min: Int(6000, 1, 10_000_000, 'inbound messages per minute for publisher/admin connections'),
  rate_limit_violations_before_close: Int(20, 1, 1_000_000, 'RATE_LIMIT errors before the connection is closed with 1008'),
  connections_per_ip_per_min: Int(10, 1, 1_000_000, 'new connections per client address per connection_rate_window_s on connections_per_ip_paths; above it the upgrade is refused with HTTP 429 and Retry-After (refused attempts do not count)'),
  connection_rate_window_s: Num(60, 0.1, 86_400, 'the window connections_per_ip_per_min counts in (a minute; tests shorten it)'),
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

/** `history`: how much of each reliable stream is kept for resume. */
export const HistorySection = Obj({
  max_messages: Int(1000, 1, 10_000_000, 'per reliable stream'),
  max_age_s: Num(300, 1, 30 * 86400, 'per reliable stream'),
});


/** The sections the gateway reads, with every default applied. */
export interface GatewayConfig {
  websocket: Static<typeof WebSocketSection>;
  history: Static<typeof HistorySection>;
  /** Browser origins allowed to connect besides the server's own (`Origin` header); `'*'` allows all. */
  allowedOrigins: readonly string[];
  /**
   * Reverse proxies whose forwarding headers are believed (addresses, CIDR ranges, `loopback`, ...;
   * transport/client-address.ts). Default none: the socket's peer is the client.
   */
  trustedProxies?: readonly string[];
}
