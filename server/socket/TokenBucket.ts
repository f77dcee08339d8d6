/**
 * A token bucket: `capacity` messages at once, refilled at `perSec`. Used per socket for messages and, as a
 * second bucket, for offences (a socket that keeps sending bad messages runs out and is disconnected).
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

  /** Take one token; false when the bucket is empty. */
  take(now: number): boolean {
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) / 1000) * this.perSec);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
