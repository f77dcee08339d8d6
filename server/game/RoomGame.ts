/**
 * The game beside one room's simulation (docs/game.md, "Integration"): scores (G1–G8), the memory trace for the
 * post-mortems, the lesson's phases (L1–L6), the questions and the server-side bots. Plain shared/game functions
 * do the work; this class only keeps their state together so Room.ts stays a thin set of hooks.
 */
import {
  botAct,
  botView,
  builtinQuestion,
  createBot,
  emptyStats,
  emptyTrace,
  initialLesson,
  leaderboard,
  lessonTransition,
  liveQuestion,
  nodeView,
  openQuestion,
  podium,
  postMortem,
  resultsCsv,
  roundTicksLeft,
  sampleTrace,
  simRunning,
  tallyAnswers,
  updateStats,
  type BotState,
  type GameStats,
  type LessonEvent,
  type LessonState,
  type LiveQuestionKind,
  type MemoryTrace,
  type PostMortemCard,
  type Question,
  type StrategyName,
} from '../../shared/game/index.ts';
import { ErrorCode, fail, ok, type Ack } from '../../shared/protocol/errors.ts';
import type { GameView, PodiumRow } from '../../shared/protocol/gameViews.ts';
import type { LeaderboardRow, Role } from '../../shared/protocol/views.ts';
import type { Command, SimState } from '../../shared/sim/types.ts';
import { dict } from '../../shared/util/dict.ts';

/** What the game needs to know about a seat. */
export interface Seat {
  slot: string;
  nickname: string;
}

/** Which question to ask: one from the bank, or one built from the state right now. */
export type QuestionPick = { builtin: string } | { live: LiveQuestionKind };

export class RoomGame {
  #lesson: LessonState = initialLesson();
  #stats: GameStats = emptyStats();
  #trace: MemoryTrace = emptyTrace(10);
  #bots = new Map<string, BotState>();
  #roundStart = 0;
  #cards = new Map<string, PostMortemCard>();
  /** Each ended round's CSV as it stood at its end: the teacher may download round 1 during round 3. */
  #endedCsv = new Map<number, string>();
  #podium: PodiumRow[] | null = null;
  /** Commands are held until this tick is applied (fairness window), -1 = none. */
  #fairUntil = -1;
  /** Bumped whenever a view changes, so callers can skip unchanged broadcasts. */
  version = 0;

