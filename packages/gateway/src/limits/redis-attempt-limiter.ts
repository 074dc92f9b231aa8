/**
 * An attempt limiter whose counts live in Redis (rate-limiter-flexible's RateLimiterRedis), so every
 * node of a cluster draws on one budget per client address: a client cannot multiply its allowance
 * by the number of nodes behind a load balancer.
 *
 * While Redis does not answer, the counts fall back to this process (an insurance limiter with the
 * same budget), so an outage neither refuses everyone nor lifts the limit.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { attemptLimiter, type AttemptLimiter } from './attempt-limiter.js';

/** Settings of a Redis attempt limiter. */
export interface RedisAttemptLimiterOptions {
  /** Key prefix of the counters (`{prefix}:{client key}`), e.g. `tablecast:ratelimit:ws`. */
  keyPrefix: string;
  /** Attempts per key per window. */
  points: number;
  /** Window length, seconds. */
  durationS: number;
}

/** See the module comment. `redis` is an ioredis connection the caller owns (and closes). */
export function redisAttemptLimiter(redis: Redis, o: RedisAttemptLimiterOptions): AttemptLimiter {
  return attemptLimiter(new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: o.keyPrefix,
    points: o.points,
    duration: o.durationS,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points: o.points, duration: o.durationS }),
  }));
}
