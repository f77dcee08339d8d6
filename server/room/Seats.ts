import { ErrorCode, fail, ok, type Ack } from '../../shared/protocol/errors.ts';
import { checkNickname, NICKNAME_MESSAGES, slotForNickname, suggestNickname } from '../../shared/protocol/nickname.ts';
import { nicknameKey } from '../../shared/protocol/nicknameKey.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { JoinResult, Role } from '../../shared/protocol/views.ts';
import { studentPodTemplate } from '../../shared/scenario/student.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import { studentSeatsOnNode } from '../game/botSeats.ts';
import { isStrategy, type StrategyName } from '../../shared/game/strategies.ts';
import { botSeed, fillPlan } from '../game/bots.ts';
import { newSecret, sameSecret, secretHash } from '../util/secrets.ts';
import type { CommandIntake } from './CommandIntake.ts';
import type { ConnInfo, ContinuedSeat, Participant, ResumedSeat } from './participants.ts';
import type { RoomCore } from './RoomCore.ts';
import type { RoomFraming } from './RoomFraming.ts';
import type { RoomJournal } from './RoomJournal.ts';

/**
 * Who is in a room and on which connection: the host and presenter, students (a pod each) and spectators joining,
 * rejoining with their token, leaving and being removed; a seat's pod queued and the seat recorded.
 */
export class Seats {
  readonly #c: RoomCore;
  readonly #journal: RoomJournal;
  readonly #intake: CommandIntake;
  readonly #framing: RoomFraming;

  constructor(core: RoomCore, journal: RoomJournal, intake: CommandIntake, framing: RoomFraming) {
    this.#c = core;
    this.#journal = journal;
    this.#intake = intake;
    this.#framing = framing;
  }

  roleOf(conn: string): Role | null {
    return this.#c.conns.get(conn)?.role ?? null;
  }

