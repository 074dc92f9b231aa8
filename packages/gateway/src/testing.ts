/**
 * @tablecast/gateway/testing: what tests of a gateway, a broker or an application need: the Broker
 * conformance suite (node:test) and a private `redis-server` child process on a free port.
 */
export { brokerSuite, type BrokerFactory } from './testing/broker-conformance.js';
export { RedisProcess, redisServerPath, freeTcpPort, processCpuSeconds } from './testing/redis-process.js';
