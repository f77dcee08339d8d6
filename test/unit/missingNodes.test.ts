import { describe, expect, it } from 'vitest';
import { MissingNodes } from '../../server/cluster/missingNodes.ts';

const LEASE = 1500;
/** Checks every third of a lease (as the renewals run): `alive` per check; the check at which it is gone, or -1. */
function goneAt(alive: readonly boolean[]): number {
  const m = new MissingNodes(LEASE);
  return alive.findIndex((a, i) => m.gone('vm/1/abc', a, i * (LEASE / 3)));
}

describe('an owner calls a front process gone only when its mark is missing for a whole lease', () => {
  it.each([
    ['alive at every check', [true, true, true, true, true], -1],
    // Redis restarted empty: the mark is missing until that process renews again, within a third of a lease.
    ['missing once after a Redis restart, then renewed', [true, false, true, true, true, true], -1],
    ['missing twice in a row (a slow renewal), then renewed', [false, false, true, false, false, true], -1],
    ['dead: missing from the first check on', [false, false, false, false, false], 3],
    ['dead after living a while', [true, true, false, false, false, false, false], 5],
  ] as const)('%s', (_, alive, at) => {
    expect(goneAt(alive)).toBe(at);
  });

  it('tracks each process on its own, and forgets one it called gone', () => {
    const m = new MissingNodes(LEASE);
    expect(m.gone('a', false, 0)).toBe(false);
    expect(m.gone('b', false, 1000)).toBe(false);
    expect(m.gone('a', false, 1500)).toBe(true);
    expect(m.gone('b', false, 1500)).toBe(false);
    expect(m.gone('b', false, 2500)).toBe(true);
    // Seen missing again later (its connections were dropped already): a new lease of grace.
    expect(m.gone('a', false, 3000)).toBe(false);
  });
});
