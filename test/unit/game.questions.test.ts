/** The question bank and live questions (docs/game.md, QB1–QB6). */
import { dict } from '../../shared/util/dict.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_QUESTIONS,
  builtinQuestion,
  liveQuestion,
  questionForStudents,
  tallyAnswers,
  type Question,
} from '../../shared/game/questions.ts';
import { builtinScenario, builtinScenarios } from '../../shared/scenario/builtin.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command, OomKillEvent, SimEvent, SimState } from '../../shared/sim/types.ts';
import { nodeUsedPages } from '../../shared/sim/memory.ts';
import { pagesToMiB } from '../../shared/sim/units.ts';
import { sim } from './sim/helpers.ts';

function runUntil<T extends SimEvent>(
  state: SimState,
  maxTicks: number,
  match: (e: SimEvent) => e is T,
  first: Command[] = [],
): T | null {
  for (let i = 0; i < maxTicks; i++) {
    advance(state, i === 0 ? first : []);
    const e = state.events.find(match);
    if (e) return e;
  }
  return null;
}

const isGlobalKill = (e: SimEvent): e is OomKillEvent => e.type === 'oom_kill' && e.constraint === 'global';

/** A process that asks for memory fast and can never be chosen: it makes the node run out without changing the ranking. */
const hog: Command = {
  type: 'add_pod',
  pod: {
    slot: 'hog',
    oomScoreAdj: -1000,
    workload: { comm: 'hog', baselineMiB: 1, leakMiBps: 4000, requestsPerSec: 0 },
  },
};

describe('QB1: the built-in bank', () => {
  it('has the seed\u2019s two Check-yourself questions, word for word', () => {
    expect(builtinQuestion('seed-exit-137-oomkilled')?.prompt).toBe(
      'A pod exits with code 137 and its previous state shows Reason: OOMKilled. What does that tell you?',
    );
    expect(builtinQuestion('seed-raise-limit-again')?.prompt).toBe(
      'You raise the pod\u2019s limit from 512 MB to 1 GB. It runs longer, then OOM-kills again. What\u2019s the likely cause?',
    );
  });

  it.each(BUILTIN_QUESTIONS.map((q) => [q.id, q] as const))('%s is well formed', (_id, q: Question) => {
    expect(q.choices.length).toBeGreaterThanOrEqual(3);
    expect(new Set(q.choices.map((c) => c.id)).size).toBe(q.choices.length);
    expect(q.choices.map((c) => c.id)).toContain(q.answer);
    expect(q.explanation.length).toBeGreaterThan(80);
    if (q.scenario !== null) expect(builtinScenarios().has(q.scenario)).toBe(true);
  });

  it('covers every lesson of the seed and FIDELITY', () => {
    const topics = new Set(BUILTIN_QUESTIONS.map((q) => q.topic));
    for (const t of [
      'exit-137',
      'raise-the-limit',
      'requests-vs-limits',
      'oom-score-adj',
      'eviction-vs-oom',
      'crashloop',
      'streaming',
      'page-cache',
    ]) {
      expect(topics).toContain(t);
    }
    expect(new Set(BUILTIN_QUESTIONS.map((q) => q.id)).size).toBe(BUILTIN_QUESTIONS.length);
  });

  it('the BestEffort-surprise answer is what the besteffort-surprise scenario does', () => {
    const q = builtinQuestion('besteffort-surprise')!;
    const state = createSimulation(builtinScenario('besteffort-surprise')!);
    const kill = runUntil(state, 400, isGlobalKill);
    expect(kill?.slot).toBe('burstable');
    expect(q.choices.find((c) => c.id === q.answer)!.text).toMatch(/Burstable/);
  });
});

describe('QB3: "which pod would the kernel kill now?" is answered by the kernel', () => {
  it('on the besteffort-surprise node the answer follows the points: BestEffort while the other is small, then Burstable', () => {
    const state = createSimulation(builtinScenario('besteffort-surprise')!);
    for (let i = 0; i < 60; i++) advance(state);
    const early = liveQuestion(state, 'global-oom-victim');
    expect(early.ok && early.question.choices.find((c) => c.id === early.question.answer)!.ref).toBe(
      'besteffort',
    );
    for (let i = 0; i < 60; i++) advance(state);
    const r = liveQuestion(state, 'global-oom-victim');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const answer = r.question.choices.find((c) => c.id === r.question.answer)!;
    expect(answer.ref).toBe('burstable');
    expect(r.question.choices.map((c) => c.ref)).toContain('besteffort');
    expect(r.question.explanation).toMatch(/\u00d7 1,048/);
  });

  const podArb = (i: number) =>
    fc.record({
      name: fc.constant(`p${i}`),
      requestMiB: fc.option(fc.constantFrom(32, 128, 512), { nil: undefined }),
      baselineMiB: fc.integer({ min: 20, max: 400 }),
      oomScoreAdj: fc.option(fc.constantFrom(-1000, -998, -500, 0, 300, 999, 1000), { nil: undefined }),
    });

  it('the answer is the pod the simulation kills when the node then runs out (any mix of pods)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => podArb(i)))),
        fc.integer({ min: 1, max: 99 }),
        (pods, seed) => {
          const state = sim(
            {
              node: { memoryMiB: 3072 },
              pods: pods.map((p) => ({
                name: p.name,
                requestMiB: p.requestMiB,
                limitMiB: p.requestMiB === undefined ? undefined : 2048,
                oomScoreAdj: p.oomScoreAdj,
                workload: { comm: p.name, baselineMiB: p.baselineMiB, requestsPerSec: 0 },
              })),
            },
            seed,
          );
          for (let i = 0; i < 30; i++) advance(state);
          const r = liveQuestion(state, 'global-oom-victim');
          if (!r.ok) return; // nobody killable: nothing to ask
          const predicted = r.question.choices.find((c) => c.id === r.question.answer)!.ref;
          const kill = runUntil(state, 100, isGlobalKill, [hog]);
          expect(kill).not.toBeNull();
          expect(kill!.slot ?? kill!.comm).toBe(predicted);
        },
      ),
      { numRuns: 60, seed: 1066 },
    );
  });
});

