/** A question's shape (docs/game.md, QB1–QB6): the bank's and the live ones are the same plain data. */

export interface Choice {
  id: string;
  text: string;
  /** Live questions: what the choice names (a pod's slot, a daemon's comm, a value), so a client can highlight it. */
  ref?: string;
}

export interface Question {
  id: string;
  /** 'builtin' from the bank; 'live' generated from a state. */
  source: 'builtin' | 'live';
  /** The lesson it checks (docs/teaching.md uses these). */
  topic: QuestionTopic;
  prompt: string;
  choices: Choice[];
  /** The id of the right choice. */
  answer: string;
  /** Shown at the reveal. */
  explanation: string;
  /** A built-in scenario that shows it happen, if any. */
  scenario: string | null;
  /** Live questions: the tick of the state it was asked about. */
  tick: number | null;
}

export type QuestionTopic =
  | 'exit-137'
  | 'raise-the-limit'
  | 'requests-vs-limits'
  | 'oom-score-adj'
  | 'eviction-vs-oom'
  | 'crashloop'
  | 'streaming'
  | 'page-cache';

/** Choice ids in order: a question's first choice is `a`. */
export const CHOICE_IDS: readonly string[] = ['a', 'b', 'c', 'd', 'e', 'f'];
