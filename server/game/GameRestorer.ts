import { builtinQuestion, type Question } from '../../shared/game/questions.ts';
import { isStrategy } from '../../shared/game/strategies.ts';
import { isDnsLabel, SLOT_MAX } from '../../shared/schemas/commands.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { botSeed } from './bots.ts';
import { RoomGame, type Seat } from './RoomGame.ts';

/** A host action line of a recording, as the replay decodes it. */
export interface RestoredAction {
  t: number;
  action: string;
  detail?: Record<string, unknown>;
}

/**
 * The game a recording holds, rebuilt while the file is replayed (to resume an interrupted session, or to score a
 * recorded round again): the round it was in
 * (number, scenario, length, start), every replayed tick folded into the scores and traces as the live room did,
 * its questions with their answers (open, revealed or closed), and the server bots with the plans they had
 * reached. One recording holds one simulation, so at most one round.
 *
 * An action line at tick T took effect after tick T ran and before tick T+1; the replay may hand it over before it
 * has run tick T, so actions wait in a queue until their tick has been folded in.
 *
 * Not restored: earlier rounds (other recordings).
 */
export class GameRestorer {
  readonly game = new RoomGame();
  #queue: RestoredAction[] = [];
  /** Seated students by slot (nickname), and their slots by participant id (a ban unseats one). */
  #seats = new Map<string, string>();
  #slotOf = new Map<string, string>();

  /** What to hand a replay (RecordingStore.resume / replay): every action line and every replayed tick. */
  readonly watch = {
    onAction: (a: RestoredAction): void => this.action(a),
    onTick: (s: SimState): void => this.tick(s),
  };

  action(a: RestoredAction): void {
    this.#queue.push(a);
  }

  /** After every replayed tick (the room's afterTick; the bots' commands are already in the recording). */
  tick(state: SimState): void {
    this.#applyUpTo(state.tick - 1, state);
    // As the live room: ticks count while its clock runs (a question or the results stop it).
    if (this.game.clockRuns) this.game.afterTick(state);
  }

  /** The replay reached the end of the file at `state`: the game to hand to the resumed room. */
  finish(state: SimState): RoomGame {
    this.#applyUpTo(state.tick, state);
    return this.game;
  }

  #applyUpTo(tick: number, state: SimState): void {
    while (this.#queue.length && this.#queue[0]!.t <= tick) this.#apply(this.#queue.shift()!, state);
  }

  /**
   * `state` is the replay's: at the action's tick for a round's end (no tick runs after it). Its seed is the room's,
   * which seeded the bots.
   */
  #apply(a: RestoredAction, state: SimState): void {
    const d = a.detail ?? {};
    if (a.action === 'join') {
      const slot = isDnsLabel(d['slot'], SLOT_MAX) ? d['slot'] : null;
      if (slot && typeof d['name'] === 'string') this.#seats.set(slot, d['name']);
      if (slot && typeof d['participant'] === 'string') this.#slotOf.set(d['participant'], slot);
      const strategy = d['strategy'];
      const id = d['participant'];
      // Seeded as the room's fillBots seeded it.
      if (slot && d['bot'] === true && typeof strategy === 'string' && isStrategy(strategy) && typeof id === 'string') {
        this.game.addBot(strategy, slot, botSeed(state.seed, id));
      }
    } else if (a.action === 'round_start') {
      const roundNo = d['round'];
      const durationSec = d['durationSec'];
      if (typeof roundNo !== 'number' || typeof durationSec !== 'number' || typeof d['scenario'] !== 'string') return;
      this.game.resumeRound({ roundNo, scenario: d['scenario'], durationSec, startTick: a.t }, state.seed);
    } else if (a.action === 'question_ask') {
      const q = d['source'] === 'live' ? liveAsked(d['asked']) : typeof d['question'] === 'string' ? builtinQuestion(d['question']) : undefined;
      if (q) this.game.askAgain(q, a.t);
    } else if (a.action === 'answer') {
      if (typeof d['by'] === 'string' && typeof d['question'] === 'string' && typeof d['choice'] === 'string') this.game.answer(d['by'], d['question'], d['choice']);
    } else if (a.action === 'question_reveal') {
      this.game.reveal();
    } else if (a.action === 'question_resume') {
      this.game.resume();
    } else if ((a.action === 'ban' || a.action === 'bot_leave') && typeof d['participant'] === 'string') {
      const slot = this.#slotOf.get(d['participant']);
      if (slot) this.#seats.delete(slot);
      if (slot && a.action === 'bot_leave') this.game.removeBot(slot);
    } else if (a.action === 'round_end') {
      this.game.endRound(state, this.seats());
    }
  }

  /** The students seated in the recording (minus the banned), for the podium and the CSV. */
  seats(): Seat[] {
    return [...this.#seats].map(([slot, nickname]) => ({ slot, nickname }));
  }
}

/** A live question as the ask action recorded it, or undefined when the line does not hold one. */
function liveAsked(x: unknown): Question | undefined {
  const q = x as Partial<Question> | null;
  return q && typeof q === 'object' && typeof q.id === 'string' && Array.isArray(q.choices) && typeof q.answer === 'string' ? (q as Question) : undefined;
}
