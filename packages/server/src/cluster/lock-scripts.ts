/**
 * Lua scripts of the cluster's pipeline lock (leader-election.ts): renew and release only while
 * this node holds the lock, each in one atomic step.
 */
import { LuaScript } from '@tablecast/gateway/redis';

/**
 * Leader lock renewal (compare-and-extend): extends the lock when this node holds it, re-takes it
 * when it vanished (store restart), else reports that another node holds it.
 * KEYS: lock. ARGV: node id, ttl ms. Returns 1 (held) or 0 (someone else).
 */
export const LOCK_RENEW = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`);

/**
 * Leader lock release (compare-and-delete) with a notification so followers take over at once.
 * KEYS: lock. ARGV: node id, events channel, notification. Returns 1 when released.
 */
export const LOCK_RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
`);
