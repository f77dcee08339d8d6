import { ErrorCode, fail, ok, type Ack } from '../../shared/protocol/errors.ts';
import type { InjectKind } from '../../shared/protocol/schemas.ts';
import type { SessionMeta } from '../../shared/protocol/views.ts';
import { activePod } from '../../shared/sim/podLifecycle.ts';
import { roundLength } from '../game/roundScenarios.ts';
import type { CommandIntake } from './CommandIntake.ts';
import { injectionCommands } from './inject.ts';
import type { RoomCore } from './RoomCore.ts';
import type { RoomFraming } from './RoomFraming.ts';
import type { RoomJournal } from './RoomJournal.ts';
import type { RoomRounds } from './RoomRounds.ts';
import type { Seats } from './Seats.ts';

/** The teacher's controls of a session: start, pause, speed, lock, reset, end, kick, ban and injected events. */
export class HostControls {
  readonly #c: RoomCore;
  readonly #journal: RoomJournal;
  readonly #intake: CommandIntake;
  readonly #framing: RoomFraming;
  readonly #seats: Seats;
  readonly #rounds: RoomRounds;

  constructor(core: RoomCore, journal: RoomJournal, intake: CommandIntake, framing: RoomFraming, seats: Seats, rounds: RoomRounds) {
    this.#c = core;
    this.#journal = journal;
    this.#intake = intake;
    this.#framing = framing;
    this.#seats = seats;
    this.#rounds = rounds;
  }

