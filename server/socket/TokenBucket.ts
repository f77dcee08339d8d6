/**
 * A token bucket: `capacity` messages at once, refilled at `perSec`. The limit stores keep one per key (an address,
 * a participant): messages, offences, failed look-ups, rooms created.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    readonly capacity: number,
    readonly perSec: number,
    now: number,
  ) {
    this.#tokens = capacity;
    this.#last = now;
  }

  #refill(now: number): void {
    if (now > this.#last) this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) / 1000) * this.perSec);
    this.#last = Math.max(this.#last, now);
  }

  /** Take `cost` tokens (default one); false, and nothing taken, when the bucket holds fewer. */
  take(now: number, cost = 1): boolean {
    this.#refill(now);
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Tokens held at `now` (nothing taken). */
  tokensAt(now: number): number {
    return Math.min(this.capacity, this.#tokens + (Math.max(0, now - this.#last) / 1000) * this.perSec);
  }

  /** True once the bucket would be full again at `now` (it can be forgotten). */
  fullAt(now: number): boolean {
    return this.#tokens + ((now - this.#last) / 1000) * this.perSec >= this.capacity;
  }
}
