/**
 * Cluster mode (broker.url redis://...): Redis broker, leader election, node registry, shared
 * breaker. See docs/CLUSTER.md.
 */
export { RedisBroker, createRedisBroker, redactUrl, type RedisBrokerOptions, type RedisBrokerEvent, type RedisBrokerStats } from './broker-redis.js';
export { Cluster, type ClusterDeps, type BreakerMirror } from './cluster.js';
export { ClusterSection, type ClusterConfig } from './config.js';
export { LeaderElection, LEADER_RELEASED, type LeaderElectionOptions } from './leader-election.js';
export { NodeRegistry, type NodeRecord, type NodeLoad } from './node-registry.js';
export { SharedBreakerState, type SharedBreakerSnapshot } from './shared-breaker.js';
export { RedisKeys } from './redis-keys.js';
export { RedisProcess, redisServerPath, freeTcpPort, processCpuSeconds } from './redis-process.js';
