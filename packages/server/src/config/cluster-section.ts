/**
 * The `cluster` configuration section (used with `broker.url: redis://...`). Durations in
 * milliseconds (`_ms`) or seconds (`_s`) as the key says.
 */
import { Type, type Static } from '@sinclair/typebox';

const Int = (def: number, min: number, max: number, description: string) =>
  Type.Integer({ default: def, minimum: min, maximum: max, description });
const Num = (def: number, min: number, max: number, description: string) =>
  Type.Number({ default: def, minimum: min, maximum: max, description });

/** `cluster.*` keys. */
export const ClusterSection = Type.Object(
  {
    leader_election: Type.Boolean({
      default: true,
      description: 'with a redis broker, only the node holding the leader lock runs the pipeline (source + integration loop)',
    }),
    leader_ttl_ms: Int(5000, 200, 600_000, 'leader lock TTL; renewed every ttl/3; a dead leader is replaced within about this long'),
    heartbeat_interval_ms: Int(1000, 50, 60_000, 'node registry heartbeat (connections, load) into Redis'),
    node_ttl_ms: Int(5000, 200, 600_000, 'a node whose heartbeat is older than this is dropped from the registry'),
    advertise_address: Type.Optional(Type.String({ minLength: 1, description: 'address other nodes and operators see for this node; default http://host:port' })),
    reconnect_max_delay_ms: Int(200, 10, 60_000, 'ioredis reconnect backoff cap (attempt n waits min(50 n, this))'),
    command_timeout_ms: Int(1000, 10, 60_000, 'a Redis command without reply after this long fails (publish falls back to local delivery)'),
    outbox_max_messages: Int(20_000, 0, 10_000_000, 'reliable publications (alert, config, event, detection) a node holds while Redis is unreachable, in order, written to Redis when it returns; a publish beyond it is refused UNAVAILABLE'),
    breaker: Type.Object(
      {
        failure_threshold: Int(3, 1, 10_000, 'consecutive failed Redis publishes that open the broker breaker'),
        timeout_s: Num(1, 0.01, 3600, 'open breaker: seconds before one trial publish (a Redis reconnect closes it at once)'),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {}, description: 'cluster mode (redis broker): leader election, node registry, broker breaker' },
);

/** Effective `cluster` section. */
export type ClusterConfig = Static<typeof ClusterSection>;
