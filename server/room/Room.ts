import type { Ack } from '../../shared/protocol/errors.ts';
import type { InjectKind } from '../../shared/protocol/schemas.ts';
import type { GameView } from '../../shared/protocol/gameViews.ts';
import type { JoinResult, Role, SessionMeta, SessionStatus, Snapshot } from '../../shared/protocol/views.ts';
import type { PodCommandBody } from '../../shared/schemas/commands.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';
import { studentSlots } from '../../shared/scenario/student.ts';
import { advance } from '../../shared/sim/step.ts';
import type { SimState } from '../../shared/sim/types.ts';
import type { fillPlan } from '../game/bots.ts';
import type { QuestionPick, RoomGame } from '../game/RoomGame.ts';
import { CommandIntake } from './CommandIntake.ts';
import { HostControls } from './HostControls.ts';
import { LoopDriver } from './LoopDriver.ts';
import { RoomCore, type RoomOptions } from './RoomCore.ts';
import { RoomFraming } from './RoomFraming.ts';
import { RoomJournal } from './RoomJournal.ts';
import { RoomRounds } from './RoomRounds.ts';
import { Seats } from './Seats.ts';

export type { RoomOptions } from './RoomCore.ts';

/**
 * One classroom session: the only place its simulation changes. The room composes its parts — seats (who is on
 * which connection), command intake (queue and fairness window), framing (what each role receives), rounds (the
 * game), host controls and the journal (the recording) — around one shared core, and runs the loop: commands
 * queued before a tick apply at it, then one frame goes out. It knows connections only as ids behind a RoomPort.
 */
export class Room {
  readonly #c: RoomCore;
  readonly #intake: CommandIntake;
  readonly #framing: RoomFraming;
  readonly #seats: Seats;
  readonly #rounds: RoomRounds;
  readonly #host: HostControls;
  readonly #journal: RoomJournal;

