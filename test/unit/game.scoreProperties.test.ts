/**
 * Scoring's invariants on random node set-ups and commands (docs/game.md): G5 the score is the sum of its parts,
 * G6 each tick of a slot is serving, starting, pending or down, G7 ranks are a permutation ordered by score. The
 * table of worked cases is in game.score.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyStats, SCORING, updateStats } from '../../shared/game/score.ts';
import { leaderboard } from '../../shared/game/standings.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command } from '../../shared/sim/types.ts';
import { sim } from './sim/helpers.ts';

describe('scoring properties', () => {
  const podArb = (i: number) =>
    fc.record({
      name: fc.constant(`s${i}`),
      requestMiB: fc.constantFrom(64, 128, 256),
      limitMiB: fc.constantFrom(256, 512, 2048),
      workload: fc.record({
        baselineMiB: fc.constantFrom(32, 96, 200),
        leakMiBps: fc.constantFrom(0, 5, 40),
        requestsPerSec: fc.constantFrom(0, 20),
        batch: fc.option(
          fc.record({
            sizeMiB: fc.constantFrom(100, 400),
            mode: fc.constantFrom('load', 'stream'),
            rateMiBps: fc.constant(100),
            chunkMiB: fc.constant(16),
            everySec: fc.constant(5),
          }),
          { nil: null },
        ),
      }),
    });
  const cmdArb = (n: number) =>
    fc.oneof(
      fc.record({
        type: fc.constant('kill' as const),
        pod: fc.integer({ min: 0, max: n - 1 }).map((i) => `s${i}`),
      }),
      fc.record({
        type: fc.constant('fix_leak' as const),
        pod: fc.integer({ min: 0, max: n - 1 }).map((i) => `s${i}`),
      }),
      fc.record({
        type: fc.constant('set_resources' as const),
        pod: fc.integer({ min: 0, max: n - 1 }).map((i) => `s${i}`),
        requestMiB: fc.constantFrom(64, 512),
        limitMiB: fc.constantFrom(512, 4096),
      }),
    );

  it('G5: the score is the sum of its parts; G6: each tick is serving, starting, pending or down; G7: ranks are a permutation', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((n) =>
            fc.tuple(
              fc.tuple(...Array.from({ length: n }, (_, i) => podArb(i))),
              fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), cmdArb(n)), { maxLength: 6 }),
            ),
          ),
        fc.integer({ min: 1, max: 1000 }),
        ([pods, cmds], seed) => {
          const state = sim({ node: { memoryMiB: 2048 }, pods }, seed);
          const byTick: Record<number, Command[]> = {};
          for (const [t, c] of cmds) (byTick[t] ??= []).push(c as Command);
          const stats = emptyStats();
          updateStats(stats, state);
          const last = new Map<string, number>();
          for (let t = 1; t <= 300; t++) {
            advance(state, byTick[t] ?? []);
            updateStats(stats, state);
            for (const s of Object.values(stats.slots)) {
              // Earned never goes down; the score moves only with what happened.
              expect(s.earned).toBeGreaterThanOrEqual(last.get(s.slot) ?? 0);
              last.set(s.slot, s.earned);
              expect(s.score).toBe(
                s.earned -
                  s.requestsLost * SCORING.pointsPerLostRequest -
                  s.requestsHarmed * SCORING.pointsPerHarmedRequest -
                  s.borrowedPoints,
              );
              expect(s.runningTicks + s.startingTicks + s.pendingTicks + s.downTicks).toBe(state.tick - s.firstTick + 1);
            }
          }
          const board = leaderboard(stats);
          expect(board.map((r) => r.rank).sort((a, b) => a - b)).toEqual(board.map((_, i) => i + 1));
          expect(new Set(board.map((r) => r.slot)).size).toBe(pods.length);
          for (let i = 1; i < board.length; i++)
            expect(board[i - 1]!.score).toBeGreaterThanOrEqual(board[i]!.score);
        },
      ),
      { numRuns: 40, seed: 606 },
    );
  });
});
