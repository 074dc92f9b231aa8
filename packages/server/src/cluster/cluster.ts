/**
 * Cluster: what a gateway process adds when its broker is Redis.
 *
 * - leader election (leader-election.ts): only the leader runs the pipeline; `onLeadership(true)`
 *   starts it, `onLeadership(false)` stops it (server.ts wires these to `system.start/stop`);
 * - node registry (node-registry.ts): heartbeats and the view of all nodes, for health and metrics;
 * - the pipeline's circuit breaker shared through Redis (shared-breaker.ts, via `breakerMirror`);
 * - alerts on the `alert` stream when this node loses Redis (delivered to its own clients through
 *   the local fallback) and, once, when the cluster reaches Redis again;
 * - a cluster-wide `subscriberCount` for the pipeline (state heartbeats run while any node has
 *   `state` subscribers, not only the leader).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { STREAMS_BY_PRIORITY } from '@tablecast/protocol';
import type { Config } from '../config/index.js';
import type { AttemptLimiter, Hub, StreamPublisher } from '@tablecast/gateway';
import type { ComponentHealth } from '../http/context.js';
import type { BreakerState, CircuitBreaker } from '@tablecast/common';
import { redactUrl, redisAttemptLimiter, type RedisBroker, type RedisBrokerEvent } from '@tablecast/gateway/redis';
import { registerClusterMetrics } from './cluster-metrics.js';
import { LEADER_RELEASED, LeaderElection } from './leader-election.js';
import { NodeRegistry } from './node-registry.js';
import { ClusterKeys } from './cluster-keys.js';
import { ClusterRedis } from './cluster-redis.js';
import { SharedBreakerState, type BreakerEvent } from './shared-breaker.js';

/** What the cluster needs from the server. */
export interface ClusterDeps {
  broker: RedisBroker;
  config: Config;
  nodeId: string;
  hub: Hub;
  registry: Registry;
  log: Logger;
  /** Local load for the heartbeat. */
  load: () => { connections: number; eventLoopLagMs: number };
  /** Starts (true) or stops (false) the pipeline when this node's role changes. */
  onLeadership: (leader: boolean) => Promise<void>;
}

/** Hook the pipeline calls with its publish breaker (@tablecast/pipeline `PipelineDeps.breakerMirror`). */
export interface BreakerMirror {
  attach(breaker: CircuitBreaker): void;
  onStateChange(to: BreakerState, from: BreakerState): void;
}

/** See the module comment. */
export class Cluster {
  readonly election: LeaderElection;
  readonly nodes: NodeRegistry;
  readonly pipelineBreaker: SharedBreakerState;
  private address: string | null = null;
  private candidate = false;
  private roleChain: Promise<void> = Promise.resolve();
  private cpuPrev = { usage: process.cpuUsage(), at: performance.now() };
  private unlisten: (() => void) | null = null;
  private readonly log: Logger;
  private lastErrLogMs = 0;
  /** The cluster's own Redis connections (cluster-redis.ts). */
  private readonly redis: ClusterRedis;
  private readonly keys: ClusterKeys;

  constructor(private readonly deps: ClusterDeps) {
    const { broker, config, nodeId } = deps;
    this.log = deps.log.child({ component: 'cluster', node_id: nodeId });
    broker.log = this.log;
    const onError = (err: Error) => this.logError(err);
    this.keys = new ClusterKeys(config.broker.key_prefix);
    this.redis = new ClusterRedis({
      url: config.broker.url, nodeId, onError,
      commandTimeoutMs: config.cluster.command_timeout_ms, reconnectMaxDelayMs: config.cluster.reconnect_max_delay_ms,
    });
    const redis = this.redis.cmd;
    this.election = new LeaderElection({
      redis, key: this.keys.leader, eventsChannel: this.keys.events, nodeId,
      ttlMs: config.cluster.leader_ttl_ms, onError,
      onChange: (leader) => this.roleChanged(leader),
    });
    this.nodes = new NodeRegistry({
      redis, keys: this.keys, nodeId,
      intervalMs: config.cluster.heartbeat_interval_ms, ttlMs: config.cluster.node_ttl_ms,
      load: () => this.load(), onError,
    });
    this.pipelineBreaker = new SharedBreakerState(redis, this.keys.breaker('pipeline'), this.keys.events, 'pipeline', nodeId, onError);
    registerClusterMetrics(deps.registry, {
      broker, nodes: this.nodes,
      isLeader: () => this.isLeader(),
      leaderId: () => this.leaderId(),
      leaderChanges: () => this.election.changes,
    });
  }

