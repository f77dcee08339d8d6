import { ErrorCode, fail, ok, type Ack } from '../../shared/protocol/errors.ts';
import { slotForNickname } from '../../shared/protocol/nickname.ts';
import { nicknameKey } from '../../shared/protocol/nicknameKey.ts';
import type { SimState } from '../../shared/sim/types.ts';
import type { RoomRecorder } from './recorderPort.ts';
import type { GameView } from '../../shared/protocol/gameViews.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { botNickname, botSeed, fillPlan } from '../game/bots.ts';
import { FAIR_WINDOW_SEC } from '../game/fairness.ts';
import type { QuestionPick } from '../game/RoomGame.ts';
import { roundLength, scenarioForRound } from '../game/roundScenarios.ts';
import { newSecret } from '../util/secrets.ts';
import type { CommandIntake } from './CommandIntake.ts';
import type { Participant } from './participants.ts';
import type { RoomCore } from './RoomCore.ts';
import type { RoomFraming } from './RoomFraming.ts';
import type { RoomJournal } from './RoomJournal.ts';
import type { Seats } from './Seats.ts';

/**
 * The room's side of the game (docs/game.md; the rules are in server/game/): rounds, questions and answers, bots,
 * and the fresh simulation a new round or a reset starts from. Each change is recorded and sent to every role.
 */
export class RoomRounds {
  readonly #c: RoomCore;
  readonly #journal: RoomJournal;
  readonly #intake: CommandIntake;
  readonly #framing: RoomFraming;
  readonly #seats: Seats;

  constructor(core: RoomCore, journal: RoomJournal, intake: CommandIntake, framing: RoomFraming, seats: Seats) {
    this.#c = core;
    this.#journal = journal;
    this.#intake = intake;
    this.#framing = framing;
    this.#seats = seats;
  }

  /**
   * The fresh simulation and its recording, made before anything changes: a recording whose file cannot be created
   * (a full disk) refuses the reset or the round with a coded error and leaves the room as it was.
   */
  prepareRebuild(scenario = this.#c.o.scenario): Ack<{ state: SimState; recorder: RoomRecorder }> {
    const c = this.#c;
    const state = createSimulation(scenario, { seed: c.o.seed });
    try {
      const before = c.o;
      c.o = { ...c.o, scenario }; // the recording's header names the scenario it records
      try {
        return ok({ state, recorder: this.#journal.newRecorder(state) });
      } finally {
        c.o = before;
      }
    } catch (e) {
      c.log.warn({ room: c.code, err: e }, 'a new recording could not be created');
      return fail(
        ErrorCode.RECORDING_UNAVAILABLE,
        'The server cannot save a new recording right now (its disk is full): nothing was changed. Try again in a moment.',
      );
    }
  }

  /** A fresh simulation of the current scenario at tick 0, the same students and pods, a new recording. */
  rebuild(fresh: { state: SimState; recorder: RoomRecorder }): void {
    const c = this.#c;
    this.#intake.dropHeld();
    // A lobby replaced before its first tick leaves nothing to replay: its recording is dropped, not listed.
    c.recorder.discardIfUnused().catch((e: unknown) => c.log.error({ room: c.code, err: e }, 'closing a recording failed'));
    c.state = fresh.state;
    c.recorder = fresh.recorder;
    this.#intake.clear();
    this.#framing.reset();
    for (const p of c.roster.values()) {
      p.lastPodName = null;
      // The new recording names its seats too, with each server bot's strategy (a resume plays it on).
      const strategy = c.game.strategyOf(p.slot);
      this.#seats.recordSeat(p, strategy ? { strategy } : {});
    }
  }

  /** Send each connection its view of the game (reliable). */
  gameChanged(): void {
    const c = this.#c;
    for (const [conn, info] of c.conns) c.port.send(conn, 'game:update', c.game.view(info.role, c.answerKey(info.participant)));
  }

  #gameAck(r: Ack<unknown>, action: string, detail?: Record<string, unknown>): Ack<GameView> {
    if (!r.ok) return r;
    this.#journal.hostAction(action, detail);
    this.gameChanged();
    return ok(this.#c.game.view('host', null));
  }

  /**
   * Start a round: from the lobby (starts the session) or after results (a fresh simulation). `pick` is a built-in
   * scenario's name, a teacher's scenario file already validated (the HTTP route), or nothing for the room's own.
   */
  startRound(pick: string | Scenario | undefined, durationSec: number | undefined): Ack<GameView> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    const phase = c.game.lesson.phase;
    if (phase !== 'lobby' && phase !== 'results') return fail(ErrorCode.BAD_STATE, `End the current round first (the lesson is in ${phase}).`);
    const scenario =
      pick === undefined ? c.o.scenario
      // The session's own scenario from the lobby is the one the teacher created (node memory and all).
      : typeof pick === 'string' && phase === 'lobby' && pick === c.o.scenario.name ? c.o.scenario
      : typeof pick === 'string' ? scenarioForRound(pick, { seats: c.o.podSlots, durationSec, seed: c.o.seed, nodeMemoryMiB: c.o.nodeMemoryMiB })
      : pick;
    if (!scenario) return fail(ErrorCode.BAD_REQUEST, `No scenario named "${String(pick)}".`);
    // Always a valid length, so the round cannot be refused after the rebuild below, which cannot be taken back.
    const length = roundLength(scenario, durationSec);
    if (phase === 'results' || scenario !== c.o.scenario) {
      const fresh = this.prepareRebuild(scenario);
      if (!fresh.ok) return fresh;
      c.o = { ...c.o, scenario };
      this.rebuild(fresh.data);
    }
    const r = c.game.startRound(scenario.name, length, c.state.tick, c.o.seed, FAIR_WINDOW_SEC * 10);
    if (!r.ok) return r;
    if (c.status === 'lobby') {
      // A continued session: pods nobody took back go to bots now, unless the teacher removed them.
      this.#seats.release('bots');
      this.#journal.hostAction('start');
    }
    c.status = 'running';
    c.loop.start();
    c.metaChanged();
    this.#framing.sendSnapshots();
    return this.#gameAck(r, 'round_start', { round: c.game.lesson.roundNo, scenario: scenario.name, durationSec: length, ...(typeof pick === 'object' ? { source: 'file' } : {}) });
  }

  /** End the round now (the host) or at its length (the loop): podium and post-mortem cards. */
  finishRound(by: 'host' | 'time'): Ack<GameView> {
    const c = this.#c;
    const r = c.game.endRound(c.state, c.roster.seats());
    if (r.ok) {
      // Everyone's leaderboard now shows what the podium, the cards and the CSV say.
      this.#framing.publishNow();
      this.#intake.dropHeld();
    }
    return this.#gameAck(r, 'round_end', { round: c.game.lesson.roundNo, by });
  }

  /** After a reveal: the clock runs again. */
  resumeRound(): Ack<GameView> {
    return this.#gameAck(this.#c.game.resume(), 'question_resume');
  }

  /** Ask a built-in or a live question: the clock stops until the host resumes. */
  askQuestion(pick: QuestionPick): Ack<GameView> {
    const r = this.#c.game.ask(this.#c.state, pick);
    // Commands held for the fairness window are applied when the clock runs again (their acks go now).
    if (r.ok) this.#intake.releaseHeld();
    // A live question is kept whole: it was built from this moment's state, and a resume needs it as asked.
    const detail = r.ok ? { question: r.data.id, source: r.data.source, ...(r.data.source === 'live' ? { asked: r.data } : {}) } : undefined;
    return this.#gameAck(r, 'question_ask', detail);
  }

  revealQuestion(): Ack<GameView> {
    const open = this.#c.game.lesson.asked.at(-1);
    return this.#gameAck(this.#c.game.reveal(), 'question_reveal', open ? { question: open.question.id, answers: Object.keys(open.answers).length } : undefined);
  }

  /** A student's (or spectator's) answer; host and presenter see the spread change. */
  answerQuestion(conn: string, questionId: string, choice: string): Ack<{ choice: string }> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    const p = c.conns.get(conn)?.participant ?? null;
    const by = c.answerKey(p)!;
    const r = c.game.answer(by, questionId, choice);
    if (!r.ok) return r;
    // Recorded, so a resumed session keeps its answers (and the CSV its column).
    this.#journal.recordAction('answer', { question: questionId, by, choice });
    for (const [conn2, info] of c.conns) if (info.role === 'host' || info.role === 'presenter') c.port.send(conn2, 'game:update', c.game.view(info.role, null));
    return r;
  }

