/**
 * The Lua scripts of the Redis broker and the leader lock. Each runs atomically in Redis, which is
 * what makes sequences gapless and identically ordered on every node: INCR, XADD and PUBLISH of one
 * publication happen in one step, so pub/sub delivers publications in sequence order.
 *
 * Wire message (pub/sub payload and history entry field `m`): `"<sequence> <epoch> <timestampMicros> <json data>"`.
 * The JSON is built by the publisher and only concatenated here (never decoded: Lua's cjson would
 * turn `[]` into `{}`).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A script run with EVALSHA, falling back to EVAL after a Redis restart emptied the script cache. */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Loads the script into Redis' script cache (SCRIPT LOAD). Run on every connection `ready`: with
   * the cache warm, EVALSHA never takes the NOSCRIPT -> EVAL detour, whose per-call retry could
   * otherwise let a later publication of this node overtake an earlier one.
   */
  async load(redis: Redis): Promise<void> {
    await redis.script('LOAD', this.source);
  }

  /** Runs the script. @throws the Redis or connection error */
  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Shared prelude: the epoch of a stream, created when missing. A missing epoch means the store lost
 * the stream (restart without persistence, eviction): the new generation starts its sequence at
 * `floor` (the highest sequence the calling node saw) so sequences never go backwards for live
 * clients, and any leftover history is dropped (it belongs to no known epoch).
 * KEYS[1] seq, KEYS[2] epoch, KEYS[3] hist; ARGV[1] candidate epoch, ARGV[2] floor.
 */
const ENSURE_EPOCH = `
local function ensure_epoch()
  local e = redis.call('GET', KEYS[2])
  if e then return e end
  e = ARGV[1]
  redis.call('SET', KEYS[2], e)
  local s = tonumber(redis.call('GET', KEYS[1]) or '0')
  local floor = tonumber(ARGV[2])
  if s < floor then redis.call('SET', KEYS[1], floor) end
  redis.call('DEL', KEYS[3])
  return e
end
`;

/**
 * Publish: sequence (INCR), store (XADD with MAXLEN ~ and MINID ~ by age, reliable streams; SET of
 * the newest message, latest-value streams) and PUBLISH, atomically.
 * KEYS: seq, epoch, hist, last. ARGV: candidate epoch, floor, timestampMicros, json, reliable (1/0),
 * max messages, max age (ms), channel. Returns `"<sequence> <epoch>"`.
 */
export const PUBLISH = new LuaScript(`${ENSURE_EPOCH}
local e = ensure_epoch()
local s = redis.call('INCR', KEYS[1])
local msg = s .. ' ' .. e .. ' ' .. ARGV[3] .. ' ' .. ARGV[4]
if ARGV[5] == '1' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'm', msg)
  local t = redis.call('TIME')
  local cutoff = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[7])
  if cutoff > 0 then redis.call('XTRIM', KEYS[3], 'MINID', '~', cutoff) end
else
  redis.call('SET', KEYS[4], msg)
end
redis.call('PUBLISH', ARGV[8], msg)
return s .. ' ' .. e
`);

/**
 * Position and history read in one step (so `latest` and the entries agree).
 * KEYS: seq, epoch, hist. ARGV: candidate epoch, floor, since (-1: position only), max entries.
 * Returns `{latest, epoch, m1, m2, ...}` with the newest `latest - since` messages, newest first,
 * or none when that is more than `max entries`.
 */
export const READ = new LuaScript(`${ENSURE_EPOCH}
local e = ensure_epoch()
local s = tonumber(redis.call('GET', KEYS[1]) or '0')
local out = {s, e}
local since = tonumber(ARGV[3])
if since >= 0 then
  local need = s - since
  if need > 0 and need <= tonumber(ARGV[4]) then
    local entries = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', need)
    for i = 1, #entries do
      local fields = entries[i][2]
      for j = 1, #fields, 2 do
        if fields[j] == 'm' then out[#out + 1] = fields[j + 1] end
      end
    end
  end
end
return out
`);

/**
 * Reconcile after an outage.
 * - `force` 1 (this node delivered locally sequenced messages the store never saw): start a new
 *   epoch, drop the history, raise the sequence to at least `floor`.
 * - the epoch is gone (the store restarted without its data) and the node knew one (`known`):
 *   restore that epoch and raise the sequence to at least `floor`, so clients' offsets stay valid
 *   and what the nodes' outboxes write next continues the sequence (history before is gone:
 *   resumes from older offsets answer recovered: false).
 * - the epoch is gone and the node knew none: a new epoch at `floor`.
 * - the epoch is the one the node knew but below `floor` (another node restored it from a lower
 *   position): raise the sequence to `floor`.
 * KEYS: seq, epoch, hist. ARGV: candidate epoch, floor, force (1/0), known epoch ('' for none).
 * Returns `{latest, epoch, restored (1/0)}`.
 */
export const RECONCILE = new LuaScript(`
local e = redis.call('GET', KEYS[2])
local s = tonumber(redis.call('GET', KEYS[1]) or '0')
local restored = 0
if (not e) or ARGV[3] == '1' then
  if (not e) and ARGV[3] ~= '1' and ARGV[4] ~= '' then
    e = ARGV[4]
    restored = 1
  else
    e = ARGV[1]
  end
  redis.call('SET', KEYS[2], e)
  redis.call('DEL', KEYS[3])
  local floor = tonumber(ARGV[2])
  if s < floor then
    redis.call('SET', KEYS[1], floor)
    s = floor
  end
elseif e == ARGV[4] and s < tonumber(ARGV[2]) then
  -- another node restored this epoch from a lower position than this node had seen
  s = tonumber(ARGV[2])
  redis.call('SET', KEYS[1], s)
end
return {s, e, restored}
`);