describe('QB4: "which pod would the kubelet evict first?" is answered by the kubelet', () => {
  it('the answer is the pod the next eviction check evicts', () => {
    const state = sim({
      node: { memoryMiB: 4096 },
      pods: [
        {
          name: 'small-over',
          requestMiB: 100,
          limitMiB: 2048,
          workload: { comm: 'a', baselineMiB: 300, requestsPerSec: 0 },
        },
        {
          name: 'big-within',
          requestMiB: 1200,
          limitMiB: 2048,
          workload: { comm: 'b', baselineMiB: 1000, requestsPerSec: 0 },
        },
        {
          name: 'far-over',
          requestMiB: 100,
          limitMiB: 2048,
          workload: { comm: 'c', baselineMiB: 700, requestsPerSec: 0 },
        },
      ],
    });
    for (let i = 0; i < 30; i++) advance(state);
    const r = liveQuestion(state, 'first-eviction');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const predicted = r.question.choices.find((c) => c.id === r.question.answer)!.ref;
    expect(predicted).toBe('far-over');
    expect(r.question.choices.map((c) => c.ref)).toContain('big-within'); // the biggest pod is the lure
    // Fill the node to ~50 MiB available with a pod that stays within its request, so the check must evict someone.
    const freeMiB = pagesToMiB(state.node.capacityPages - nodeUsedPages(state));
    const size = Math.floor(freeMiB - 60);
    const filler: Command = {
      type: 'add_pod',
      pod: {
        slot: 'filler',
        requestMiB: size + 8,
        limitMiB: size + 8,
        workload: { comm: 'f', baselineMiB: size, requestsPerSec: 0 },
      },
    };
    const ev = runUntil(
      state,
      200,
      (e): e is Extract<SimEvent, { type: 'evicted' }> => e.type === 'evicted',
      [filler],
    );
    expect(ev?.slot).toBe(predicted);
  });
});

describe('QB5: the kubelet adj question', () => {
  it('answers 1000 − 1000 × request / node RAM', () => {
    const state = sim({
      node: { memoryMiB: 4096 },
      pods: [{ name: 'web', requestMiB: 1024, limitMiB: 2048, workload: { requestsPerSec: 0 } }],
    });
    for (let i = 0; i < 5; i++) advance(state);
    const r = liveQuestion(state, 'kubelet-adj');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.question.choices.find((c) => c.id === r.question.answer)!.text).toBe('750');
  });

  it('returns a coded error when there is nothing to ask about', () => {
    const state = sim({ pods: [] });
    expect(liveQuestion(state, 'global-oom-victim').ok).toBe(true); // the node daemons are candidates
    const r = liveQuestion(state, 'first-eviction');
    expect(r).toMatchObject({ ok: false, code: 'NO_CANDIDATES' });
    expect(liveQuestion(state, 'kubelet-adj')).toMatchObject({ ok: false, code: 'NO_CANDIDATES' });
    expect(liveQuestion(state, 'nope' as never)).toMatchObject({ ok: false, code: 'UNKNOWN_KIND' });
  });
});

describe('QB2: what students see before the reveal', () => {
  it('has no answer and no explanation', () => {
    const v = questionForStudents(builtinQuestion('besteffort-surprise')!);
    expect(Object.keys(v).sort()).toEqual(['choices', 'id', 'prompt']);
    expect(JSON.stringify(v)).not.toMatch(/1,572,432/);
  });
});

describe('QB6: tallying answers', () => {
  const q = builtinQuestion('crashloop-timing')!;
  it('counts one answer per participant, every choice present, unknown choices ignored', () => {
    const t = tallyAnswers(q, dict(Object.entries({ ann: 'a', bob: 'b', cy: 'a', dee: 'zz' })));
    expect(t.counts).toEqual({ a: 2, b: 1, c: 0, d: 0 });
    expect(t.total).toBe(3);
    expect(t.correct).toBe(2);
    expect(t.shares.a).toBeCloseTo(2 / 3);
  });
  it('is all zeros with no answers', () => {
    expect(tallyAnswers(q, dict())).toMatchObject({ total: 0, correct: 0, shares: { a: 0, b: 0, c: 0, d: 0 } });
  });
  it('totals are consistent for any answers', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }),
          fc.constantFrom('a', 'b', 'c', 'd', 'x', ''),
        ),
        (answers) => {
          const t = tallyAnswers(q, dict(Object.entries(answers)));
          expect(Object.values(t.counts).reduce((a, b) => a + b, 0)).toBe(t.total);
          expect(t.total).toBeLessThanOrEqual(Object.keys(answers).length);
          expect(t.correct).toBe(t.counts[q.answer]);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });
});
