/**
 * A server under test in the gateway benchmark: tablecast or one of the peers (bench/peers/).
 * Each runs in its own child process (bench/lib/server-role.ts); the load generator connects to
 * `port` and subscribes every client to `state`.
 */

/** One server under test. */
export interface BenchTarget {
  /** Listening port on 127.0.0.1. */
  readonly port: number;
  /** Clients currently subscribed to `state`. */
  subscribers(): number;
  /**
   * Publishes one `state` message to every subscriber: stamps `timestamp` (microseconds, wire
   * format) and the next per-stream `sequence` (1, 2, ...), serializes, writes.
   */
  publish(data: Record<string, unknown>): void;
  /** Implementation-specific counters (drops, closes) for the report. */
  info(): Record<string, unknown>;
  close(): Promise<void>;
}

/** Names of the implementations run by default. */
export const IMPLS = ['tablecast', 'socketio', 'ws'] as const;
/**
 * All implementations: the default ones plus the diagnostic `ws-in-tablecast` (a tablecast server
 * whose publish is the bare ws loop over its own sessions' sockets: tablecast's process and
 * connections, the bare loop's code path; run it with `--impls tablecast,ws,ws-in-tablecast`).
 */
export const ALL_IMPLS = [...IMPLS, 'ws-in-tablecast'] as const;
export type ImplName = (typeof ALL_IMPLS)[number];

/** Limits high enough that thousands of connections from 127.0.0.1 are accepted. */
export const HIGH_LIMITS = {
  connections_per_ip_per_min: 1_000_000,
  max_connections: 100_000,
  rate_limit_per_min: 1_000_000,
} as const;
