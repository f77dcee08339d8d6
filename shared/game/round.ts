/**
 * The lesson's lifecycle (docs/game.md, L1–L6) as a pure state machine:
 * lobby → round → question → reveal → round … → results → next round or end.
 * A transition that is not allowed returns a coded error and leaves the state as it was.
 */
import { TICKS_PER_SEC } from '../sim/units.ts';
import type { Question } from './questions.ts';
import { dict, withKey, type Dict } from '../util/dict.ts';

export type LessonPhase = 'lobby' | 'round' | 'question' | 'reveal' | 'results' | 'ended';

export interface RoundConfig {
  /** A built-in scenario name or the name of an uploaded scenario. */
  scenario: string;
  durationSec: number;
}

/** One question asked in a round, with the answers by participant (slot). */
export interface Asked {
  question: Question;
  /** Sim tick of the round when it was asked. */
  atTick: number;
  answers: Dict<string>;
}

export interface LessonState {
  phase: LessonPhase;
  /** 1 for the first round; 0 in the lobby before any round. */
  roundNo: number;
  round: RoundConfig | null;
  /** Questions of the current round, the open one last while phase is question or reveal. */
  asked: Asked[];
  /** Finished rounds. */
  history: { round: RoundConfig; asked: Asked[] }[];
}

export type LessonEvent =
  | { type: 'start_round'; round: RoundConfig }
  | { type: 'ask'; question: Question; atTick: number }
  | { type: 'answer'; participant: string; choice: string }
  | { type: 'reveal' }
  | { type: 'resume' }
  | { type: 'end_round' }
  | { type: 'end' };

export const LessonErrorCode = {
  BAD_TRANSITION: 'BAD_TRANSITION',
  INVALID_ROUND: 'INVALID_ROUND',
  UNKNOWN_CHOICE: 'UNKNOWN_CHOICE',
  BAD_QUESTION: 'BAD_QUESTION',
} as const;
export type LessonErrorCode = (typeof LessonErrorCode)[keyof typeof LessonErrorCode];

export type LessonResult =
  { ok: true; state: LessonState } | { ok: false; code: LessonErrorCode; message: string };

/** L1: the longest round a host can start (2 h) and the shortest (10 s). */
export const ROUND_MIN_SEC = 10;
export const ROUND_MAX_SEC = 7200;

/** Ticks left in a round at `tick` (never below 0); null without a round. The clock stops during questions, so does this. */
export function roundTicksLeft(round: { durationSec: number; startTick: number } | null, tick: number): number | null {
  if (!round) return null;
  return Math.max(0, round.startTick + round.durationSec * TICKS_PER_SEC - tick);
}

export function initialLesson(): LessonState {
  return { phase: 'lobby', roundNo: 0, round: null, asked: [], history: [] };
}

/** L2: which events each phase accepts. */
export const ALLOWED: Readonly<Record<LessonPhase, readonly LessonEvent['type'][]>> = {
  lobby: ['start_round', 'end'],
  round: ['ask', 'end_round'],
  question: ['answer', 'reveal'],
  reveal: ['resume', 'end_round'],
  results: ['start_round', 'end'],
  ended: [],
};

/** L3: the simulation runs only in `round`; a question and its reveal hold the clock. */
export function simRunning(s: LessonState): boolean {
  return s.phase === 'round';
}

/** L4: answers are collected only while the question is open. */
export function acceptingAnswers(s: LessonState): boolean {
  return s.phase === 'question';
}

/** The open question (asked, not yet resumed from), if any. */
export function openQuestion(s: LessonState): Asked | null {
  return s.phase === 'question' || s.phase === 'reveal' ? (s.asked[s.asked.length - 1] ?? null) : null;
}

const bad = (code: LessonErrorCode, message: string): LessonResult => ({ ok: false, code, message });

/** L5: apply one event. Returns a new state; the input is never changed. */
export function lessonTransition(s: LessonState, e: LessonEvent): LessonResult {
  if (!ALLOWED[s.phase].includes(e.type)) {
    return bad(
      LessonErrorCode.BAD_TRANSITION,
      `cannot ${e.type.replace('_', ' ')} while the lesson is in ${s.phase}`,
    );
  }
  switch (e.type) {
    case 'start_round': {
      const r = e.round;
      if (
        typeof r?.scenario !== 'string' ||
        r.scenario.length === 0 ||
        !(r.durationSec >= ROUND_MIN_SEC && r.durationSec <= ROUND_MAX_SEC)
      ) {
        return bad(
          LessonErrorCode.INVALID_ROUND,
          `a round needs a scenario and a length of ${ROUND_MIN_SEC}–${ROUND_MAX_SEC} s`,
        );
      }
      const history = s.round ? [...s.history, { round: s.round, asked: s.asked }] : s.history;
      return {
        ok: true,
        state: { phase: 'round', roundNo: s.roundNo + 1, round: { ...r }, asked: [], history },
      };
    }
    case 'ask': {
      const q = e.question;
      if (!q || q.choices.length < 2 || !q.choices.some((c) => c.id === q.answer)) {
        return bad(
          LessonErrorCode.BAD_QUESTION,
          'a question needs at least two choices, one of them the answer',
        );
      }
      return {
        ok: true,
        state: {
          ...s,
          phase: 'question',
          asked: [...s.asked, { question: q, atTick: e.atTick, answers: dict() }],
        },
      };
    }
    case 'answer': {
      const open = s.asked[s.asked.length - 1]!;
      if (!open.question.choices.some((c) => c.id === e.choice)) {
        return bad(LessonErrorCode.UNKNOWN_CHOICE, `"${e.choice}" is not one of the choices`);
      }
      // L6: one answer per participant; a later answer replaces an earlier one until the reveal.
      const answers = withKey(open.answers, e.participant, e.choice);
      return { ok: true, state: { ...s, asked: [...s.asked.slice(0, -1), { ...open, answers }] } };
    }
    case 'reveal':
      return { ok: true, state: { ...s, phase: 'reveal' } };
    case 'resume':
      return { ok: true, state: { ...s, phase: 'round' } };
    case 'end_round':
      return { ok: true, state: { ...s, phase: 'results' } };
    case 'end': {
      const history = s.round ? [...s.history, { round: s.round, asked: s.asked }] : s.history;
      return { ok: true, state: { ...s, phase: 'ended', round: null, asked: [], history } };
    }
  }
}