  constructor(o: RoomOptions) {
    const c = (this.#c = new RoomCore(o));
    const journal = (this.#journal = new RoomJournal(c));
    c.recorder = journal.newRecorder();
    this.#intake = new CommandIntake(c, journal);
    this.#framing = new RoomFraming(c);
    this.#seats = new Seats(c, journal, this.#intake, this.#framing);
    this.#rounds = new RoomRounds(c, journal, this.#intake, this.#framing, this.#seats);
    this.#host = new HostControls(c, journal, this.#intake, this.#framing, this.#seats, this.#rounds);
    for (const seat of o.seats ?? []) this.#seats.reseat(seat);
    for (const seat of o.continuedSeats ?? []) this.#seats.offer(seat);
    c.loop = new LoopDriver({ clock: o.clock, onTicks: (n) => this.runTicks(n), onLateness: o.onLateness });
    c.loop.setSpeed(o.speed);
  }

  get code(): string {
    return this.#c.code;
  }

  /**
   * Every host action, seat and answer recorded so far is on disk: the checkpoint acks after this, so a server
   * killed right after an ack loses nothing it acknowledged (a takeover resumes from the recording).
   */
  recorded(): Promise<void> {
    return this.#journal.settled();
  }
  get hostKey(): string {
    return this.#c.hostKey;
  }
  /** The projector's key (the host page's "Open presenter" link carries it). */
  get presenterKey(): string {
    return this.#c.presenterKey;
  }
  /** SHA-256 of the key that owns the session and its recordings. */
  get ownerHash(): string {
    return this.#c.ownerHash;
  }
  get createdAt(): number {
    return this.#c.createdAt;
  }
  /** Wall time of the last activity (join, command, connection): the registry ends idle rooms. */
  get lastActivity(): number {
    return this.#c.lastActivity;
  }
  get endedAt(): number | null {
    return this.#c.endedAt;
  }
  /** Whether any connection ever attached (the registry ends rooms nobody came to early). */
  get everJoined(): boolean {
    return this.#c.everJoined;
  }
  get status(): SessionStatus {
    return this.#c.status;
  }
  /** The simulation state (read-only for callers: tests and the recording routes). */
  get state(): Readonly<SimState> {
    return this.#c.state;
  }
  get connectionCount(): number {
    return this.#c.conns.size;
  }
  /** The lesson's phase and questions (read-only: tests and the recording routes). */
  get lesson(): RoomGame['lesson'] {
    return this.#c.game.lesson;
  }
  /** Whether a command sent now would wait for the round's fairness window (read-only: tests). */
  get holdingCommands(): boolean {
    return this.#intake.holding;
  }
  get loop(): LoopDriver {
    return this.#c.loop;
  }
  /**
   * Whether a frame showing tick `tick` goes out at this room's next pump: its loop pumps, its clock runs, and the
   * tick is still to come.
   */
  framesSoon(tick: number): boolean {
    const c = this.#c;
    return c.loop.pumping && c.game.clockRuns && c.state.tick < tick;
  }
  roleOf(conn: string): Role | null {
    return this.#seats.roleOf(conn);
  }
  meta(): SessionMeta {
    return this.#c.meta();
  }
  /** Nicknames in join order (students, then spectators as they come): the projector's lobby shows them. */
  nicknames(): string[] {
    return this.#c.roster.nicknames();
  }

  // ---- seats ----
  attachHost(conn: string, hostKey: string): Ack<JoinResult> {
    return this.#seats.attachHost(conn, hostKey);
  }
  attachPresenter(conn: string, key: string | undefined): Ack<JoinResult> {
    return this.#seats.attachPresenter(conn, key);
  }
  joinStudent(conn: string, req: { nickname?: string; token?: string; bot?: boolean }): Ack<JoinResult> {
    return this.#seats.joinStudent(conn, req);
  }
  /** Re-bind a connection restored by socket.io's connection state recovery. False when the participant is gone. */
  reattach(conn: string, participantId: string, role: Role): boolean {
    return this.#seats.reattach(conn, participantId, role);
  }
  suggestName(random: () => number): string {
    return this.#seats.suggestName(random);
  }
  /** A connection closed. The participant keeps their pod, name and token. */
  detach(conn: string): void {
    this.#seats.detach(conn);
  }

  // ---- views and commands ----
  /** The full view for one connection, consistent with the delta chain (its tick is the last frame's). */
  snapshotFor(conn: string): Snapshot {
    return this.#framing.snapshotFor(conn);
  }
  /** A student's command for their own pod: validated, queued for the next tick, acked once recorded. */
  podCommand(conn: string, body: PodCommandBody): Promise<Ack<{ tick: number }>> {
    return this.#intake.podCommand(conn, body);
  }

  /**
   * Run `n` ticks, then broadcast once. Called by the loop; tests may call it directly. A fault in this room's tick,
   * game or framing ends this room alone (see `fail`): the loop and every other room go on.
   */
  runTicks(n: number): void {
    try {
      this.#runTicks(n);
    } catch (e) {
      void this.fail(e);
    }
  }

  #runTicks(n: number): void {
    const c = this.#c;
    // L3: a question, its reveal and the results hold the clock.
    if (!c.game.clockRuns || c.status === 'ended') return;
    const s = c.state;
    for (let i = 0; i < n; i++) {
      this.#intake.releaseIfDue(s.tick);
      // The queued commands' lines go into the file first, stamped with this tick; if the file cannot be written
      // (a full disk) the clock holds: nothing is applied that the recording would miss. It retries by itself.
      if (!c.recorder.commit(s.tick + 1)) break;
      advance(s, this.#intake.takeBatch());
      c.recorder.afterTick(s);
      this.#framing.collect(s.events);
      this.#framing.sampleHistory(s);
      // Scores and trace for this tick; the bots' commands apply at the next one (recorded like any other).
      for (const b of c.game.afterTick(s)) this.#intake.enqueueRecorded(c.roster.bySlot(b.slot)?.id ?? 'bot', b.command);
      if (c.game.roundOver(s.tick)) {
        this.#rounds.finishRound('time');
        break;
      }
    }
    this.#framing.broadcast();
  }

  // ---- host controls ----
  start(): Ack<SessionMeta> {
    return this.#host.start();
  }
  pause(): Ack<SessionMeta> {
    return this.#host.pause();
  }
  resume(): Ack<SessionMeta> {
    return this.#host.resume();
  }
  setSpeed(speed: number): Ack<SessionMeta> {
    return this.#host.setSpeed(speed);
  }
  setLocked(locked: boolean): Ack<SessionMeta> {
    return this.#host.setLocked(locked);
  }
  setLateJoin(allowed: boolean): Ack<SessionMeta> {
    return this.#host.setLateJoin(allowed);
  }
  /** Back to tick 0 with the same students and pods; a new recording starts. */
  reset(): Ack<SessionMeta> {
    return this.#host.reset();
  }
  /** End for good: stop the loop, tell everyone, close the recording. */
  end(reason: 'host' | 'shutdown' | 'idle'): Promise<Ack<SessionMeta>> {
    return this.#host.end(reason);
  }
  /**
   * Stop here without another word to the recording or the clients: a cluster lost this room's lease (or hands it
   * over), and the process that holds it now resumes it from the same file (server/cluster/).
   */
  async abandon(): Promise<void> {
    const c = this.#c;
    c.loop.stop();
    this.#intake.dropHeld();
    c.status = 'ended';
    c.endedAt = c.o.clock.now();
    await (c.recorder as { abandon?: () => Promise<void> }).abandon?.();
  }
  /**
   * A fault in this room (its tick, its game, a handler): the room ends alone with ROOM_FAILED to everyone in it,
   * its recording closed as interrupted (readable, and resumable by the teacher); the process and the other rooms
   * go on. Idempotent.
   */
  fail(e: unknown): Promise<void> {
    return this.#host.fail(e);
  }
  /** Disconnect a participant; they may rejoin with their token and find their pod. */
  kick(id: string): Ack<{ id: string }> {
    return this.#host.kick(id);
  }
  /** Remove a participant for good: their token and name are refused from now on, and their pod is deleted. */
  ban(id: string): Ack<{ id: string }> {
    return this.#host.ban(id);
  }
  /** The host's scenario events: a 700 MB batch, a traffic spike, a noisy neighbour. */
  inject(kind: InjectKind, slot: string | undefined): Promise<Ack<{ tick: number }>> {
    return this.#host.inject(kind, slot);
  }

  // ---- the game (docs/game.md) ----
  /** Start a round: from the lobby or after results; `pick` is a built-in scenario's name or a validated file. */
  startRound(pick: string | Scenario | undefined, durationSec: number | undefined): Ack<GameView> {
    return this.#rounds.startRound(pick, durationSec);
  }
  /** End the round now: podium and post-mortem cards. */
  endRound(): Ack<GameView> {
    return this.#rounds.finishRound('host');
  }
  /** After a reveal: the clock runs again. */
  resumeRound(): Ack<GameView> {
    return this.#rounds.resumeRound();
  }
  /** Ask a built-in or a live question: the clock stops until the host resumes. */
  askQuestion(pick: QuestionPick): Ack<GameView> {
    return this.#rounds.askQuestion(pick);
  }
  revealQuestion(): Ack<GameView> {
    return this.#rounds.revealQuestion();
  }
  /** A student's (or spectator's) answer; host and presenter see the spread change. */
  answerQuestion(conn: string, questionId: string, choice: string): Ack<{ choice: string }> {
    return this.#rounds.answerQuestion(conn, questionId, choice);
  }
  /** A continued session: give a pod waiting for its student to someone who joined under another name. */
  assignSeat(slot: string, participantId: string): Ack<{ slot: string; participant: string }> {
    return this.#seats.assign(slot, participantId);
  }
  /** A continued session: the pods nobody took back go to server bots, or are removed. */
  releaseSeats(mode: 'bots' | 'remove', strategy?: Parameters<typeof fillPlan>[0]): Ack<{ released: number }> {
    return this.#seats.release(mode, strategy);
  }
  /** Fill the free pod slots with server-side bots playing shared/game strategies. */
  fillBots(strategy: Parameters<typeof fillPlan>[0], max: number | undefined): Ack<{ added: number }> {
    return this.#rounds.fillBots(strategy, max);
  }
  /** Remove every server bot (one button on the host page). */
  removeBots(): Ack<{ removed: number }> {
    return this.#rounds.removeBots();
  }
  /** CSV3: a round's results for the host's download (default: the current or last round); null for no such round. */
  resultsCsv(round?: number): string | null {
    return this.#rounds.resultsCsv(round);
  }
}

/** The pod slots the scenario gives students, capped by the host's choice. */
export function podSlotsFor(scenario: Scenario, maxStudents: number | undefined): number {
  const slots = studentSlots(scenario);
  return maxStudents === undefined ? slots : Math.min(slots, maxStudents);
}
