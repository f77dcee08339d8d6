/** The tournament with fixed seeds (docs/game.md, TN1–TN7): the four outcomes issue #6 asks the table to show. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkClaims,
  formatTable,
  runSession,
  mixSession,
  runTournament,
  type TournamentResult,
} from '../../shared/game/tournament.ts';

const SEEDS = [1, 2];
let result: TournamentResult;

beforeAll(() => {
  result = runTournament({ seeds: SEEDS });
});

const sessionsOf = (mix: string) => result.sessions.filter((s) => s.spec.mix === mix);
const seatsOf = (mix: string, strategy: string) =>
  sessionsOf(mix).flatMap((s) =>
    s.spec.seats
      .filter((x) => x.strategy === strategy)
      .map((x) => ({ session: s, stats: s.stats.slots[x.slot]! })),
  );
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('tournament (fixed seeds)', () => {
  it('TN3: "just raise the limit" loses to fixing the leak over a long round, in every seed', () => {
    for (const s of sessionsOf('leak-duel')) {
      const score = (strategy: string) =>
        mean(s.spec.seats.filter((x) => x.strategy === strategy).map((x) => s.stats.slots[x.slot]!.score));
      expect(score('raise-limit')).toBeLessThan(score('fix-leak'));
    }
    // It keeps being killed at its own limit; fixing the leak costs one kill at most.
    expect(mean(seatsOf('leak-duel', 'raise-limit').map((x) => x.stats.killsMemcg))).toBeGreaterThan(1.5);
    expect(Math.max(...seatsOf('leak-duel', 'fix-leak').map((x) => x.stats.killsMemcg))).toBeLessThanOrEqual(
      1,
    );
  });

  it('TN4: a huge request ends up Pending (Insufficient memory) and serves nothing', () => {
    for (const { session, stats } of [
      ...seatsOf('huge', 'huge-request'),
      ...seatsOf('everyone', 'huge-request'),
    ]) {
      const ticks = session.spec.durationSec * 10;
      expect(stats.pendingTicks / ticks).toBeGreaterThan(0.9);
      // FailedScheduling: Insufficient memory (under MemoryPressure the scheduler reports the taint instead).
      expect(session.insufficientTicks[stats.slot]).toBeGreaterThan(0.3 * ticks);
      expect(stats.score).toBeLessThan(1000);
    }
  });

  it('TN4: a huge request that does fit starves the pods that come after it', () => {
    // Alone on a node at first, the huge pod fits; the careful pods' later rollouts (512 MiB requests) do not.
    const spec = mixSession('huge', 1);
    spec.seats = [
      { slot: 'huge-request-1', strategy: 'huge-request' },
      ...Array.from({ length: 9 }, (_, i) => ({
        slot: `careful-${i}`,
        strategy: 'careful-guaranteed' as const,
      })),
    ];
    spec.durationSec = 300;
    spec.memoryMiB = 8192;
    const r = runSession(spec);
    expect(r.stats.slots['huge-request-1']!.pendingTicks).toBeLessThan(600);
    const starved = spec.seats.filter(
      (s) => s.strategy === 'careful-guaranteed' && (r.insufficientTicks[s.slot] ?? 0) > 600,
    );
    expect(starved.length).toBeGreaterThan(0);
  });

  it('TN5: everyone maxing their limit triggers global OOMs that hit the greediest', () => {
    for (const s of sessionsOf('all-greedy')) {
      expect(s.globalKills.length).toBeGreaterThan(0);
      for (const k of s.globalKills) {
        expect(k.victimStrategy).toBe('max-limit');
        expect(k.victimIsBiggest).toBe(true); // the most memory on the node (ties go to the later pid)
        expect(k.victimRssMiB).toBe(k.maxRssMiB);
      }
    }
    expect(
      mean(seatsOf('all-greedy', 'max-limit').map((x) => x.stats.killsGlobal + x.stats.evictions)),
    ).toBeGreaterThan(0.5);
  });

  it('TN6: a careful Guaranteed pod survives: no OOM kill and no eviction, in any mix', () => {
    const careful = result.sessions.flatMap((s) =>
      s.spec.seats.filter((x) => x.strategy === 'careful-guaranteed').map((x) => s.stats.slots[x.slot]!),
    );
    expect(careful.length).toBeGreaterThan(50);
    for (const c of careful) expect(c.killsMemcg + c.killsGlobal + c.evictions).toBe(0);
  });

  it('TN7: every claim holds, and no single strategy wins every mix', () => {
    const claims = checkClaims(result);
    expect(claims.map((c) => c.id).sort()).toEqual([
      'TN3:everyone',
      'TN3:leak-duel',
      'TN4',
      'TN5',
      'TN6',
      'TN7',
    ]);
    for (const c of claims) expect(c.holds, `${c.id}: ${c.evidence}\n${formatTable(result.rows)}`).toBe(true);
  });

  it('TN1: the same seeds give the same table', () => {
    const again = runTournament({ seeds: [1], mixes: ['all-greedy'] });
    const first = result.rows.filter((r) => r.mix === 'all-greedy');
    const mine = runTournament({ seeds: SEEDS, mixes: ['all-greedy'] }).rows;
    expect(mine).toEqual(first);
    expect(again.sessions[0]!.board).toEqual(sessionsOf('all-greedy')[0]!.board);
  });
});
