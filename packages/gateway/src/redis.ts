/**
 * @tablecast/gateway/redis: the Redis broker (cluster mode). Every node publishes through Redis
 * (sequence with INCR, history in a Redis Stream, fan-out by pub/sub); a node that loses Redis keeps
 * serving its own clients from a local fallback and an outbox, and reconciles when Redis returns.
 * Imports ioredis; loaded only when a deployment uses it.
 */
export { RedisBroker, redactUrl, type RedisBrokerOptions, type RedisBrokerEvent, type RedisBrokerStats, type BrokerLog } from './broker/redis/redis-broker.js';
export { RedisKeys, type StreamKeys } from './broker/redis/redis-keys.js';
export { LuaScript } from './broker/redis/lua.js';
export { redisAttemptLimiter, type RedisAttemptLimiterOptions } from './limits/redis-attempt-limiter.js';
