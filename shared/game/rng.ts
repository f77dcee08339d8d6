/**
 * A tiny seeded PRNG for the game layer (bots, tournament mixes). Its whole state is one uint32 kept in plain data,
 * so a bot's memory serialises and replays like the simulation's. Same mulberry32 as shared/sim/random.ts, but it
 * must not draw from SimState.rng: bots drawing from the simulation's stream would change what the kernel does.
 */

/** Seeds are folded into a non-zero uint32. */
export function seedRng(seed: number): number {
  return Math.trunc(seed) >>> 0 || 1;
}

/** One draw: the next state and a value in [0, 1). */
export function nextFloat(rng: number): [number, number] {
  const a = (rng + 0x6d2b79f5) >>> 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return [a, ((t ^ (t >>> 14)) >>> 0) / 4294967296];
}

/** A mutable cursor over an rng state, for code that draws several values in a row; read `.state` back when done. */
export class RngCursor {
  constructor(public state: number) {}
  /** A value in [0, 1). */
  next(): number {
    const [s, v] = nextFloat(this.state);
    this.state = s;
    return v;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

/** A stable 32-bit hash of a string (FNV-1a), to derive per-slot seeds from a session seed. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
