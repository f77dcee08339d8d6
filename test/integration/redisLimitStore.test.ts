/** The cluster's shared rate-limit buckets, on a real redis-server: two processes' stores drain one bucket. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLimitStore } from '../../server/cluster/RedisLimitStore.ts';
import { redisForTests, startRedis, type TestRedis } from './redisHarness.ts';

const run = redisForTests('Redis limit store tests');

describe.skipIf(!run)('RedisLimitStore', () => {
  let redis: TestRedis;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    a = new Redis(redis.url);
    b = new Redis(redis.url);
  });
  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await redis?.close();
  });

  it('one bucket per key across processes: a burst, then refusals, then a refill', async () => {
    const one = new RedisLimitStore(a);
    const two = new RedisLimitStore(b);
    const rule = { burst: 3, perSec: 20 };
    expect(await one.available('ip:1.2.3.4', rule)).toBe(3);
    expect([
      await one.take('ip:1.2.3.4', rule),
      await two.take('ip:1.2.3.4', rule),
      await one.take('ip:1.2.3.4', rule),
    ]).toEqual([true, true, true]);
    expect(await two.take('ip:1.2.3.4', rule)).toBe(false);
    // Another address has its own bucket.
    expect(await two.take('ip:5.6.7.8', rule)).toBe(true);
    // 20 tokens a second: one is back within a moment (waits on the condition, not a fixed time).
    for (let i = 0; i < 200 && !(await one.take('ip:1.2.3.4', rule)); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await one.available('ip:1.2.3.4', rule)).toBeLessThan(1);
  });

  it('a cost larger than what is left takes nothing', async () => {
    const s = new RedisLimitStore(a);
    const rule = { burst: 5, perSec: 0.001 };
    expect(await s.take('k', rule, 0, 4)).toBe(true);
    expect(await s.take('k', rule, 0, 2)).toBe(false);
    expect(Math.round(await s.available('k', rule))).toBe(1);
  });

  it('lets requests through when Redis does not answer (a limit must not lock a school out)', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    dead.on('error', () => {});
    const s = new RedisLimitStore(dead);
    expect(await s.take('k', { burst: 1, perSec: 1 })).toBe(true);
    dead.disconnect();
  });
});
