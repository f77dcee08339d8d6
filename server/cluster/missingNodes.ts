/**
 * Which front processes an owner may call gone. A process marks itself alive in Redis at every renewal; a mark that
 * is missing once is not yet a death — a Redis restarted empty looks the same until every process has renewed
 * again. A process is gone when its mark has been missing at every check for a whole lease, which a live one's
 * never is (it renews three times a lease).
 */
export class MissingNodes {
  readonly #leaseMs: number;
  /** Nodes whose mark was missing at the last check, and since when. */
  readonly #since = new Map<string, number>();

  constructor(leaseMs: number) {
    this.#leaseMs = leaseMs;
  }

  /** Record one check of `node` at `now` (ms); true when it is gone (its connections can be dropped). */
  gone(node: string, alive: boolean, now: number): boolean {
    if (alive) {
      this.#since.delete(node);
      return false;
    }
    const since = this.#since.get(node) ?? now;
    if (now - since < this.#leaseMs) {
      this.#since.set(node, since);
      return false;
    }
    this.#since.delete(node);
    return true;
  }
}
