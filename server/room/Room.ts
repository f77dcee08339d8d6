import { ErrorCode, fail, ok, type Ack } from '../../shared/protocol/errors.ts';
import { checkNickname, nicknameKey, NICKNAME_MESSAGES, slotForNickname, suggestNickname } from '../../shared/protocol/nickname.ts';
import type { InjectKind } from '../../shared/protocol/schemas.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type {
  Delta,
  JoinResult,
  LeaderboardView,
  PodView,
  Role,
  SessionMeta,
  SessionStatus,
  Snapshot,
} from '../../shared/protocol/views.ts';
import type { PodCommandBody } from '../../shared/schemas/commands.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';
import { studentPodTemplate, studentSlots } from '../../shared/scenario/student.ts';
import { cloneState } from '../../shared/sim/clone.ts';
import { applyCommand } from '../../shared/sim/commands.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command, SimEvent, SimState } from '../../shared/sim/types.ts';
import type { SessionRecorder } from '../recording/SessionRecorder.ts';
import { newSecret, sameSecret, secretHash } from '../util/secrets.ts';
import { injectionCommands } from './inject.ts';
import { trimForStudent } from './studentEvents.ts';
import { LoopDriver, type LoopClock } from './LoopDriver.ts';
import type { ConnInfo, Participant, ResumedSeat } from './participants.ts';
import { Roster } from './Roster.ts';
import type { RoomLog, RoomPort } from './port.ts';
import type { RecorderFactory } from './recorderFactory.ts';
import { RoomGame, type QuestionPick } from '../game/RoomGame.ts';
import { roundLength, scenarioForRound } from '../game/roundScenarios.ts';
import { botNickname, botSeed, fillPlan } from '../game/bots.ts';
import { isStrategy } from '../../shared/game/strategies.ts';
import { FAIR_WINDOW_SEC, seededShuffle } from '../game/fairness.ts';
import type { GameView } from '../../shared/protocol/gameViews.ts';
import { FrameDiffer } from './FrameDiffer.ts';
import { concernsStudent, isNotable, nodeView, podView } from './views.ts';

export interface RoomOptions {
  code: string;
  scenario: Scenario;
  seed: number;
  speed: number;
  lateJoin: boolean;
  /** Student pods allowed (at most the scenario's). */
  podSlots: number;
  port: RoomPort;
  clock: LoopClock;
  recorders: RecorderFactory;
  log: RoomLog;
  /** Called with each pump's lateness (metrics). */
  onLateness?: (ms: number) => void;
  /** Broadcasts between leaderboard updates (10 = once a second). */
  leaderboardEvery?: number;
  /** Start from this state rather than the scenario's tick 0 ("continue from here"). */
  initialState?: SimState;
  /** Resuming an interrupted session: keep the teacher's host key and seat returning students on their pods. */
  hostKey?: string;
  seats?: readonly ResumedSeat[];
  /** Resuming: the game as the recording left it; the room comes back paused in its round (or at its results). */
  game?: RoomGame;
}

interface QueuedCommand {
  by: string;
  command: Command;
}

const RECENT_EVENTS = 50;
const LEADERBOARD_ROWS = 10;

/**
 * One classroom session: the only place its simulation changes. Commands are queued and applied at the next tick
 * boundary in arrival order; after each pump the room sends compact deltas per role (volatile) and events
 * (reliable). It knows connections only as ids behind a RoomPort.
 */
