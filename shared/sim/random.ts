import type { SimState } from './types.ts';

/** Seeds are 32-bit unsigned integers; any number is folded into that range. */
export function normaliseSeed(seed: number): number {
  return (Math.trunc(seed) >>> 0) || 1;
}

/**
 * mulberry32: a small, fast PRNG whose whole state is one uint32, kept in SimState.rng so that
 * the same seed and commands replay exactly. Advances the state in place; returns [0, 1).
 */
export function nextRandom(state: SimState): number {
  const a = (state.rng + 0x6d2b79f5) >>> 0;
  state.rng = a;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** An integer in [0, n). */
export function randomInt(state: SimState, n: number): number {
  return Math.floor(nextRandom(state) * n);
}

// The ReplicaSet suffix alphabet: no vowels and no look-alike digits (k8s.io/apimachinery rand.String).
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character pod-name suffix, as a ReplicaSet would give. */
export function podSuffix(state: SimState): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[randomInt(state, SUFFIX_ALPHABET.length)];
  return s;
}
