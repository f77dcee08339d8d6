/** Answers to a question (docs/game.md, QB6): the tally for the reveal, and what students see while it is open. */
import { dict, type Dict } from '../util/dict.ts';
import type { Choice, Question } from './questionTypes.ts';

export interface Tally {
  questionId: string;
  /** Answers per choice id, every choice present (0 when nobody chose it). */
  counts: Dict<number>;
  /** Valid answers counted; answers naming no choice are ignored. */
  total: number;
  correct: number;
  /** Share of valid answers per choice, 0..1, for the presenter's bars. */
  shares: Dict<number>;
}

/** QB6: the spread of answers. One answer per participant (the map's key); unknown choice ids do not count. */
export function tallyAnswers(q: Question, answers: Readonly<Dict<string>>): Tally {
  const counts = dict<number>();
  for (const c of q.choices) counts[c.id] = 0;
  let total = 0;
  for (const who of Object.keys(answers)) {
    const a = answers[who]!;
    if (!Object.hasOwn(counts, a)) continue;
    counts[a]! += 1;
    total += 1;
  }
  const shares = dict<number>();
  for (const c of q.choices) shares[c.id] = total === 0 ? 0 : counts[c.id]! / total;
  return { questionId: q.id, counts, total, correct: counts[q.answer] ?? 0, shares };
}

/** Whether one participant's answer is right (false for no answer). */
export function isCorrect(q: Question, choiceId: string | undefined): boolean {
  return choiceId === q.answer;
}

/** What students see while a question is open: no answer, no explanation (those come with the reveal). */
export interface OpenQuestionView {
  id: string;
  prompt: string;
  choices: Choice[];
}

export function questionForStudents(q: Question): OpenQuestionView {
  return { id: q.id, prompt: q.prompt, choices: q.choices.map((c) => ({ ...c })) };
}