export class Room {
  readonly code: string;
  readonly hostKey: string;
  readonly createdAt: number;
  #o: RoomOptions;
  #state: SimState;
  #status: SessionStatus = 'lobby';
  #locked = false;
  #lateJoin: boolean;
  #loop: LoopDriver;
  #recorder: SessionRecorder;
  #queue: QueuedCommand[] = [];
  /** Scores, the lesson's phases, questions and bots (docs/game.md). */
  #game: RoomGame;
  /** A slot's score by the game's rules: what the leaderboard, the roster and the pod views all show. */
  #scoreOf(slot: string): number {
    return this.#game.stats.slots[slot]?.score ?? 0;
  }
  /** Commands held during a round's fairness window, applied together in a seeded shuffled order. */
  #held: { by: string; command: Command; done: (a: Ack<{ tick: number }>) => void }[] = [];

  #roster = new Roster();
  #conns = new Map<string, ConnInfo>();

  // Broadcast bookkeeping: what the last frame described, and events since then.
  #frames: FrameDiffer;
  #pendingEvents: SimEvent[] = [];
  #recent: SimEvent[] = [];
  #broadcasts = 0;
  /** Wall time of the last activity (join, command, connection): the registry ends idle rooms. */
  lastActivity: number;
  endedAt: number | null = null;

  constructor(o: RoomOptions) {
    this.#o = o;
    this.code = o.code;
    this.hostKey = o.hostKey ?? newSecret();
    this.#lateJoin = o.lateJoin;
    this.#game = o.game ?? new RoomGame();
    // A resumed round waits for the teacher's Resume, so students have time to come back first.
    const phase = this.#game.lesson.phase;
    if (phase !== 'lobby' && phase !== 'ended') this.#status = 'paused';
    this.#state = o.initialState ? cloneState(o.initialState) : createSimulation(o.scenario, { seed: o.seed });
    this.#frames = new FrameDiffer(this.#state.tick);
    this.#recorder = this.#newRecorder();
    for (const seat of o.seats ?? []) this.#reseat(seat);
    this.createdAt = o.clock.now();
    this.lastActivity = this.createdAt;
    this.#loop = new LoopDriver({ clock: o.clock, onTicks: (n) => this.runTicks(n), onLateness: o.onLateness });
    this.#loop.setSpeed(o.speed);
  }

  // ---- channels ----
  get #all(): string {
    return this.code;
  }
  get #viewers(): string {
    return `${this.code}/viewers`;
  }
  get #hosts(): string {
    return `${this.code}/hosts`;
  }
  get #spectators(): string {
    return `${this.code}/spectators`;
  }

  get status(): SessionStatus {
    return this.#status;
  }
  /** The simulation state (read-only for callers: tests and the recording routes). */
  get state(): Readonly<SimState> {
    return this.#state;
  }
  get connectionCount(): number {
    return this.#conns.size;
  }
  /** The lesson's phase and questions (read-only: tests and the recording routes). */
  get lesson(): RoomGame['lesson'] {
    return this.#game.lesson;
  }
  /** Whether a command sent now would wait for the round's fairness window (read-only: tests). */
  get holdingCommands(): boolean {
    return this.#game.holdsCommands(this.#state.tick);
  }
  get loop(): LoopDriver {
    return this.#loop;
  }
  roleOf(conn: string): Role | null {
    return this.#conns.get(conn)?.role ?? null;
  }

  meta(): SessionMeta {
    const { students, spectators } = this.#roster.counts();
    const s = this.#o.scenario;
    return {
      code: this.code,
      scenario: { name: s.name, title: s.title ?? s.name, description: s.description ?? '' },
      status: this.#status,
      speed: this.#loop.speed,
      locked: this.#locked,
      lateJoin: this.#lateJoin,
      students,
      spectators,
      podSlots: this.#o.podSlots,
      tick: this.#state.tick,
      durationSec: s.durationSec,
      engineeringSec: { ...this.#state.node.engineeringSec },
      recordingId: this.#recorder.id,
    };
  }

  /** Nicknames in join order (students, then spectators as they come): the projector's lobby shows them. */
  nicknames(): string[] {
    return this.#roster.nicknames();
  }

  // ---- joining ----

  attachHost(conn: string, hostKey: string): Ack<JoinResult> {
    if (!sameSecret(hostKey, this.hostKey)) return fail(ErrorCode.BAD_HOST_KEY, 'That host key does not open this session.');
    this.#addConn(conn, { role: 'host', participant: null });
    return ok(this.#joinResult(conn, 'host', 'host', null, false));
  }

  attachPresenter(conn: string): Ack<JoinResult> {
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    this.#addConn(conn, { role: 'presenter', participant: null });
    return ok(this.#joinResult(conn, 'presenter', `presenter-${conn.slice(0, 6)}`, null, false));
  }

  joinStudent(conn: string, req: { nickname?: string; token?: string; bot?: boolean }): Ack<JoinResult> {
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    if (req.token !== undefined) {
      if (this.#roster.isBannedToken(req.token)) return fail(ErrorCode.BANNED, 'The teacher removed you from this session.');
      const p = this.#roster.byToken(req.token);
      if (p) {
        this.#addConn(conn, { role: p.role, participant: p });
        this.#participantsChanged();
        return ok(this.#joinResult(conn, p.role, p.id, p, true));
      }
      if (req.nickname === undefined) return fail(ErrorCode.BAD_TOKEN, 'That session token is not valid here: join with a nickname.');
    }
    const check = checkNickname(req.nickname ?? '');
    if (!check.ok) return fail(ErrorCode.NAME_INVALID, NICKNAME_MESSAGES[check.reason]);
    const key = nicknameKey(check.nickname);
    if (this.#roster.isBannedName(key)) return fail(ErrorCode.BANNED, 'The teacher removed that name from this session.');
    if (this.#locked) return fail(ErrorCode.ROOM_LOCKED, 'The teacher has locked this room.');
    if (this.#status !== 'lobby' && !this.#lateJoin) return fail(ErrorCode.LATE_JOIN_CLOSED, 'The session has started and the teacher is not taking late joins.');
    if (this.#roster.nameInUse(key)) return fail(ErrorCode.NAME_TAKEN, `Someone here is already called "${check.nickname}".`);

    const hasPod = this.#roster.counts().students < this.#o.podSlots;
    const slot = hasPod ? slotForNickname(check.nickname, (s) => this.#slotTaken(s)) : null;
    const p: Participant = {
      id: this.#roster.newId(),
      nickname: check.nickname,
      key,
      role: hasPod ? 'student' : 'spectator',
      slot,
      token: newSecret(),
      bot: req.bot ?? false,
      conns: new Set(),
      lastPodName: null,
    };
    this.#roster.add(p);
    this.#recordSeat(p);
    this.#addConn(conn, { role: p.role, participant: p });
    this.#o.log.info({ room: this.code, participant: p.id, role: p.role, slot }, 'participant joined');
    this.#participantsChanged();
    return ok(this.#joinResult(conn, p.role, p.id, p, false));
  }

  /** Re-bind a connection restored by socket.io's connection state recovery. False when the participant is gone. */
  reattach(conn: string, participantId: string, role: Role): boolean {
    if (role === 'host' || role === 'presenter') {
      this.#addConn(conn, { role, participant: null });
      return true;
    }
    const p = this.#roster.get(participantId);
    if (!p) return false;
    this.#addConn(conn, { role: p.role, participant: p });
    this.#participantsChanged();
    return true;
  }

  suggestName(random: () => number): string {
    return suggestNickname(random, (k) => this.#roster.nameInUse(k) || this.#roster.isBannedName(k));
  }

  /** A connection closed. The participant keeps their pod, name and token. */
  detach(conn: string): void {
    const info = this.#conns.get(conn);
    if (!info) return;
    this.#conns.delete(conn);
    this.lastActivity = this.#o.clock.now();
    if (info.participant) {
      info.participant.conns.delete(conn);
      this.#participantsChanged();
    }
  }

  #addConn(conn: string, info: ConnInfo): void {
    this.#conns.set(conn, info);
    this.lastActivity = this.#o.clock.now();
    const port = this.#o.port;
    port.join(conn, this.#all);
    if (info.role === 'host' || info.role === 'presenter') port.join(conn, this.#viewers);
    if (info.role === 'host') port.join(conn, this.#hosts);
    if (info.role === 'spectator') port.join(conn, this.#spectators);
    info.participant?.conns.add(conn);
  }

  #joinResult(conn: string, role: Role, id: string, p: Participant | null, rejoined: boolean): JoinResult {
    return {
      protocolVersion: PROTOCOL_VERSION,
      role,
      participantId: id,
      nickname: p?.nickname ?? null,
      slot: p?.slot ?? null,
      token: p?.token ?? null,
      snapshot: this.snapshotFor(conn),
      rejoined,
    };
  }

  #slotTaken(slot: string): boolean {
    return this.#roster.hasSlot(slot) || this.#state.pods.some((p) => p.slot === slot) || this.#queue.some((q) => q.command.type === 'add_pod' && q.command.pod.slot === slot);
  }

  // ---- views ----

  /** The full view for one connection, consistent with the delta chain (its tick is the last frame's). */
  snapshotFor(conn: string): Snapshot {
    const info = this.#conns.get(conn);
    const role = info?.role ?? 'spectator';
    const s = this.#state;
    const pods: Record<string, PodView> = {};
    let recentEvents: SimEvent[];
    if (role === 'host' || role === 'presenter') {
      for (const p of s.pods) pods[p.name] = podView(s, p, this.#roster.bySlot(p.slot)?.nickname ?? null, this.#scoreOf(p.slot));
      recentEvents = this.#recent;
    } else {
      const slot = info?.participant?.slot ?? null;
      const own = slot ? activePod(s, slot) : undefined;
      if (own && info?.participant) {
        pods[own.name] = podView(s, own, info.participant.nickname, this.#scoreOf(own.slot));
        info.participant.lastPodName = own.name;
      }
      recentEvents = this.#recent.filter((e) => concernsStudent(e, slot)).map((e) => trimForStudent(e, slot));
    }
    const snap: Snapshot = {
      tick: s.tick,
      session: this.meta(),
      node: nodeView(s),
      pods,
      leaderboard: this.#leaderboard(info?.participant ?? null),
      recentEvents,
    };
    if (role === 'host') snap.participants = this.#roster.views();
    snap.game = this.#game.view(role, this.#answerKey(info?.participant ?? null));
    return snap;
  }

  #leaderboard(forWhom: Participant | null): LeaderboardView {
    const rows = this.#standings();
    const mine = forWhom ? rows.find((r) => r.slot === forWhom.slot) : undefined;
    return { tick: this.#state.tick, rows: rows.slice(0, LEADERBOARD_ROWS), you: mine ? { rank: mine.rank, score: mine.score } : null };
  }

  #standingsCache: { tick: number; rows: LeaderboardView['rows'] } | null = null;
  #standings(): LeaderboardView['rows'] {
    if (this.#standingsCache?.tick === this.#state.tick) return this.#standingsCache.rows;
    // G7: game scores, ranks 1..n without shared places.
    const rows = this.#game.standings(this.#roster.seats());
    this.#standingsCache = { tick: this.#state.tick, rows };
    return rows;
  }

  // ---- commands ----

  /** A student's command for their own pod: validated, queued for the next tick, acked once recorded. */
  async podCommand(conn: string, body: PodCommandBody): Promise<Ack<{ tick: number }>> {
    const p = this.#conns.get(conn)?.participant;
    if (!p || p.role !== 'student' || !p.slot) return fail(ErrorCode.FORBIDDEN, 'Only a student with a pod can send pod commands.');
    if (body.type === 'remove_pod') return fail(ErrorCode.FORBIDDEN, 'Students cannot delete their pod.');
    if (this.#status === 'lobby') return fail(ErrorCode.BAD_STATE, 'The session has not started yet.');
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    const command = { ...body, pod: p.slot } as Command;
    const dry = applyCommand(cloneState(this.#state), command);
    if (!dry.ok) return fail(ErrorCode.COMMAND_REJECTED, dry.error.message);
    if (this.#game.holdsCommands(this.#state.tick)) return new Promise((done) => this.#held.push({ by: p.id, command, done }));
    return this.#record(p.id, command);
  }

  #enqueue(by: string, command: Command): number {
    this.#queue.push({ by, command });
    return this.#state.tick + 1;
  }

  /**
   * Queue a command the server itself issues (a joining student's pod): recorded like any other, since every
   * command that reaches the simulation must be in the recording for the replay to match.
   */
  #enqueueRecorded(by: string, command: Command): void {
    const tick = this.#enqueue(by, command);
    this.#recorder.command({ tick, by, command }).catch((e: unknown) => {
      this.#o.log.error({ room: this.code, err: e }, 'recording a command failed');
    });
  }

  /** Queue a command and ack when the recorder has it durably. */
  async #record(by: string, command: Command): Promise<Ack<{ tick: number }>> {
    const tick = this.#enqueue(by, command);
    this.lastActivity = this.#o.clock.now();
    try {
      await this.#recorder.command({ tick, by, command });
    } catch (e) {
      this.#o.log.error({ room: this.code, err: e }, 'recording a command failed');
      return fail(ErrorCode.INTERNAL, 'The command was applied but could not be recorded.');
    }
    return ok({ tick });
  }

  /** Run `n` ticks, then broadcast once. Called by the loop; tests may call it directly. */
  runTicks(n: number): void {
    // L3: a question, its reveal and the results hold the clock.
    if (!this.#game.clockRuns) return;
    const s = this.#state;
    for (let i = 0; i < n; i++) {
      if (this.#held.length && !this.#game.holdsCommands(s.tick)) this.#releaseHeld();
      const batch = this.#queue;
      this.#queue = [];
      // Commands queued before this tick were recorded against s.tick + 1 at arrival: that is this tick.
      advance(
        s,
        batch.map((q) => q.command),
      );
      this.#recorder.afterTick(s);
      for (const e of s.events) if (isNotable(e)) this.#pendingEvents.push(e);
      // Scores and trace for this tick; the bots' commands apply at the next one (recorded like any other).
      for (const b of this.#game.afterTick(s)) this.#enqueueRecorded(this.#roster.bySlot(b.slot)?.id ?? 'bot', b.command);
      if (this.#game.roundOver(s.tick)) {
        this.#finishRound('time');
        break;
      }
    }
    this.#broadcast();
  }

  #broadcast(): void {
    const s = this.#state;
    const port = this.#o.port;
    this.#broadcasts++;
    const f = this.#frames.next(s, (slot) => this.#roster.bySlot(slot)?.nickname ?? null, (slot) => this.#scoreOf(slot));
    const since = f.since;

    const viewerDelta: Delta = { t: s.tick, since };
    if (f.nodePatch) viewerDelta.node = f.nodePatch;
    if (f.patches.size) viewerDelta.pods = Object.fromEntries(f.patches);
    if (f.gone.length) viewerDelta.gone = f.gone;
    port.broadcast(this.#viewers, 'state:delta', viewerDelta, true);

    const basic: Delta = f.nodePatch ? { t: s.tick, since, node: f.nodePatch } : { t: s.tick, since };
    port.broadcast(this.#spectators, 'state:delta', basic, true);

    const events = this.#pendingEvents;
    this.#pendingEvents = [];
    for (const e of events) {
      this.#recent.push(e);
    }
    if (this.#recent.length > RECENT_EVENTS) this.#recent.splice(0, this.#recent.length - RECENT_EVENTS);
    // Reliable messages go to each viewer socket rather than through a socket.io room: socket.io keeps every
    // reliable room broadcast for the recovery window, and kill events with their candidate tables add up.
    const viewers: string[] = [];
    for (const [conn, info] of this.#conns) if (info.role === 'host' || info.role === 'presenter') viewers.push(conn);
    if (events.length) for (const c of viewers) port.send(c, 'sim:events', { tick: s.tick, events });

    const leaderboardDue = this.#broadcasts % (this.#o.leaderboardEvery ?? 10) === 0;
    for (const p of this.#roster.values()) {
      if (p.conns.size === 0) continue;
      if (p.role === 'student' && p.slot) {
        const d: Delta = { ...basic };
        // The frame's slot index, not activePod: that would scan every pod once per student.
        const own = f.podOfSlot.get(p.slot);
        if (own) {
          if (own.name !== p.lastPodName) {
            d.pods = { [own.name]: this.#frames.view(own.name)! };
            if (p.lastPodName) d.gone = [p.lastPodName];
            p.lastPodName = own.name;
          } else {
            const patch = f.patches.get(own.name);
            if (patch) d.pods = { [own.name]: patch };
          }
        }
        for (const c of p.conns) port.send(c, 'state:delta', d, true);
      }
      if (events.length) {
        const mine = events.filter((e) => concernsStudent(e, p.slot)).map((e) => trimForStudent(e, p.slot));
        if (mine.length) for (const c of p.conns) port.send(c, 'sim:events', { tick: s.tick, events: mine });
      }
      if (leaderboardDue) {
        const board = this.#leaderboard(p);
        for (const c of p.conns) port.send(c, 'leaderboard:update', board);
      }
    }
    if (leaderboardDue && viewers.length) {
      const board = this.#leaderboard(null);
      for (const c of viewers) port.send(c, 'leaderboard:update', board);
    }
  }

  // ---- host controls ----

  #hostAction(action: string, detail?: Record<string, unknown>): void {
    this.#recordAction(action, detail);
    this.#o.log.info({ room: this.code, action, ...detail }, 'host action');
  }

  /** An action line in the recording (not logged: answers come by the hundred). */
  #recordAction(action: string, detail?: Record<string, unknown>): void {
    this.lastActivity = this.#o.clock.now();
    this.#recorder.hostAction({ tick: this.#state.tick, action, ...(detail ? { detail } : {}) }).catch((e: unknown) => {
      this.#o.log.error({ room: this.code, err: e }, 'recording an action failed');
    });
  }

  #metaChanged(): SessionMeta {
    const m = this.meta();
    this.#o.port.broadcast(this.#all, 'session:update', m);
    return m;
  }

  #participantsChanged(): void {
    this.#o.port.broadcast(this.#hosts, 'participants:update', this.#roster.views());
  }

  start(): Ack<SessionMeta> {
    if (this.#status !== 'lobby') return fail(ErrorCode.BAD_STATE, `The session is ${this.#status}, not waiting to start.`);
    this.#status = 'running';
    this.#hostAction('start');
    // The session's start is round 1 on the session's scenario.
    const length = roundLength(this.#o.scenario);
    if (this.#game.startRound(this.#o.scenario.name, length, this.#state.tick, this.#o.seed).ok) {
      this.#hostAction('round_start', { round: this.#game.lesson.roundNo, scenario: this.#o.scenario.name, durationSec: length });
    }
    this.#loop.start();
    this.#gameChanged();
    return ok(this.#metaChanged());
  }

  pause(): Ack<SessionMeta> {
    if (this.#status !== 'running') return fail(ErrorCode.BAD_STATE, `The session is ${this.#status}, not running.`);
    this.#status = 'paused';
    this.#loop.stop();
    this.#hostAction('pause');
    return ok(this.#metaChanged());
  }

  resume(): Ack<SessionMeta> {
    if (this.#status !== 'paused') return fail(ErrorCode.BAD_STATE, `The session is ${this.#status}, not paused.`);
    this.#status = 'running';
    this.#hostAction('resume');
    this.#loop.start();
    return ok(this.#metaChanged());
  }

  setSpeed(speed: number): Ack<SessionMeta> {
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    this.#loop.setSpeed(speed);
    this.#hostAction('speed', { speed });
    return ok(this.#metaChanged());
  }

  setLocked(locked: boolean): Ack<SessionMeta> {
    this.#locked = locked;
    this.#hostAction(locked ? 'lock' : 'unlock');
    return ok(this.#metaChanged());
  }

  setLateJoin(allowed: boolean): Ack<SessionMeta> {
    this.#lateJoin = allowed;
    this.#hostAction('late_join', { allowed });
    return ok(this.#metaChanged());
  }

  /** Back to tick 0 with the same students and pods; a new recording starts. */
  reset(): Ack<SessionMeta> {
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    this.#loop.stop();
    this.#hostAction('reset');
    this.#rebuild();
    this.#status = 'lobby';
    this.#game.reset(this.#state.tick);
    const m = this.#metaChanged();
    for (const conn of this.#conns.keys()) this.#o.port.send(conn, 'state:snapshot', this.snapshotFor(conn));
    return ok(m);
  }

  /** A fresh simulation of the current scenario at tick 0, the same students and pods, a new recording. */
  #rebuild(): void {
    this.#dropHeld();
    // A lobby replaced before its first tick leaves nothing to replay: its recording is dropped, not listed.
    this.#recorder.discardIfUnused().catch((e: unknown) => this.#o.log.error({ room: this.code, err: e }, 'closing a recording failed'));
    this.#state = createSimulation(this.#o.scenario, { seed: this.#o.seed });
    this.#recorder = this.#newRecorder();
    this.#queue = [];
    this.#frames.reset(this.#state.tick);
    this.#pendingEvents = [];
    this.#recent = [];
    this.#standingsCache = null;
    for (const p of this.#roster.values()) {
      p.lastPodName = null;
      // The new recording names its seats too, with each server bot's strategy (a resume plays it on).
      const strategy = this.#game.strategyOf(p.slot);
      this.#recordSeat(p, strategy ? { strategy } : {});
    }
  }

  // ---- the game (docs/game.md; the logic is in server/game/) ----

  /** The fairness window is over: queue (and record) the held commands in a seeded shuffled order. */
  #releaseHeld(): void {
    const held = seededShuffle(this.#held, this.#o.seed ^ this.#game.fairSeed);
    this.#held = [];
    for (const h of held) void this.#record(h.by, h.command).then(h.done);
  }

  /** A new simulation or the end: held commands are refused, not applied to a state they were not meant for. */
  #dropHeld(): void {
    for (const h of this.#held) h.done(fail(ErrorCode.BAD_STATE, 'The round was restarted before your change applied.'));
    this.#held = [];
  }

  /** Whose answer a participant's is: their slot (the CSV's key), or their id for a spectator. */
  #answerKey(p: Participant | null): string | null {
    return p ? (p.slot ?? `spectator:${p.id}`) : null;
  }

  /** Send each connection its view of the game (reliable). */
  #gameChanged(): void {
    for (const [conn, info] of this.#conns) this.#o.port.send(conn, 'game:update', this.#game.view(info.role, this.#answerKey(info.participant)));
  }

  #gameAck(r: Ack<unknown>, action: string, detail?: Record<string, unknown>): Ack<GameView> {
    if (!r.ok) return r;
    this.#hostAction(action, detail);
    this.#gameChanged();
    return ok(this.#game.view('host', null));
  }

  /**
   * Start a round: from the lobby (starts the session) or after results (a fresh simulation). `pick` is a built-in
   * scenario's name, a teacher's scenario file already validated (the HTTP route), or nothing for the room's own.
   */
  startRound(pick: string | Scenario | undefined, durationSec: number | undefined): Ack<GameView> {
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    const phase = this.#game.lesson.phase;
    if (phase !== 'lobby' && phase !== 'results') return fail(ErrorCode.BAD_STATE, `End the current round first (the lesson is in ${phase}).`);
    const scenario =
      pick === undefined ? this.#o.scenario
      : typeof pick === 'string' ? scenarioForRound(pick, { seats: this.#o.podSlots, durationSec, seed: this.#o.seed })
      : pick;
    if (!scenario) return fail(ErrorCode.BAD_REQUEST, `No scenario named "${String(pick)}".`);
    // Always a valid length, so the round cannot be refused after the rebuild below, which cannot be taken back.
    const length = roundLength(scenario, durationSec);
    if (phase === 'results' || scenario !== this.#o.scenario) {
      this.#o = { ...this.#o, scenario };
      this.#rebuild();
    }
    const r = this.#game.startRound(scenario.name, length, this.#state.tick, this.#o.seed, FAIR_WINDOW_SEC * 10);
    if (!r.ok) return r;
    if (this.#status === 'lobby') this.#hostAction('start');
    this.#status = 'running';
    this.#loop.start();
    this.#metaChanged();
    for (const conn of this.#conns.keys()) this.#o.port.send(conn, 'state:snapshot', this.snapshotFor(conn));
    return this.#gameAck(r, 'round_start', { round: this.#game.lesson.roundNo, scenario: scenario.name, durationSec: length, ...(typeof pick === 'object' ? { source: 'file' } : {}) });
  }

  /** End the round now (the host) or at its length (the loop): podium and post-mortem cards. */
  endRound(): Ack<GameView> {
    return this.#finishRound('host');
  }

  #finishRound(by: 'host' | 'time'): Ack<GameView> {
    const r = this.#game.endRound(this.#state, this.#roster.seats());
    if (r.ok) {
      this.#standingsCache = null;
      this.#dropHeld();
    }
    return this.#gameAck(r, 'round_end', { round: this.#game.lesson.roundNo, by });
  }

  /** After a reveal: the clock runs again. */
  resumeRound(): Ack<GameView> {
    return this.#gameAck(this.#game.resume(), 'question_resume');
  }

  /** Ask a built-in or a live question: the clock stops until the host resumes. */
  askQuestion(pick: QuestionPick): Ack<GameView> {
    const r = this.#game.ask(this.#state, pick);
    // Commands held for the fairness window are applied when the clock runs again (their acks go now).
    if (r.ok && this.#held.length) this.#releaseHeld();
    // A live question is kept whole: it was built from this moment's state, and a resume needs it as asked.
    const detail = r.ok ? { question: r.data.id, source: r.data.source, ...(r.data.source === 'live' ? { asked: r.data } : {}) } : undefined;
    return this.#gameAck(r, 'question_ask', detail);
  }

  revealQuestion(): Ack<GameView> {
    const open = this.#game.lesson.asked.at(-1);
    return this.#gameAck(this.#game.reveal(), 'question_reveal', open ? { question: open.question.id, answers: Object.keys(open.answers).length } : undefined);
  }

  /** A student's (or spectator's) answer; host and presenter see the spread change. */
  answerQuestion(conn: string, questionId: string, choice: string): Ack<{ choice: string }> {
    const p = this.#conns.get(conn)?.participant ?? null;
    const by = this.#answerKey(p)!;
    const r = this.#game.answer(by, questionId, choice);
    if (!r.ok) return r;
    // Recorded, so a resumed session keeps its answers (and the CSV its column).
    this.#recordAction('answer', { question: questionId, by, choice });
    for (const [c, info] of this.#conns) if (info.role === 'host' || info.role === 'presenter') this.#o.port.send(c, 'game:update', this.#game.view(info.role, null));
    return r;
  }

  /** Fill the free pod slots with server-side bots playing shared/game strategies. */
  fillBots(strategy: Parameters<typeof fillPlan>[0], max: number | undefined): Ack<{ added: number }> {
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    const plan = fillPlan(strategy, Math.min(this.#o.podSlots - this.#roster.counts().students, max ?? Infinity));
    if (plan.length === 0) return fail(ErrorCode.BAD_STATE, 'Every pod slot is taken.');
    for (const strat of plan) {
      const nickname = botNickname(strat, this.#roster.nextIdNumber, (k) => this.#roster.nameInUse(k));
      const key = nicknameKey(nickname);
      const slot = slotForNickname(nickname, (s) => this.#slotTaken(s));
      const p: Participant = { id: this.#roster.newId(), nickname, key, role: 'student', slot, token: newSecret(), bot: true, serverBot: true, conns: new Set(), lastPodName: null };
      this.#roster.add(p);
      this.#recordSeat(p, { strategy: strat });
      this.#game.addBot(strat, slot, botSeed(this.#o.seed, p.id));
    }
    this.#standingsCache = null;
    this.#participantsChanged();
    this.#metaChanged();
    return ok({ added: plan.length });
  }

  /** CSV3: a round's results for the host's download (default: the current or last round); null for no such round. */
  resultsCsv(round?: number): string | null {
    return this.#game.csv(this.#roster.seats(), this.#state.tick, round);
  }

  /** End for good: stop the loop, tell everyone, close the recording. */
  async end(reason: 'host' | 'shutdown' | 'idle'): Promise<Ack<SessionMeta>> {
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has already ended.');
    this.#loop.stop();
    this.#dropHeld();
    this.#game.end();
    this.#status = 'ended';
    this.endedAt = this.#o.clock.now();
    this.#hostAction('end', { reason });
    const m = this.#metaChanged();
    const message =
      reason === 'shutdown' ? 'The server is restarting. Your teacher can resume the session.' : reason === 'idle' ? 'The session ended after a long idle time.' : 'The teacher ended the session.';
    this.#o.port.broadcast(this.#all, 'session:ended', { reason, message });
    try {
      await this.#recorder.end(reason === 'shutdown' ? 'shutdown' : 'ended');
    } catch (e) {
      this.#o.log.error({ room: this.code, err: e }, 'closing the recording failed');
    }
    return ok(m);
  }

  /** Disconnect a participant; they may rejoin with their token and find their pod. */
  kick(id: string): Ack<{ id: string }> {
    const p = this.#roster.get(id);
    if (!p) return fail(ErrorCode.BAD_REQUEST, 'No participant with that id.');
    this.#hostAction('kick', { participant: id });
    this.#remove(p, 'kicked', 'The teacher removed you from the session. You can join again.');
    return ok({ id });
  }

  /** Remove a participant for good: their token and name are refused from now on, and their pod is deleted. */
  ban(id: string): Ack<{ id: string }> {
    const p = this.#roster.get(id);
    if (!p) return fail(ErrorCode.BAD_REQUEST, 'No participant with that id.');
    this.#hostAction('ban', { participant: id });
    this.#roster.ban(p);
    if (p.slot) {
      // The slot stays reserved (never reused) so a later student cannot inherit the banned student's pod history.
      const pod = activePod(this.#state, p.slot);
      if (pod) void this.#record('host', { type: 'remove_pod', pod: p.slot });
    }
    this.#remove(p, 'banned', 'The teacher banned you from this session.');
    this.#metaChanged();
    return ok({ id });
  }

  #remove(p: Participant, reason: 'kicked' | 'banned', message: string): void {
    for (const conn of [...p.conns]) {
      this.#o.port.send(conn, 'participant:removed', { reason, message });
      this.detach(conn);
      this.#o.port.disconnect(conn);
    }
    this.#participantsChanged();
  }

  /** The host's scenario events: a 700 MB batch, a traffic spike, a noisy neighbour. */
  async inject(kind: InjectKind, slot: string | undefined): Promise<Ack<{ tick: number }>> {
    if (this.#status === 'lobby') return fail(ErrorCode.BAD_STATE, 'Start the session first.');
    if (this.#status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    if (slot !== undefined && !activePod(this.#state, slot)) return fail(ErrorCode.COMMAND_REJECTED, `No pod named "${slot}".`);
    const targets = [...this.#roster.slots()].filter((s) => activePod(this.#state, s));
    const commands = injectionCommands(kind, slot, targets, (s) => this.#slotTaken(s));
    if (commands.length === 0) return fail(ErrorCode.COMMAND_REJECTED, 'No pod to inject into.');
    this.#hostAction('inject', { kind, ...(slot ? { slot } : {}) });
    let tick = this.#state.tick + 1;
    for (const c of commands) {
      const r = await this.#record('host', c);
      if (!r.ok) return r;
      tick = r.data.tick;
    }
    return ok({ tick });
  }

  /**
   * Record a seat and queue its pod. The join action names the seat (replay labels) and carries a hash of the
   * session token, never the token, so a resumed session can give the student their pod back.
   */
  #recordSeat(p: Participant, extra: Record<string, unknown> = {}): void {
    this.#hostAction('join', {
      participant: p.id,
      role: p.role,
      slot: p.slot,
      bot: p.bot,
      name: p.nickname,
      ...(p.token ? { tokenSha256: secretHash(p.token) } : {}),
      ...extra,
    });
    if (p.slot) this.#enqueueRecorded(p.id, { type: 'add_pod', pod: studentPodTemplate(this.#o.scenario, p.slot) });
  }

  /** A seat of the interrupted session: a student waits for their token; a server bot plays on at once. */
  #reseat(seat: ResumedSeat): void {
    const p = this.#roster.seatResumed(seat);
    const strategy = seat.detail['strategy'];
    if (!p?.slot || !p.bot || typeof strategy !== 'string' || !isStrategy(strategy)) return;
    p.serverBot = true;
    // The restored game already has it, with the plan it had reached; otherwise it starts its plan again.
    if (!this.#game.isBot(p.slot)) this.#game.addBot(strategy, p.slot, botSeed(this.#o.seed, p.id));
  }

  #newRecorder(): SessionRecorder {
    return this.#o.recorders.create({
      code: this.code,
      scenario: this.#o.scenario,
      seed: this.#o.seed,
      // Only a hash of the host key: whoever resumes an interrupted session must hold the key itself.
      options: { speed: this.#o.speed, lateJoin: this.#o.lateJoin, podSlots: this.#o.podSlots, hostKeySha256: secretHash(this.hostKey) },
      initialState: cloneState(this.#state),
    });
  }
}

/** The pod slots the scenario gives students, capped by the host's choice. */
export function podSlotsFor(scenario: Scenario, maxStudents: number | undefined): number {
  const slots = studentSlots(scenario);
  return maxStudents === undefined ? slots : Math.min(slots, maxStudents);
}
