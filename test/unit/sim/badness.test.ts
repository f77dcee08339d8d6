import { describe, expect, it } from 'vitest';
import { oomBadness, pgtablePages, procOomScore } from '../../../shared/sim/badness.ts';
import { chooseVictim } from '../../../shared/sim/oomKiller.ts';
import type { OomCandidate } from '../../../shared/sim/types.ts';

const TOTAL_4GIB = 1_048_576;

describe('K1 oom_badness', () => {
  it('reproduces FIDELITY §1: the Burstable pod outscores the BestEffort one', () => {
    // BestEffort using 100 MiB: 25,600 pages + 1000 × 1048.
    expect(oomBadness(25_600, 0, 0, 1000, TOTAL_4GIB)).toBe(1_073_600);
    // Burstable with a 1 GiB request (adj 750) using 3 GiB: 786,432 + 750 × 1048.
    expect(oomBadness(786_432, 0, 0, 750, TOTAL_4GIB)).toBe(1_572_432);
  });
  it('divides totalpages by 1000 before multiplying (integer arithmetic)', () => {
    expect(oomBadness(0, 0, 0, 1, 1999)).toBe(1);
    expect(oomBadness(0, 0, 0, -1, 1999)).toBe(-1);
  });
  it('counts swap and page tables; may be negative; -1000 is exempt', () => {
    expect(oomBadness(100, 50, 2, 0, TOTAL_4GIB)).toBe(152);
    expect(oomBadness(1000, 0, 1, -997, TOTAL_4GIB)).toBe(1001 - 997 * 1048);
    expect(oomBadness(1_000_000, 0, 0, -1000, TOTAL_4GIB)).toBeNull();
  });
  it('K2: one page-table page per 512 mapped pages, plus one', () => {
    expect(pgtablePages(0, 0)).toBe(1);
    expect(pgtablePages(512, 0)).toBe(2);
    expect(pgtablePages(1000, 100)).toBe(3);
  });
});

describe('K3 /proc/PID/oom_score', () => {
  it('shows about 666 for an idle adj-0 process and 0 for -1000', () => {
    expect(procOomScore(oomBadness(10, 0, 1, 0, TOTAL_4GIB), TOTAL_4GIB)).toBe(666);
    expect(procOomScore(null, TOTAL_4GIB)).toBe(0);
  });
  it('tops out just under 2000 for a process holding all memory with adj 1000 (totalpages/1000 truncates)', () => {
    // badness = 1,048,576 + 1000 × 1048 = 2,096,576 → (1000 + 1999) × 2 / 3 = 1999.
    expect(procOomScore(oomBadness(TOTAL_4GIB, 0, 0, 1000, TOTAL_4GIB), TOTAL_4GIB)).toBe(1999);
  });
});

function cand(pid: number, points: number | null): OomCandidate {
  return { pid, comm: 'x', pod: `p${pid}`, slot: `p${pid}`, rssPages: 0, anonPages: 0, fileRssPages: 0, swapPages: 0, pgtablePages: 0, oomScoreAdj: 0, points, oomScore: 0 };
}

describe('K6 choosing the victim', () => {
  it.each([
    ['the largest points wins', [cand(1, 5), cand(2, 9), cand(3, 7)], 2],
    ['on a tie the later candidate in pid order wins', [cand(1, 9), cand(2, 9), cand(3, 1)], 2],
    ['negative points are still eligible', [cand(1, -5000), cand(2, null)], 1],
    ['an exempt process is never chosen', [cand(1, null), cand(2, -1)], 2],
  ] as const)('%s', (_n, cands, victim) => {
    expect(chooseVictim(cands)?.pid).toBe(victim);
  });
  it('nobody when every candidate is exempt', () => {
    expect(chooseVictim([cand(1, null)])).toBeNull();
  });
});