  /** Fill the free pod slots with server-side bots playing shared/game strategies. */
  fillBots(strategy: Parameters<typeof fillPlan>[0], max: number | undefined): Ack<{ added: number }> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    // Only the seats the node can schedule: a bot left Pending teaches nothing and blocks a student's seat.
    const plan = fillPlan(strategy, Math.min(this.#seats.studentSeats() - c.roster.counts().students, max ?? Infinity));
    if (plan.length === 0) return fail(ErrorCode.BAD_STATE, 'Every pod the node can hold is taken.');
    for (const strat of plan) {
      const nickname = botNickname(strat, c.roster.nextIdNumber, (name) => c.roster.nameInUse(nicknameKey(name)));
      const key = nicknameKey(nickname);
      const slot = slotForNickname(nickname, (s) => this.#seats.slotTaken(s));
      const p: Participant = { id: c.roster.newId(), nickname, key, role: 'student', slot, token: newSecret(), bot: true, serverBot: true, strategy: strat, conns: new Set(), lastPodName: null };
      c.roster.add(p);
      this.#seats.recordSeat(p, { strategy: strat });
      c.game.addBot(strat, slot, botSeed(c.o.seed, p.id));
    }
    this.#framing.invalidateStandings();
    c.participantsChanged();
    c.metaChanged();
    return ok({ added: plan.length });
  }

  /** Remove every server bot: their pods go, their seats are free for students. */
  removeBots(): Ack<{ removed: number }> {
    const c = this.#c;
    // Removing a pod is a recorded command: refused while the recording cannot be written.
    const no = c.refusal();
    if (no) return no;
    const bots = [...c.roster.values()].filter((p) => p.serverBot);
    for (const p of bots) this.#seats.dropBot(p);
    if (bots.length) {
      this.#framing.invalidateStandings();
      c.participantsChanged();
      c.metaChanged();
    }
    return ok({ removed: bots.length });
  }

  /** CSV3: a round's results for the host's download (default: the current or last round); null for no such round. */
  resultsCsv(round?: number): string | null {
    const c = this.#c;
    // A download mid-round publishes the standings it holds, so the leaderboard agrees with the file.
    if (round === undefined || round === c.game.lesson.roundNo) this.#framing.publishNow();
    return c.game.csv(c.roster.seats(), c.state.tick, round);
  }
}