  get lesson(): Readonly<LessonState> {
    return this.#lesson;
  }
  get stats(): Readonly<GameStats> {
    return this.#stats;
  }
  /** The round's memory trace so far (for the post-mortem cards; bounded by TRACE_MAX_SAMPLES per slot). */
  get trace(): Readonly<MemoryTrace> {
    return this.#trace;
  }
  /** L3: false while a question or its reveal holds the clock, and after the round. */
  get clockRuns(): boolean {
    return simRunning(this.#lesson) || this.#lesson.phase === 'lobby';
  }

  #apply(e: LessonEvent): Ack<null> {
    const r = lessonTransition(this.#lesson, e);
    if (!r.ok) return fail(r.code === 'UNKNOWN_CHOICE' ? ErrorCode.BAD_REQUEST : ErrorCode.BAD_STATE, capitalise(r.message) + '.');
    this.#lesson = r.state;
    this.version++;
    return ok(null);
  }

  /** A new round on a fresh simulation (tick `startTick`): scores and traces start again; bots keep their seats. */
  startRound(scenario: string, durationSec: number, startTick: number, seed: number, fairTicks = 0): Ack<null> {
    const r = this.#apply({ type: 'start_round', round: { scenario, durationSec } });
    if (!r.ok) return r;
    this.#beginRound(startTick, seed, fairTicks);
    return r;
  }

  /**
   * A resumed session's round, as it began at `startTick` (server/game/GameRestorer.ts replays its ticks, questions
   * and answers next).
   */
  resumeRound(round: { roundNo: number; scenario: string; durationSec: number; startTick: number }, seed: number): void {
    this.#lesson = { phase: 'round', roundNo: round.roundNo, round: { scenario: round.scenario, durationSec: round.durationSec }, asked: [], history: [] };
    this.version++;
    this.#beginRound(round.startTick, seed, 0);
  }

  /** Scores and traces start again; each bot starts its plan again with the round's seed. */
  #beginRound(startTick: number, seed: number, fairTicks: number): void {
    this.#fairUntil = fairTicks > 0 ? startTick + fairTicks : -1;
    this.#stats = emptyStats();
    this.#trace = emptyTrace(10);
    this.#roundStart = startTick;
    this.#cards.clear();
    this.#podium = null;
    let i = 0;
    for (const [slot, b] of this.#bots) this.#bots.set(slot, createBot(b.strategy, slot, seed + this.#lesson.roundNo * 1000 + i++));
  }

  /** Whether a command arriving now is held for the fairness window (the tick it would apply at is before its end). */
  holdsCommands(tick: number): boolean {
    return this.#lesson.phase === 'round' && tick + 1 < this.#fairUntil;
  }
  /** Seed of the shuffle for the current window. */
  get fairSeed(): number {
    return this.#fairUntil;
  }

  /** Back to the lobby (a reset): the round is forgotten. */
  reset(startTick: number): void {
    this.#endedCsv.clear();
    this.#fairUntil = -1;
    this.#lesson = initialLesson();
    this.#stats = emptyStats();
    this.#trace = emptyTrace(10);
    this.#roundStart = startTick;
    this.#cards.clear();
    this.#podium = null;
    this.version++;
  }

  /** The session ended: nothing more to ask, answer or start (the last round's results stay for the CSV). */
  end(): void {
    // Not lessonTransition's 'end' (allowed only between rounds): the host may end mid-round, and the round's
    // questions stay where the CSV reads them.
    this.#lesson = { ...this.#lesson, phase: 'ended' };
    this.version++;
  }

  addBot(strategy: StrategyName, slot: string, seed: number): void {
    this.#bots.set(slot, createBot(strategy, slot, seed));
  }
  /** A bot leaves (its seat goes to a student, or the host removed the bots): it stops playing. */
  removeBot(slot: string): void {
    this.#bots.delete(slot);
  }
  isBot(slot: string | null): boolean {
    return slot !== null && this.#bots.has(slot);
  }
  /** The strategy a server bot plays (recorded with its seat, so a resumed session can play it on). */
  strategyOf(slot: string | null): StrategyName | null {
    return (slot !== null && this.#bots.get(slot)?.strategy) || null;
  }

  /**
   * After every tick: fold the tick into the scores and the trace, and let each bot decide. Returns the bots'
   * commands for the next tick.
   */
  afterTick(state: SimState): { slot: string; command: Command }[] {
    updateStats(this.#stats, state);
    // Only a round has post-mortem cards: free play in the lobby keeps no trace (it would grow for as long as it runs).
    if (this.#lesson.phase === 'round') sampleTrace(this.#trace, state);
    const out: { slot: string; command: Command }[] = [];
    if (this.#bots.size === 0) return out;
    const node = nodeView(state);
    for (const [slot, bot] of this.#bots) {
      const r = botAct(bot, botView(state, slot, node));
      if (r.bot !== bot) this.#bots.set(slot, r.bot);
      for (const command of r.commands) out.push({ slot, command });
    }
    return out;
  }

  /** L1: the round has run its length. */
  roundOver(tick: number): boolean {
    const r = this.#lesson.round;
    return this.#lesson.phase === 'round' && r !== null && roundTicksLeft({ durationSec: r.durationSec, startTick: this.#roundStart }, tick) === 0;
  }

  /** G7 as the wire's leaderboard rows. */
  standings(seats: readonly Seat[]): LeaderboardRow[] {
    const names = new Map(seats.map((s) => [s.slot, s.nickname]));
    return leaderboard(this.#stats, [...names.keys()]).map((r) => ({
      rank: r.rank,
      nickname: names.get(r.slot) ?? r.slot,
      slot: r.slot,
      score: r.score,
      restarts: this.#stats.slots[r.slot]?.restarts ?? 0,
    }));
  }

  /** A resumed session's question, as it was asked at `atTick` (a live one is recorded whole). */
  askAgain(question: Question, atTick: number): Ack<null> {
    return this.#apply({ type: 'ask', question, atTick });
  }

  ask(state: SimState, pick: QuestionPick): Ack<Question> {
    let q: Question;
    if ('builtin' in pick) {
      const b = builtinQuestion(pick.builtin);
      if (!b) return fail(ErrorCode.BAD_REQUEST, `No built-in question "${pick.builtin}".`);
      q = b;
    } else {
      const r = liveQuestion(state, pick.live);
      if (!r.ok) return fail(ErrorCode.BAD_STATE, r.message);
      q = r.question;
    }
    const r = this.#apply({ type: 'ask', question: q, atTick: state.tick });
    return r.ok ? ok(q) : r;
  }

  /** L4, L6: `who` is the student's slot (or a spectator's id). */
  answer(who: string, questionId: string, choice: string): Ack<{ choice: string }> {
    const open = openQuestion(this.#lesson);
    if (!open || this.#lesson.phase !== 'question') return fail(ErrorCode.BAD_STATE, 'No question is open.');
    if (open.question.id !== questionId) return fail(ErrorCode.BAD_STATE, 'That question is closed.');
    const r = this.#apply({ type: 'answer', participant: who, choice });
    return r.ok ? ok({ choice }) : r;
  }

  reveal(): Ack<null> {
    return this.#apply({ type: 'reveal' });
  }
  resume(): Ack<null> {
    return this.#apply({ type: 'resume' });
  }

  /** End the round: podium and every student's post-mortem card, computed once. */
  endRound(state: SimState, seats: readonly Seat[]): Ack<null> {
    const r = this.#apply({ type: 'end_round' });
    if (!r.ok) return r;
    const names = new Map(seats.map((s) => [s.slot, s.nickname]));
    const field = [...names.keys()].filter((s) => this.#stats.slots[s]);
    this.#podium = podium(this.#stats, field).map((p) => ({
      rank: p.rank,
      nickname: names.get(p.slot) ?? p.slot,
      slot: p.slot,
      score: p.score,
      oomKills: p.oomKills,
      evictions: p.evictions,
    }));
    const roundTicks = Math.max(1, state.tick - this.#roundStart);
    const asked = this.#lesson.asked;
    for (const slot of field) {
      this.#cards.set(
        slot,
        postMortem({
          slot,
          nickname: names.get(slot)!,
          stats: this.#stats,
          state,
          trace: this.#trace,
          asked: asked.map((a) => ({ question: a.question, answer: a.answers[slot] })),
          roundTicks,
          field,
        }),
      );
    }
    this.#endedCsv.set(this.#lesson.roundNo, this.csv(seats, state.tick)!);
    return r;
  }

  /** A resumed session's earlier round, scored again from its recording: kept like a round that ended here. */
  keepRoundCsv(round: number, csv: string): void {
    if (round >= 1 && round < this.#lesson.roundNo && !this.#endedCsv.has(round)) this.#endedCsv.set(round, csv);
  }

  /**
   * CSV3: a round's results. The current round (or the last one played) as it stands; an earlier round as it ended;
   * null for a round that never was.
   */
  csv(seats: readonly Seat[], tick: number, round = this.#lesson.roundNo): string | null {
    if (round !== this.#lesson.roundNo) return this.#endedCsv.get(round) ?? null;
    const nicknames = dict<string>();
    for (const s of seats) if (this.#stats.slots[s.slot]) nicknames[s.slot] = s.nickname;
    return resultsCsv({ stats: this.#stats, nicknames, roundTicks: Math.max(1, tick - this.#roundStart), asked: this.#lesson.asked });
  }

  /** What one connection sees of the game. `who` is the student's answer key (slot), null for host and presenter. */
  view(role: Role, who: string | null): GameView {
    const l = this.#lesson;
    const open = openQuestion(l);
    const viewer = role === 'host' || role === 'presenter';
    const revealed = l.phase === 'reveal';
    const tally = open && (viewer || revealed) ? tallyAnswers(open.question, open.answers) : null;
    return {
      phase: l.phase,
      roundNo: l.roundNo,
      round: l.round ? { scenario: l.round.scenario, durationSec: l.round.durationSec, startTick: this.#roundStart } : null,
      question: open
        ? { id: open.question.id, prompt: open.question.prompt, choices: open.question.choices.map((c) => ({ ...c })), askedAtTick: open.atTick }
        : null,
      answered: open ? Object.keys(open.answers).length : 0,
      yourAnswer: open && who !== null ? (open.answers[who] ?? null) : null,
      tally: tally ? { counts: tally.counts, total: tally.total } : null,
      reveal: open && revealed ? { answer: open.question.answer, explanation: open.question.explanation, correct: tally?.correct ?? 0 } : null,
      podium: l.phase === 'results' ? this.#podium : null,
      card: l.phase === 'results' && who !== null ? (this.#cards.get(who) ?? null) : null,
    };
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