  /**
   * A per-address attempt limiter shared by every node (counters in Redis under
   * `{prefix}ratelimit:{name}`; this process's counts while Redis is down).
   * @param name the limit's name (`ws`, `http`)
   * @param points attempts per address per window
   * @param durationS window, seconds
   */
  attemptLimiter(name: string, points: number, durationS: number): AttemptLimiter {
    return redisAttemptLimiter(this.redis.cmd, { keyPrefix: this.keys.rateLimit(name), points, durationS });
  }

  /**
   * Starts heartbeats and, when `candidate` (this node has a pipeline source), the election.
   * @param address advertised address (config cluster.advertise_address wins)
   */
  async start(options: { address: string; candidate: boolean }): Promise<void> {
    const { broker, config } = this.deps;
    this.address = config.cluster.advertise_address ?? options.address;
    this.candidate = options.candidate && config.cluster.leader_election;
    this.unlisten = broker.onEvent((e) => this.brokerEvent(e));
    await this.redis.connect();
    await this.redis.subscribe(this.keys.events, (raw) => this.controlMessage(raw));
    await this.pipelineBreaker.refresh();
    this.nodes.start();
    await this.nodes.beat(); // health shows the cluster from the first request on
    if (this.candidate) {
      this.election.start();
      await this.election.tick();
    }
  }

  /** Whether this node holds the pipeline lock. */
  isLeader(): boolean {
    return this.election.isLeader;
  }

  /** Whether this node takes part in the election (it has a pipeline source). */
  get isCandidate(): boolean {
    return this.candidate;
  }

  /** The lock holder as last seen (election for candidates, registry otherwise). */
  leaderId(): string | null {
    return this.candidate ? this.election.leaderId : this.nodes.leaderId;
  }

  /** Hook for the pipeline's publish breaker. */
  readonly breakerMirror: BreakerMirror = {
    attach: (breaker) => void this.pipelineBreaker.attach(breaker),
    onStateChange: (to) => this.pipelineBreaker.onStateChange(to),
  };

  /** Local subscribers of `stream` plus those the other nodes reported in their last heartbeat. */
  subscriberCount(stream: string): number {
    const c = this.deps.hub.streams.resolve(stream) ?? stream;
    let n = this.deps.hub.subscriberCount(c);
    for (const node of this.nodes.nodes) if (node.id !== this.deps.nodeId) n += node.subscribers[c] ?? 0;
    return n;
  }

  /** A StreamPublisher for the pipeline: publishes through `inner`, counts subscribers cluster-wide. */
  publisher(inner: StreamPublisher): StreamPublisher {
    return {
      publish: (stream, data, options) => inner.publish(stream, data, options),
      subscriberCount: (stream) => this.subscriberCount(stream),
    };
  }

  /** Health component `cluster`. */
  health(): ComponentHealth {
    const { broker, config, nodeId } = this.deps;
    const stale = this.nodes.lastOkMs === 0 || Date.now() - this.nodes.lastOkMs > 3 * config.cluster.heartbeat_interval_ms;
    const status: ComponentHealth['status'] = broker.degraded || stale ? 'degraded' : 'healthy';
    return {
      status,
      node_id: nodeId,
      leader: this.leaderId(),
      is_leader: this.isLeader(),
      candidate: this.candidate,
      redis: broker.connected ? 'connected' : this.redis.status,
      broker_breaker: broker.breaker.state,
      pipeline_breaker: this.pipelineBreaker.shared,
      node_count: this.nodes.nodes.length,
      nodes: this.nodes.nodes.map((n) => ({
        id: n.id, address: n.address, leader: n.id === this.leaderId(), connections: n.connections,
        event_loop_lag_ms: n.eventLoopLagMs, cpu_percent: n.cpuPercent, rss_mb: n.rssMb, breaker: n.breaker,
        last_seen_ms: n.ageMs,
      })),
    };
  }

  /** Stops the election (releasing the lock) and the heartbeats; the broker closes separately. */
  async close(): Promise<void> {
    await this.election.stop();
    await this.roleChain;
    await this.nodes.stop();
    this.unlisten?.();
    await this.redis.close();
  }

