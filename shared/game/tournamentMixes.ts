/** The tournament's mixes (docs/game.md, TN2): which strategies sit at the table, how many, for how long. */
import { hashString, RngCursor, seedRng } from './rng.ts';
import { STRATEGIES, type StrategyName } from './strategies.ts';
import type { Seat, SessionSpec } from './tournamentSession.ts';

/** Seats for a mix: `count` of each strategy, in an order shuffled by the seed (creation order decides scheduling). */
function seatsFor(counts: readonly (readonly [StrategyName, number])[], seed: number): Seat[] {
  const seats: Seat[] = [];
  for (const [strategy, n] of counts)
    for (let i = 1; i <= n; i++) seats.push({ slot: `${strategy}-${i}`, strategy });
  const rng = new RngCursor(seedRng(hashString('seats', seed)));
  for (let i = seats.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [seats[i], seats[j]] = [seats[j]!, seats[i]!];
  }
  return seats;
}

/** TN2: the mixes the tournament plays, each built to test one claim of issue #6. */
export const MIXES = {
  /** Every strategy, three seats each, on a node sized for the room. */
  everyone: { durationSec: 1200, counts: STRATEGIES.map((s) => [s, 3] as const) },
  /** TN3: just raise the limit vs fix the leak, over a long round (30 min), with careful neighbours. */
  'leak-duel': {
    durationSec: 1800,
    counts: [
      ['raise-limit', 4],
      ['fix-leak', 4],
      ['careful-guaranteed', 4],
    ] as const,
  },
  /** TN5: everyone maxes their limit; two careful Guaranteed pods share the node. */
  'all-greedy': {
    durationSec: 900,
    counts: [
      ['max-limit', 16],
      ['careful-guaranteed', 2],
    ] as const,
  },
  /** TN4: two students ask for half the node each; the rest play it straight. */
  huge: {
    durationSec: 900,
    counts: [
      ['huge-request', 2],
      ['fix-leak', 6],
      ['careful-guaranteed', 6],
      ['idle', 4],
    ] as const,
  },
  /** TN7: everyone plays it safe with request = limit = 512 MiB: the node fits fewer pods, the rest wait Pending. */
  crowded: {
    durationSec: 900,
    counts: [
      ['careful-guaranteed', 14],
      ['fix-leak', 4],
    ] as const,
  },
} satisfies Record<string, { durationSec: number; counts: readonly (readonly [StrategyName, number])[] }>;
export type MixName = keyof typeof MIXES;
export const MIX_NAMES = Object.keys(MIXES) as MixName[];

export function mixSession(mix: MixName, seed: number, durationSec?: number): SessionSpec {
  const m = MIXES[mix];
  return { mix, seed, durationSec: durationSec ?? m.durationSec, seats: seatsFor(m.counts, seed) };
}