  attachHost(conn: string, hostKey: string): Ack<JoinResult> {
    if (!sameSecret(hostKey, this.#c.hostKey)) return fail(ErrorCode.BAD_HOST_KEY, 'That host key does not open this session.');
    this.#addConn(conn, { role: 'host', participant: null });
    return ok({ ...this.#joinResult(conn, 'host', 'host', null, false), presenterKey: this.#c.presenterKey });
  }

  attachPresenter(conn: string, key: string | undefined): Ack<JoinResult> {
    if (key === undefined || !sameSecret(key, this.#c.presenterKey)) {
      return fail(ErrorCode.BAD_PRESENTER_KEY, 'The projector needs the presenter link from the host page (“Open presenter”).');
    }
    if (this.#c.status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    this.#addConn(conn, { role: 'presenter', participant: null });
    return ok(this.#joinResult(conn, 'presenter', `presenter-${conn.slice(0, 6)}`, null, false));
  }

  joinStudent(conn: string, req: { nickname?: string; token?: string; bot?: boolean }): Ack<JoinResult> {
    const c = this.#c;
    const roster = c.roster;
    if (c.status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    if (req.token !== undefined) {
      if (roster.isBannedToken(req.token)) return fail(ErrorCode.BANNED, 'The teacher removed you from this session.');
      const p = roster.byToken(req.token);
      if (p) {
        this.#addConn(conn, { role: p.role, participant: p });
        c.participantsChanged();
        return ok(this.#joinResult(conn, p.role, p.id, p, true));
      }
      if (req.nickname === undefined) return fail(ErrorCode.BAD_TOKEN, 'That session token is not valid here: join with a nickname.');
    }
    const check = checkNickname(req.nickname ?? '');
    if (!check.ok) return fail(ErrorCode.NAME_INVALID, NICKNAME_MESSAGES[check.reason]);
    // A new seat is recorded (its join and its pod): refused while the recording cannot be written.
    const no = c.refusal();
    if (no) return no;
    const key = nicknameKey(check.nickname);
    if (roster.isBannedName(key)) return fail(ErrorCode.BANNED, 'The teacher removed that name from this session.');
    // A continued session: the student who played this pod at that moment takes it back with their name.
    const waiting = roster.waitingByKey(key);
    if (waiting) return this.#claim(conn, waiting);
    if (c.locked) return fail(ErrorCode.ROOM_LOCKED, 'The teacher has locked this room.');
    if (c.status !== 'lobby' && !c.lateJoin) return fail(ErrorCode.LATE_JOIN_CLOSED, 'The session has started and the teacher is not taking late joins.');
    if (roster.nameInUse(key)) return fail(ErrorCode.NAME_TAKEN, `Someone here is already called "${check.nickname}".`);

    // Per room, whatever the addresses: one NAT holds a whole class, and a script can be anywhere. Taken before
    // anything changes (a bot's seat), so a refused join leaves the room as it was.
    if (!c.joinBudget.take(c.o.clock.now())) return fail(ErrorCode.RATE_LIMITED, 'Too many people joining at once: try again in a few seconds.');
    // A student arriving at a full node takes the seat of the newest server bot.
    if (roster.counts().students >= this.studentSeats()) {
      const bot = [...roster.values()].filter((b) => b.serverBot).at(-1);
      if (bot) {
        this.dropBot(bot);
        this.#framing.invalidateStandings();
        c.metaChanged();
      }
    }
    const { students, spectators } = roster.counts();
    const hasPod = students < c.o.podSlots;
    if (!hasPod && spectators >= c.limits.maxSpectators) return fail(ErrorCode.ROOM_FULL, 'This session is full: every pod is taken and so is every spectator seat.');
    const slot = hasPod ? slotForNickname(check.nickname, (s) => this.slotTaken(s)) : null;
    const p: Participant = {
      id: roster.newId(),
      nickname: check.nickname,
      key,
      role: hasPod ? 'student' : 'spectator',
      slot,
      token: newSecret(),
      bot: req.bot ?? false,
      conns: new Set(),
      lastPodName: null,
    };
    roster.add(p);
    this.recordSeat(p);
    this.#addConn(conn, { role: p.role, participant: p });
    c.log.info({ room: c.code, participant: p.id, role: p.role, slot }, 'participant joined');
    c.participantsChanged();
    return ok(this.#joinResult(conn, p.role, p.id, p, false));
  }

  #claim(conn: string, p: Participant): Ack<JoinResult> {
    const c = this.#c;
    c.roster.claim(p, newSecret());
    this.recordSeat(p, {}, false);
    this.#addConn(conn, { role: p.role, participant: p });
    c.log.info({ room: c.code, participant: p.id, slot: p.slot }, 'seat taken back');
    c.participantsChanged();
    return ok(this.#joinResult(conn, p.role, p.id, p, true));
  }

  /**
   * A seat of the moment a continued session starts from: a server bot plays on at once; a student's pod waits for
   * them to take it back (by name, or the teacher's assignment). Its pod is already in the state.
   */
  offer(seat: ContinuedSeat): void {
    const c = this.#c;
    const roster = c.roster;
    const key = nicknameKey(seat.name);
    if (roster.nameInUse(key) || roster.hasSlot(seat.slot) || !activePod(c.state, seat.slot)) return;
    const bot = seat.strategy !== null;
    const p: Participant = { id: roster.newId(), nickname: seat.name, key, role: 'student', slot: seat.slot, token: '', bot, conns: new Set(), lastPodName: null, waiting: !bot };
    roster.add(p);
    if (seat.strategy) this.#seatBot(p, seat.strategy);
    this.recordSeat(p, seat.strategy ? { strategy: seat.strategy } : { waiting: true }, false);
  }

  #seatBot(p: Participant, strategy: StrategyName): void {
    const c = this.#c;
    p.waiting = false;
    p.bot = true;
    p.serverBot = true;
    p.strategy = strategy;
    if (p.slot && !c.game.isBot(p.slot)) c.game.addBot(strategy, p.slot, botSeed(c.o.seed, p.id));
  }

  /** The teacher gives a waiting pod to someone who joined under another name (their own new pod is removed). */
  assign(slot: string, participantId: string): Ack<{ slot: string; participant: string }> {
    const c = this.#c;
    const roster = c.roster;
    if (c.status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    const seat = roster.bySlot(slot);
    if (!seat?.waiting) return fail(ErrorCode.BAD_REQUEST, `No pod "${slot}" is waiting for its student.`);
    const to = roster.get(participantId);
    if (!to || to.waiting || to.serverBot) return fail(ErrorCode.BAD_REQUEST, 'Pick a student who has joined.');
    if (to.slot) {
      // Their own pod goes: one pod per student, and the one they take back has the moment's history.
      this.#intake.enqueueRecorded('host', { type: 'remove_pod', pod: to.slot });
    }
    this.#journal.hostAction('seat_removed', { participant: seat.id, slot, to: to.id });
    roster.drop(seat);
    roster.moveSlot(to, slot);
    // A spectator given a seat: their connections are a student's from now on (their own frame, not the spectators').
    for (const conn of to.conns) {
      const info = c.conns.get(conn);
      if (info?.role !== 'spectator') continue;
      info.role = 'student';
      c.spectatorConns.delete(conn);
    }
    this.recordSeat(to, {}, false);
    for (const conn of to.conns) c.port.send(conn, 'state:snapshot', this.#framing.snapshotFor(conn));
    this.#framing.invalidateStandings();
    c.participantsChanged();
    c.metaChanged();
    return ok({ slot, participant: to.id });
  }

  /** Pods nobody took back: handed to server bots (a strategy, or a mix) or removed, as the teacher chooses. */
  release(mode: 'bots' | 'remove', strategy: StrategyName | 'mixed' = 'mixed'): Ack<{ released: number }> {
    const c = this.#c;
    if (c.status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    const waiting = c.roster.waiting();
    const plan = fillPlan(strategy, waiting.length);
    waiting.forEach((p, i) => {
      if (mode === 'bots') {
        this.#seatBot(p, plan[i]!);
        this.recordSeat(p, { strategy: plan[i]! }, false);
      } else {
        if (p.slot) this.#intake.enqueueRecorded('host', { type: 'remove_pod', pod: p.slot });
        this.#journal.hostAction('seat_removed', { participant: p.id, slot: p.slot });
        c.roster.drop(p);
      }
    });
    if (waiting.length) {
      this.#framing.invalidateStandings();
      c.participantsChanged();
      c.metaChanged();
    }
    return ok({ released: waiting.length });
  }

  /** Re-bind a connection restored by socket.io's connection state recovery. False when the participant is gone. */
  reattach(conn: string, participantId: string, role: Role): boolean {
    if (role === 'host' || role === 'presenter') {
      this.#addConn(conn, { role, participant: null });
      return true;
    }
    const p = this.#c.roster.get(participantId);
    if (!p) return false;
    this.#addConn(conn, { role: p.role, participant: p });
    this.#c.participantsChanged();
    return true;
  }

  suggestName(random: () => number): string {
    const roster = this.#c.roster;
    return suggestNickname(random, (name) => roster.nameInUse(nicknameKey(name)) || roster.isBannedName(nicknameKey(name)));
  }

  /** A connection closed. The participant keeps their pod, name and token. */
  detach(conn: string): void {
    const c = this.#c;
    const info = c.conns.get(conn);
    if (!info) return;
    c.conns.delete(conn);
    c.viewerConns.delete(conn);
    c.spectatorConns.delete(conn);
    c.touch();
    if (info.participant) {
      info.participant.conns.delete(conn);
      c.participantsChanged();
    }
  }

  /** Tell a participant's connections why, then close them (kick, ban). */
  remove(p: Participant, reason: 'kicked' | 'banned', message: string): void {
    const c = this.#c;
    for (const conn of [...p.conns]) {
      c.port.send(conn, 'participant:removed', { reason, message });
      this.detach(conn);
      c.port.disconnect(conn);
    }
    c.participantsChanged();
  }

  #addConn(conn: string, info: ConnInfo): void {
    const c = this.#c;
    c.everJoined = true;
    c.conns.set(conn, info);
    c.touch();
    const port = c.port;
    port.join(conn, c.channels.all);
    if (info.role === 'host' || info.role === 'presenter') {
      port.join(conn, c.channels.viewers);
      c.viewerConns.add(conn);
    }
    if (info.role === 'host') port.join(conn, c.channels.hosts);
    if (info.role === 'presenter') port.join(conn, c.channels.presenters);
    if (info.role === 'spectator') c.spectatorConns.add(conn);
    if (info.role === 'student' || info.role === 'spectator') port.join(conn, c.channels.players);
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
      snapshot: this.#framing.snapshotFor(conn),
      rejoined,
    };
  }

  /** Student pods the node can hold: the pod slots, and what the node can schedule by request. */
  studentSeats(): number {
    const c = this.#c;
    return Math.min(c.o.podSlots, studentSeatsOnNode(c.o.scenario, c.state, (slot) => c.roster.hasSlot(slot)));
  }

  /**
   * A server bot leaves (a student takes its seat, or the host removed the bots): it stops playing, its pod is
   * deleted (a recorded command), its name is free. The journal notes it, so a resume does not seat it again.
   */
  dropBot(p: Participant): void {
    const c = this.#c;
    this.#journal.hostAction('bot_leave', { participant: p.id, slot: p.slot });
    c.roster.remove(p);
    if (!p.slot) return;
    c.game.removeBot(p.slot);
    if (activePod(c.state, p.slot) || this.#intake.queuesPodFor(p.slot)) void this.#intake.record('host', { type: 'remove_pod', pod: p.slot });
  }

  /** A slot is taken once a participant holds it, a pod carries it, or a queued command adds its pod. */
  slotTaken(slot: string): boolean {
    return this.#c.roster.hasSlot(slot) || this.#c.state.pods.some((p) => p.slot === slot) || this.#intake.queuesPodFor(slot);
  }

  /**
   * Record a seat and queue its pod. The join action names the seat (replay labels) and carries a hash of the
   * session token, never the token, so a resumed session can give the student their pod back.
   */
  recordSeat(p: Participant, extra: Record<string, unknown> = {}, withPod = true): void {
    this.#journal.hostAction('join', {
      participant: p.id,
      role: p.role,
      slot: p.slot,
      bot: p.bot,
      name: p.nickname,
      ...(p.token ? { tokenSha256: secretHash(p.token) } : {}),
      ...extra,
    });
    if (p.slot && withPod) this.#intake.enqueueRecorded(p.id, { type: 'add_pod', pod: studentPodTemplate(this.#c.o.scenario, p.slot) });
  }

  /** A seat of the interrupted session: a student waits for their token; a server bot plays on at once. */
  reseat(seat: ResumedSeat): void {
    const c = this.#c;
    // A continued session's seat that was still waiting for its student when the server stopped waits again.
    if (!seat.tokenSha256 && seat.detail['waiting'] === true && seat.slot && seat.name) {
      this.offer({ slot: seat.slot, name: seat.name, strategy: null });
      return;
    }
    const p = c.roster.seatResumed(seat);
    const strategy = seat.detail['strategy'];
    if (!p?.slot || !p.bot || typeof strategy !== 'string' || !isStrategy(strategy)) return;
    p.serverBot = true;
    p.strategy = strategy;
    // The restored game already has it, with the plan it had reached; otherwise it starts its plan again.
    if (!c.game.isBot(p.slot)) c.game.addBot(strategy, p.slot, botSeed(c.o.seed, p.id));
  }
}
