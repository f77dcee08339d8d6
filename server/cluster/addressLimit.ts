import type { Redis } from 'ioredis';

const KEY = 'oom:ip:';
const NODE = 'oom:node:';

// Count an address's connections over the live processes (a dead process's counts are dropped) and take one more
// when under the cap. Reads liveness keys it is not handed: fine on one Redis, not on a Redis Cluster.
const ADMIT = `
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if fields[i] == ARGV[1] or redis.call('EXISTS', ARGV[3] .. fields[i]) == 1 then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return 1`;

const RELEASE = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n`;

/**
 * Socket.IO connections per address across the cluster: each process counts its own under the address's hash, so
 * the cap holds however the load balancer spreads a school's NAT address. When Redis does not answer, the
 * process's own cap still holds (fail open, not shut).
 */
export class AddressLimit {
  readonly #redis: Redis;
  readonly #node: string;
  readonly #max: number;

  constructor(redis: Redis, node: string, max: number) {
    this.#redis = redis;
    this.#node = node;
    this.#max = max;
  }

  async admit(ip: string): Promise<boolean> {
    try {
      return (await this.#redis.eval(ADMIT, 1, KEY + ip, this.#node, String(this.#max), NODE)) === 1;
    } catch {
      return true;
    }
  }

  release(ip: string): void {
    this.#redis.eval(RELEASE, 1, KEY + ip, this.#node).catch(() => {});
  }
}
