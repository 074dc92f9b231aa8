/**
 * Prometheus metrics of cluster mode, registered on the server's own registry and read through
 * collect() callbacks (nothing on the hot path):
 *
 * | metric | type | meaning |
 * |---|---|---|
 * | `tablecast_cluster_nodes` | gauge | live nodes in the registry |
 * | `tablecast_cluster_is_leader` | gauge | 1 when this node holds the pipeline lock |
 * | `tablecast_cluster_leader{node}` | gauge | 1 for the node holding the lock |
 * | `tablecast_cluster_node_connections{node}` | gauge | WebSocket connections per node |
 * | `tablecast_cluster_node_event_loop_lag_ms{node}` | gauge | p99 event-loop lag per node |
 * | `tablecast_cluster_node_cpu_percent{node}` | gauge | CPU per node, percent of one core |
 * | `tablecast_cluster_redis_up` | gauge | 1 when this node's Redis connections are ready |
 * | `tablecast_cluster_broker_breaker_state` | gauge | broker breaker: 0 closed, 1 half-open, 2 open |
 * | `tablecast_cluster_fallback_publishes_total` | counter | publishes sequenced locally (Redis unreachable) |
 * | `tablecast_cluster_gap_fills_total` | counter | gaps filled from the stream history |
 * | `tablecast_cluster_gaps_unrecovered_total` | counter | gaps no longer in the history |
 * | `tablecast_cluster_leader_changes_total` | counter | role changes of this node |
 */
import client from 'prom-client';
import { BREAKER_STATE_VALUE } from '@tablecast/common';
import type { RedisBroker } from '@tablecast/gateway/redis';
import type { NodeRegistry } from './node-registry.js';

/** What the metrics read. */
export interface ClusterMetricsSource {
  broker: RedisBroker;
  nodes: NodeRegistry;
  isLeader(): boolean;
  leaderId(): string | null;
  leaderChanges(): number;
}

/** Registers the cluster metrics on `registry`. */
export function registerClusterMetrics(registry: client.Registry, src: ClusterMetricsSource): void {
  const registers = [registry];
  new client.Gauge({
    name: 'tablecast_cluster_nodes', help: 'Live gateway nodes in the cluster registry', registers,
    collect() {
      this.set(src.nodes.nodes.length);
    },
  });
  new client.Gauge({
    name: 'tablecast_cluster_is_leader', help: '1 when this node holds the pipeline leader lock', registers,
    collect() {
      this.set(src.isLeader() ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'tablecast_cluster_leader', help: '1 for the node holding the pipeline leader lock', labelNames: ['node'], registers,
    collect() {
      this.reset();
      const id = src.leaderId();
      if (id) this.set({ node: id }, 1);
    },
  });
  const perNode = (name: string, help: string, pick: (n: NodeRegistry['nodes'][number]) => number) =>
    new client.Gauge({
      name, help, labelNames: ['node'], registers,
      collect() {
        this.reset();
        for (const n of src.nodes.nodes) this.set({ node: n.id }, pick(n));
      },
    });
  perNode('tablecast_cluster_node_connections', 'WebSocket connections per cluster node', (n) => n.connections);
  perNode('tablecast_cluster_node_event_loop_lag_ms', 'p99 event-loop lag per cluster node, milliseconds', (n) => n.eventLoopLagMs);
  perNode('tablecast_cluster_node_cpu_percent', 'CPU per cluster node, percent of one core', (n) => n.cpuPercent);
  new client.Gauge({
    name: 'tablecast_cluster_redis_up', help: '1 when this node is connected to Redis', registers,
    collect() {
      this.set(src.broker.connected ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'tablecast_cluster_broker_breaker_state', help: 'Redis publish circuit breaker: 0 closed, 1 half-open, 2 open', registers,
    collect() {
      this.set(BREAKER_STATE_VALUE[src.broker.breaker.state]);
    },
  });
  const counter = (name: string, help: string, read: () => number) =>
    new client.Counter({
      name, help, registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('tablecast_cluster_fallback_publishes_total', 'Publishes sequenced locally because Redis was unreachable', () => src.broker.stats.fallbackPublished);
  counter('tablecast_cluster_gap_fills_total', 'Delivery gaps filled from the Redis stream history', () => src.broker.stats.gapFills);
  counter('tablecast_cluster_gaps_unrecovered_total', 'Delivery gaps older than the history', () => src.broker.stats.gapsUnrecovered);
  counter('tablecast_cluster_leader_changes_total', 'Leader role changes of this node', () => src.leaderChanges());
}
