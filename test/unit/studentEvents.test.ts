import { describe, expect, it } from 'vitest';
import { trimForStudent } from '../../server/room/studentEvents.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { scenarioSchema } from '../../shared/scenario/schema.ts';
import { runScenario } from '../../shared/scenario/run.ts';
import type { Command, OomKillEvent } from '../../shared/sim/types.ts';
import { explainKill, rankedCandidates } from '../../shared/views/explain.ts';

/** A global OOM on a node with 12 pods, so the table is longer than what a student receives. */
function bigGlobalOom(): OomKillEvent {
  const base = builtinScenario('besteffort-surprise')!;
  const sc = scenarioSchema.parse({
    ...base,
    pods: [
      ...base.pods,
      ...Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, requestMiB: 10 + i, workload: { baselineMiB: 20 + i * 5, requestsPerSec: 0 } })),
    ],
  });
  let kill: OomKillEvent | undefined;
  runScenario(sc, { durationSec: 30, extra: new Map<number, Command[]>() }, (s) => {
    kill ??= s.events.find((e): e is OomKillEvent => e.type === 'oom_kill' && e.constraint === 'global');
  });
  return kill!;
}

describe("a student's copy of a global OOM", () => {
  const kill = bigGlobalOom();
  const ranked = rankedCandidates(kill);

  it('keeps the top rows, the victim and my row, with my true rank', () => {
    const me = ranked.at(-3)!; // far down the ranking
    const copy = trimForStudent(kill, me.slot) as OomKillEvent;
    expect(kill.candidates.length).toBeGreaterThan(10);
    expect(copy.candidates.length).toBeLessThanOrEqual(7);
    expect(copy.candidates.some((c) => c.pid === kill.victim.pid)).toBe(true);
    expect(copy.candidates.some((c) => c.pid === me.pid)).toBe(true);
    expect(copy.studentRank).toEqual({ rank: ranked.length - 2, of: ranked.length });
    expect(explainKill(copy, me.slot)).toContain(`Your pod ranked #${ranked.length - 2} of ${ranked.length}`);
    expect(kill.studentRank).toBeUndefined(); // the room's own event is untouched
  });

  it('leaves memcg kills and spectators (no slot) without a rank', () => {
    const copy = trimForStudent(kill, null) as OomKillEvent;
    expect(copy.studentRank).toBeUndefined();
    expect(copy.candidates.length).toBeLessThanOrEqual(6);
  });
});
