import { describe, expect, it } from 'vitest';
import { seededShuffle } from '../../server/game/fairness.ts';
import { botNickname, fillPlan } from '../../server/game/bots.ts';
import { STRATEGIES } from '../../shared/game/index.ts';
import { checkNickname } from '../../shared/protocol/nickname.ts';

describe('fairness shuffle', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i);
  it('is a permutation, the same for the same seed, and not arrival order', () => {
    const a = seededShuffle(xs, 42);
    expect([...a].sort((p, q) => p - q)).toEqual(xs);
    expect(seededShuffle(xs, 42)).toEqual(a);
    expect(a).not.toEqual(xs);
    expect(seededShuffle(xs, 43)).not.toEqual(a);
  });
  it('puts each of two commands first about half the time over many seeds', () => {
    let first = 0;
    for (let seed = 1; seed <= 1000; seed++) if (seededShuffle(['a', 'b'], seed)[0] === 'a') first++;
    expect(first).toBeGreaterThan(400);
    expect(first).toBeLessThan(600);
  });
});

describe('bots for empty seats', () => {
  it("'mixed' cycles through every strategy; one strategy fills every seat", () => {
    expect(fillPlan('mixed', STRATEGIES.length + 1)).toEqual([...STRATEGIES, STRATEGIES[0]]);
    expect(fillPlan('fix-leak', 3)).toEqual(['fix-leak', 'fix-leak', 'fix-leak']);
    expect(fillPlan('idle', 0)).toEqual([]);
  });
  it('names are valid nicknames, unique, and show the strategy', () => {
    for (const s of STRATEGIES) {
      const name = botNickname(s, 299, () => false);
      expect(checkNickname(name).ok).toBe(true);
      expect(name).toContain(s === 'careful-guaranteed' ? 'careful bot' : s);
    }
    expect(botNickname('idle', 1, (k) => k === 'idle bot 1')).toBe('idle bot 2');
  });
});
