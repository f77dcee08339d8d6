import { TokenBucket } from '../socket/TokenBucket.ts';

/** A token-bucket rule: `burst` at once, refilled at `perSec`. */
export interface LimitRule {
  burst: number;
  perSec: number;
}

/**
 * Where the server's rate limits keep their buckets, keyed by who pays (an address, a participant, an owner) rather
 * than by connection, so a reconnect does not refill them. One process keeps them in memory; a cluster can slot in
 * a shared store (Redis) behind the same interface, which is why `take` may answer a promise.
 */
export interface LimitStore {
  /** Take `cost` tokens from `key`'s bucket under `rule`; false (nothing taken) when it does not hold that many. */
  take(key: string, rule: LimitRule, now: number, cost?: number): boolean | Promise<boolean>;
  /** Tokens `key`'s bucket holds now under `rule` (a full bucket for an unknown key); takes nothing. */
  available(key: string, rule: LimitRule, now: number): number | Promise<number>;
  /** Forget buckets that have refilled completely (they hold nothing a fresh bucket would not). */
  prune(now: number): void;
}

/** The in-process LimitStore: a Map of token buckets, pruned as they fill up again. */
export class MemoryLimitStore implements LimitStore {
  readonly #buckets = new Map<string, { bucket: TokenBucket; rule: LimitRule }>();
  #takes = 0;

  take(key: string, rule: LimitRule, now: number, cost = 1): boolean {
    let entry = this.#buckets.get(key);
    if (!entry || entry.rule.burst !== rule.burst || entry.rule.perSec !== rule.perSec) {
      entry = { bucket: new TokenBucket(rule.burst, rule.perSec, now), rule };
      this.#buckets.set(key, entry);
    }
    // Prune now and then so a stream of one-off addresses cannot grow the map without end.
    if (++this.#takes % 4096 === 0) this.prune(now);
    return entry.bucket.take(now, cost);
  }

  available(key: string, rule: LimitRule, now: number): number {
    const e = this.#buckets.get(key);
    return e && e.rule.burst === rule.burst && e.rule.perSec === rule.perSec ? e.bucket.tokensAt(now) : rule.burst;
  }

  prune(now: number): void {
    for (const [key, e] of this.#buckets) if (e.bucket.fullAt(now)) this.#buckets.delete(key);
  }

  /** Buckets held (tests: pruning works). */
  get size(): number {
    return this.#buckets.size;
  }
}
