/**
 * Fairness at a round's start (docs/game.md, "Integration"): commands sent in the round's first seconds are held,
 * then applied together in a seeded shuffled order, so a fast tap does not win the race for the node's capacity.
 */
import { nextFloat, seedRng } from '../../shared/game/index.ts';

/** Simulated seconds after `round:start` during which commands are collected. */
export const FAIR_WINDOW_SEC = 3;

/** Fisher–Yates with the game's seeded PRNG: the same seed gives the same order on every machine. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let rng = seedRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const [next, v] = nextFloat(rng);
    rng = next;
    const j = Math.floor(v * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
