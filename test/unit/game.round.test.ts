/** The lesson state machine (docs/game.md, L1–L6). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinQuestion } from '../../shared/game/questions.ts';
import {
  ALLOWED,
  acceptingAnswers,
  initialLesson,
  lessonTransition,
  openQuestion,
  roundTicksLeft,
  simRunning,
  type LessonEvent,
  type LessonPhase,
  type LessonState,
} from '../../shared/game/round.ts';
import type { GameView } from '../../shared/protocol/gameViews.ts';
import { roundCountdown, roundHeading } from '../../client/src/game/countdown.ts';

const q = builtinQuestion('seed-exit-137-oomkilled')!;
const start: LessonEvent = { type: 'start_round', round: { scenario: 'classroom', durationSec: 600 } };
const ask: LessonEvent = { type: 'ask', question: q, atTick: 120 };

function apply(s: LessonState, events: LessonEvent[]): LessonState {
  for (const e of events) {
    const r = lessonTransition(s, e);
    if (!r.ok) throw new Error(`${e.type}: ${r.code}`);
    s = r.state;
  }
  return s;
}

describe('L2/L5: a full lesson', () => {
  it('lobby → round → question → reveal → round → results → round → results → ended', () => {
    let s = initialLesson();
    const phases: LessonPhase[] = [s.phase];
    for (const e of [
      start,
      ask,
      { type: 'answer', participant: 'ann', choice: 'b' },
      { type: 'answer', participant: 'bob', choice: 'a' },
      { type: 'answer', participant: 'ann', choice: 'a' }, // L6: changed her mind before the reveal
      { type: 'reveal' },
      { type: 'resume' },
      { type: 'end_round' },
      { type: 'start_round', round: { scenario: 'leak', durationSec: 300 } },
      { type: 'end_round' },
      { type: 'end' },
    ] as LessonEvent[]) {
      s = apply(s, [e]);
      phases.push(s.phase);
    }
    expect(phases).toEqual([
      'lobby',
      'round',
      'question',
      'question',
      'question',
      'question',
      'reveal',
      'round',
      'results',
      'round',
      'results',
      'ended',
    ]);
    expect(s.history).toHaveLength(2);
    expect(s.history[0]!.asked[0]!.answers).toEqual({ ann: 'a', bob: 'a' });
    expect(s.history[0]!.asked[0]!.atTick).toBe(120);
    expect(s.history[1]!.round.scenario).toBe('leak');
  });

  it('L3/L4: the clock runs only in a round; answers only while the question is open', () => {
    const inRound = apply(initialLesson(), [start]);
    const inQuestion = apply(inRound, [ask]);
    const inReveal = apply(inQuestion, [{ type: 'reveal' }]);
    expect([initialLesson(), inRound, inQuestion, inReveal].map(simRunning)).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect([inRound, inQuestion, inReveal].map(acceptingAnswers)).toEqual([false, true, false]);
    expect(openQuestion(inReveal)?.question.id).toBe(q.id);
    expect(openQuestion(inRound)).toBeNull();
  });
});

describe('L5: refused transitions return a code and change nothing', () => {
  const cases: [string, LessonEvent[], LessonEvent, string][] = [
    ['ask in the lobby', [], ask, 'BAD_TRANSITION'],
    ['answer with no question', [start], { type: 'answer', participant: 'a', choice: 'a' }, 'BAD_TRANSITION'],
    [
      'answer after the reveal',
      [start, ask, { type: 'reveal' }],
      { type: 'answer', participant: 'a', choice: 'a' },
      'BAD_TRANSITION',
    ],
    [
      'a choice that does not exist',
      [start, ask],
      { type: 'answer', participant: 'a', choice: 'z' },
      'UNKNOWN_CHOICE',
    ],
    ['end the round with the question open', [start, ask], { type: 'end_round' }, 'BAD_TRANSITION'],
    ['resume without a reveal', [start, ask], { type: 'resume' }, 'BAD_TRANSITION'],
    ['a second round while one runs', [start], start, 'BAD_TRANSITION'],
    [
      'a round of 0 s',
      [],
      { type: 'start_round', round: { scenario: 'classroom', durationSec: 0 } },
      'INVALID_ROUND',
    ],
    [
      'a round with no scenario',
      [],
      { type: 'start_round', round: { scenario: '', durationSec: 60 } },
      'INVALID_ROUND',
    ],
    [
      'a question whose answer is not a choice',
      [start],
      { type: 'ask', question: { ...q, answer: 'q' }, atTick: 1 },
      'BAD_QUESTION',
    ],
    ['anything after the end', [{ type: 'end' }], start, 'BAD_TRANSITION'],
  ];
  it.each(cases)('%s', (_name, before, event, code) => {
    const s = apply(initialLesson(), before);
    const snapshot = JSON.stringify(s);
    const r = lessonTransition(s, event);
    expect(r).toMatchObject({ ok: false, code });
    expect(JSON.stringify(s)).toBe(snapshot);
  });
});

describe('L5 property: any sequence of events', () => {
  const eventArb: fc.Arbitrary<LessonEvent> = fc.oneof(
    fc.constant(start),
    fc.constant(ask),
    fc.record({
      type: fc.constant('answer' as const),
      participant: fc.constantFrom('a', 'b', 'c'),
      choice: fc.constantFrom('a', 'b', 'x'),
    }),
    fc.constant({ type: 'reveal' } as const),
    fc.constant({ type: 'resume' } as const),
    fc.constant({ type: 'end_round' } as const),
    fc.constant({ type: 'end' } as const),
  );
  it('accepts exactly what ALLOWED lists, never mutates the input, and keeps one answer per participant', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        let s = initialLesson();
        for (const e of events) {
          const before = JSON.stringify(s);
          const r = lessonTransition(s, e);
          expect(JSON.stringify(s)).toBe(before);
          if (!ALLOWED[s.phase].includes(e.type)) expect(r.ok).toBe(false);
          if (r.ok) s = r.state;
          for (const a of s.asked) expect(Object.keys(a.answers).length).toBeLessThanOrEqual(3);
          if (s.phase === 'question' || s.phase === 'reveal') expect(openQuestion(s)).not.toBeNull();
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('L1: the round clock', () => {
  it.each([
    [null, 50, null],
    [{ durationSec: 60, startTick: 0 }, 0, 600],
    [{ durationSec: 60, startTick: 0 }, 599, 1],
    [{ durationSec: 60, startTick: 0 }, 600, 0],
    [{ durationSec: 60, startTick: 0 }, 900, 0],
    [{ durationSec: 10, startTick: 1200 }, 1250, 50],
  ])('round %o at tick %i: %o ticks left', (round, tick, left) => {
    expect(roundTicksLeft(round, tick)).toBe(left);
  });

  it('the countdown shows while a round, a question or a reveal is on, and stops with the clock', () => {
    const view = (phase: GameView['phase']) =>
      ({ phase, roundNo: 1, round: { scenario: 'round', durationSec: 600, startTick: 100 } }) as GameView;
    expect(roundCountdown(view('round'), 100)).toBe('10:00 left');
    expect(roundCountdown(view('question'), 2345)).toBe('6:15 left');
    expect(roundCountdown(view('reveal'), 6100)).toBe('0:00 left');
    for (const p of ['lobby', 'results', 'ended'] as const) expect(roundCountdown(view(p), 200)).toBeNull();
    expect(roundCountdown(null, 200)).toBeNull();
  });

  it('the heading names the round and its scenario, and nothing before round 1', () => {
    const view = (roundNo: number) => ({ phase: 'round', roundNo, round: null }) as unknown as GameView;
    expect(roundHeading(view(2), 'Friday deploy')).toBe('Round 2 · Friday deploy');
    expect(roundHeading(view(0), 'Friday deploy')).toBeNull();
    expect(roundHeading(view(1), undefined)).toBeNull();
    expect(roundHeading(null, 'x')).toBeNull();
  });
});