  private load() {
    const { hub, broker } = this.deps;
    const now = performance.now();
    const usage = process.cpuUsage();
    const wallUs = Math.max(1, (now - this.cpuPrev.at) * 1000);
    const cpuPercent = ((usage.user - this.cpuPrev.usage.user + usage.system - this.cpuPrev.usage.system) / wallUs) * 100;
    this.cpuPrev = { usage, at: now };
    const subscribers: Record<string, number> = {};
    for (const s of STREAMS_BY_PRIORITY) {
      const n = hub.subscriberCount(s);
      if (n > 0) subscribers[s] = n;
    }
    const l = this.deps.load();
    return {
      address: this.address, connections: l.connections, eventLoopLagMs: l.eventLoopLagMs, cpuPercent,
      rssMb: process.memoryUsage.rss() / 1048576, leader: this.isLeader(), breaker: broker.breaker.state, subscribers,
    };
  }

  private roleChanged(leader: boolean): void {
    this.log.info({ leader }, leader ? 'elected leader: starting the pipeline' : 'no longer leader: stopping the pipeline');
    this.roleChain = this.roleChain
      .then(() => this.deps.onLeadership(leader))
      .then(() => {
        if (leader) void this.alert('info', 'LEADER_ELECTED', `node ${this.deps.nodeId} is the leader and runs the pipeline`, {});
      })
      .catch((err: unknown) => this.log.error({ err }, 'pipeline start/stop on role change failed'));
    void this.nodes.beat();
  }

  private controlMessage(raw: string): void {
    let msg: { type?: string };
    try {
      msg = JSON.parse(raw) as { type?: string };
    } catch {
      return;
    }
    if (msg.type === LEADER_RELEASED) this.election.poke();
    else if (msg.type === 'breaker') this.pipelineBreaker.onEvent(msg as BreakerEvent);
  }

  private brokerEvent(e: RedisBrokerEvent): void {
    const { nodeId, config } = this.deps;
    if (e.type === 'breaker' && e.to === 'open') {
      // A node-local notice (sequence 0, not in history): reliable publications wait in the outbox
      // until Redis is back, but this node's clients learn of the outage now.
      setImmediate(() => {
        try {
          this.deps.hub.notify('alert', {
            level: 'error', code: 'BROKER_UNAVAILABLE',
            message: `node ${nodeId}: Redis unreachable; reliable publications wait in the outbox until it is back`,
            details: { url: redactUrl(config.broker.url), node_id: nodeId },
          });
        } catch (err) {
          this.log.warn({ err }, 'cluster alert not delivered');
        }
      });
    } else if (e.type === 'recovered') {
      void this.nodes.beat();
      if (this.candidate) void this.election.tick();
      void this.recoveredAlert(e.outageMs, e.reconciled);
    }
  }

  /**
   * One BROKER_RECOVERED alert per outage for the whole cluster (first node wins a short lock),
   * published after a grace period: a node that delivered locally during the outage reconciles with
   * a new epoch that drops the stream's history (lua.ts RECONCILE), so an alert published before the
   * other nodes are back could miss their clients (docs/CLUSTER.md, limits).
   */
  private async recoveredAlert(outageMs: number, reconciled: string[]): Promise<void> {
    const { broker } = this.deps;
    const graceMs = Math.max(1000, 5 * this.deps.config.cluster.reconnect_max_delay_ms);
    await new Promise((r) => setTimeout(r, graceMs).unref());
    if (!broker.connected) return;
    try {
      const won = await this.redis.cmd.set(`${this.keys.prefix}cluster:alert:broker_recovered`, this.deps.nodeId, 'PX', 5000, 'NX');
      if (won !== 'OK') return;
      await this.alert('info', 'BROKER_RECOVERED', `Redis reachable again after ${(outageMs / 1000).toFixed(1)} s`, { outage_ms: outageMs, new_epochs: reconciled });
    } catch (err) {
      this.logError(err as Error);
    }
  }

  private async alert(level: 'info' | 'warning' | 'error' | 'critical', code: string, message: string, details: Record<string, unknown>): Promise<void> {
    try {
      await this.deps.hub.publish('alert', { level, code, message, details: { ...details, node_id: this.deps.nodeId } });
    } catch (err) {
      this.log.warn({ err, code }, 'cluster alert not published');
    }
  }

  private logError(err: Error): void {
    const now = Date.now();
    if (now - this.lastErrLogMs < 5000) return;
    this.lastErrLogMs = now;
    this.log.warn({ err: err.message }, 'cluster: redis error (further errors suppressed for 5 s)');
  }
}