  start(): Ack<SessionMeta> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    if (c.status !== 'lobby') return fail(ErrorCode.BAD_STATE, `The session is ${c.status}, not waiting to start.`);
    // A continued session: pods nobody took back go to bots now, unless the teacher removed them.
    this.#seats.release('bots');
    c.status = 'running';
    this.#journal.hostAction('start');
    // The session's start is round 1 on the session's scenario.
    const length = roundLength(c.o.scenario);
    if (c.game.startRound(c.o.scenario.name, length, c.state.tick, c.o.seed).ok) {
      this.#journal.hostAction('round_start', { round: c.game.lesson.roundNo, scenario: c.o.scenario.name, durationSec: length });
    }
    c.loop.start();
    this.#rounds.gameChanged();
    return ok(c.metaChanged());
  }

  pause(): Ack<SessionMeta> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    if (c.status !== 'running') return fail(ErrorCode.BAD_STATE, `The session is ${c.status}, not running.`);
    c.status = 'paused';
    c.loop.stop();
    this.#journal.hostAction('pause');
    return ok(c.metaChanged());
  }

  resume(): Ack<SessionMeta> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    if (c.status !== 'paused') return fail(ErrorCode.BAD_STATE, `The session is ${c.status}, not paused.`);
    c.status = 'running';
    this.#journal.hostAction('resume');
    c.loop.start();
    return ok(c.metaChanged());
  }

  setSpeed(speed: number): Ack<SessionMeta> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    c.loop.setSpeed(speed);
    this.#journal.hostAction('speed', { speed });
    return ok(c.metaChanged());
  }

  setLocked(locked: boolean): Ack<SessionMeta> {
    // After the end nothing more is written (the end line is the last): refused, not recorded after it.
    const no = this.#c.refusal();
    if (no) return no;
    this.#c.locked = locked;
    this.#journal.hostAction(locked ? 'lock' : 'unlock');
    return ok(this.#c.metaChanged());
  }

  setLateJoin(allowed: boolean): Ack<SessionMeta> {
    const no = this.#c.refusal();
    if (no) return no;
    this.#c.lateJoin = allowed;
    this.#journal.hostAction('late_join', { allowed });
    return ok(this.#c.metaChanged());
  }

  /** Back to tick 0 with the same students and pods; a new recording starts. */
  reset(): Ack<SessionMeta> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    // The new recording first: if its file cannot be created (a full disk) the reset is refused and nothing changed.
    const fresh = this.#rounds.prepareRebuild();
    if (!fresh.ok) return fresh;
    c.loop.stop();
    this.#journal.hostAction('reset');
    this.#rounds.rebuild(fresh.data);
    c.status = 'lobby';
    c.game.reset(c.state.tick);
    const m = c.metaChanged();
    this.#framing.sendSnapshots();
    return ok(m);
  }

  /** A fault in this room: it ends alone, with ROOM_FAILED to its participants and its recording kept. */
  async fail(e: unknown): Promise<void> {
    const c = this.#c;
    if (c.status === 'ended') return;
    c.log.error({ room: c.code, err: e }, 'room failed: ending this session alone');
    // Everything below is guarded on its own: a room already broken must still stop, tell and close.
    const attempt = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        c.log.error({ room: c.code, err }, `room failed: ${what} failed too`);
      }
    };
    c.status = 'ended';
    c.endedAt = c.o.clock.now();
    attempt('stopping the loop', () => c.loop.stop());
    attempt('refusing held commands', () => this.#intake.dropHeld());
    attempt('ending the game', () => c.game.end());
    attempt('recording the fault', () => this.#journal.hostAction('fault', { code: ErrorCode.ROOM_FAILED }));
    attempt('telling everyone', () => {
      c.metaChanged();
      c.port.broadcast(c.channels.all, 'session:ended', {
        reason: 'error',
        message: 'This session stopped after a problem on the server. Everything up to now is saved: your teacher can resume it from the recordings list.',
      });
    });
    // A shutdown-style end: the file lists as interrupted, readable and resumable from its last good tick.
    await c.recorder.end('shutdown').catch((err: unknown) => c.log.error({ room: c.code, err }, 'room failed: closing the recording failed'));
  }

  /** End for good: stop the loop, tell everyone, close the recording. */
  async end(reason: 'host' | 'shutdown' | 'idle'): Promise<Ack<SessionMeta>> {
    const c = this.#c;
    if (c.status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has already ended.');
    c.loop.stop();
    this.#intake.dropHeld();
    c.game.end();
    c.status = 'ended';
    c.endedAt = c.o.clock.now();
    c.closeRosterFeed();
    this.#journal.hostAction('end', { reason });
    const m = c.metaChanged();
    const message =
      reason === 'shutdown' ? 'The server is restarting. Your teacher can resume the session.' : reason === 'idle' ? 'The session ended after a long idle time.' : 'The teacher ended the session.';
    c.port.broadcast(c.channels.all, 'session:ended', { reason, message });
    try {
      await c.recorder.end(reason === 'shutdown' ? 'shutdown' : 'ended');
    } catch (e) {
      c.log.error({ room: c.code, err: e }, 'closing the recording failed');
    }
    return ok(m);
  }

  /** Disconnect a participant; they may rejoin with their token and find their pod. */
  kick(id: string): Ack<{ id: string }> {
    const no = this.#c.refusal();
    if (no) return no;
    const p = this.#c.roster.get(id);
    if (!p) return fail(ErrorCode.BAD_REQUEST, 'No participant with that id.');
    this.#journal.hostAction('kick', { participant: id });
    this.#seats.remove(p, 'kicked', 'The teacher removed you from the session. You can join again.');
    return ok({ id });
  }

  /** Remove a participant for good: their token and name are refused from now on, and their pod is deleted. */
  ban(id: string): Ack<{ id: string }> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    const p = c.roster.get(id);
    if (!p) return fail(ErrorCode.BAD_REQUEST, 'No participant with that id.');
    this.#journal.hostAction('ban', { participant: id });
    c.roster.ban(p);
    if (p.slot) {
      // The slot stays reserved (never reused) so a later student cannot inherit the banned student's pod history.
      const pod = activePod(c.state, p.slot);
      if (pod) void this.#intake.record('host', { type: 'remove_pod', pod: p.slot });
    }
    this.#seats.remove(p, 'banned', 'The teacher banned you from this session.');
    c.metaChanged();
    return ok({ id });
  }

  /** The host's scenario events: a 700 MB batch, a traffic spike, a noisy neighbour. */
  async inject(kind: InjectKind, slot: string | undefined): Promise<Ack<{ tick: number }>> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    if (c.status === 'lobby') return fail(ErrorCode.BAD_STATE, 'Start the session first.');
    if (slot !== undefined && !activePod(c.state, slot)) return fail(ErrorCode.COMMAND_REJECTED, `No pod named "${slot}".`);
    const targets = [...c.roster.slots()].filter((s) => activePod(c.state, s));
    const commands = injectionCommands(kind, slot, targets, (s) => this.#seats.slotTaken(s));
    if (commands.length === 0) return fail(ErrorCode.COMMAND_REJECTED, 'No pod to inject into.');
    this.#journal.hostAction('inject', { kind, ...(slot ? { slot } : {}) });
    let tick = c.state.tick + 1;
    for (const command of commands) {
      const r = await this.#intake.record('host', command);
      if (!r.ok) return r;
      tick = r.data.tick;
    }
    return ok({ tick });
  }
}
