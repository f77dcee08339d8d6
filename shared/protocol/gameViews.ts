/**
 * What the server sends about the game (docs/game.md): the lesson's phase, the open question, the reveal, the
 * podium and a student's post-mortem card. Types only; built per role by server/game/RoomGame.ts.
 */
import type { Dict } from '../util/dict.ts';
import type { LessonPhase } from '../game/round.ts';
import type { Choice } from '../game/questions.ts';
import type { PostMortemCard } from '../game/postmortem.ts';

export type { LessonPhase, PostMortemCard };

/** A podium place (G7): the first three of the round. */
export interface PodiumRow {
  rank: number;
  nickname: string;
  slot: string;
  score: number;
  oomKills: number;
  evictions: number;
}

export interface GameView {
  phase: LessonPhase;
  /** 1 for the first round; 0 in the lobby. */
  roundNo: number;
  /** The round being played (or just finished): scenario name, length, the tick it started at. */
  round: { scenario: string; durationSec: number; startTick: number } | null;
  /** The open question, without its answer (question and reveal phases). */
  question: { id: string; prompt: string; choices: Choice[]; askedAtTick: number } | null;
  /** How many have answered the open question. */
  answered: number;
  /** A student's own pick for the open question. */
  yourAnswer: string | null;
  /** The spread of answers per choice id: host and presenter while the question is open, everyone at the reveal. */
  tally: { counts: Dict<number>; total: number } | null;
  /** The truth, from the reveal on. */
  reveal: { answer: string; explanation: string; correct: number } | null;
  /** At results: the first three. */
  podium: PodiumRow[] | null;
  /** At results, for a student with a pod: what happened to their service this round. */
  card: PostMortemCard | null;
}
