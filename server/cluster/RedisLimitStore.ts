import type { Redis } from 'ioredis';
import type { LimitRule, LimitStore } from '../limits/LimitStore.ts';

// One token bucket per key, refilled on Redis's own clock (the processes' clocks do not agree), expiring once full.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local ok = 0
if cost > 0 and tokens >= cost then
  tokens = tokens - cost
  ok = 1
end
if cost > 0 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
  local full = rate > 0 and math.ceil((burst - tokens) / rate * 1000) + 1000 or 86400000
  redis.call('PEXPIRE', KEYS[1], full)
  return ok
end
return tostring(tokens)`;

/**
 * Rate-limit buckets shared by every process of a cluster (the per-address budgets: room creations, look-ups,
 * joins), with the LimitStore shape the server's limits use (`take`, `available`, `prune`). Buckets expire in Redis
 * once they would be full again, so `prune` has nothing to do. When Redis does not answer, `take` lets the
 * request through: a limit that fails shut would lock a whole school out while Redis restarts.
 */
export class RedisLimitStore implements LimitStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'oom:limit:') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async take(key: string, rule: LimitRule, _now?: number, cost = 1): Promise<boolean> {
    try {
      return (
        (await this.#redis.eval(
          TAKE,
          1,
          this.#prefix + key,
          String(rule.burst),
          String(rule.perSec),
          String(cost),
        )) === 1
      );
    } catch {
      return true;
    }
  }

  async available(key: string, rule: LimitRule): Promise<number> {
    try {
      return Number(
        await this.#redis.eval(TAKE, 1, this.#prefix + key, String(rule.burst), String(rule.perSec), '0'),
      );
    } catch {
      return rule.burst;
    }
  }

  prune(): void {}
}
