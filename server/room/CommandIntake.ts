import { ErrorCode, fail, ok, type Ack } from '../../shared/protocol/errors.ts';
import type { PodCommandBody } from '../../shared/schemas/commands.ts';
import { checkCommand } from '../../shared/sim/commandCheck.ts';
import type { Command } from '../../shared/sim/types.ts';
import { seededShuffle } from '../game/fairness.ts';
import type { RoomCore } from './RoomCore.ts';
import type { RoomJournal } from './RoomJournal.ts';

interface QueuedCommand {
  by: string;
  command: Command;
}

interface HeldCommand extends QueuedCommand {
  done: (a: Ack<{ tick: number }>) => void;
}

/**
 * How commands reach a room's simulation: checked against the state as it is, queued for the next tick in arrival
 * order, recorded before the sender's ack. During a round's fairness window they are held instead, then queued
 * together in a seeded shuffled order, so the fastest connection gets no head start.
 */
export class CommandIntake {
  readonly #c: RoomCore;
  readonly #journal: RoomJournal;
  #queue: QueuedCommand[] = [];
  #held: HeldCommand[] = [];

  constructor(core: RoomCore, journal: RoomJournal) {
    this.#c = core;
    this.#journal = journal;
  }

  /** Whether a command sent now would wait for the round's fairness window. */
  get holding(): boolean {
    return this.#c.game.holdsCommands(this.#c.state.tick);
  }

  /** A student's command for their own pod: validated, queued for the next tick, acked once recorded. */
  async podCommand(conn: string, body: PodCommandBody): Promise<Ack<{ tick: number }>> {
    const c = this.#c;
    const p = c.conns.get(conn)?.participant;
    if (!p || p.role !== 'student' || !p.slot) return fail(ErrorCode.FORBIDDEN, 'Only a student with a pod can send pod commands.');
    if (body.type === 'remove_pod') return fail(ErrorCode.FORBIDDEN, 'Students cannot delete their pod.');
    if (c.status === 'lobby') return fail(ErrorCode.BAD_STATE, 'The session has not started yet.');
    const no = c.refusal();
    if (no) return no;
    const command = { ...body, pod: p.slot } as Command;
    // Judged as the tick will judge it, on the live state (nothing is changed): a refusal is answered now.
    const checked = checkCommand(c.state, command);
    if (!checked.ok) return fail(ErrorCode.COMMAND_REJECTED, checked.error.message);
    if (this.holding) return new Promise((done) => this.#held.push({ by: p.id, command, done }));
    return this.record(p.id, command);
  }

  /**
   * Queue a command the server itself issues (a joining student's pod, a bot's move): recorded like any other, since
   * every command that reaches the simulation must be in the recording for the replay to match.
   */
  enqueueRecorded(by: string, command: Command): void {
    // Never applied without its line: a recording that cannot be written refuses it, so the room must not queue it.
    if (!this.#c.recorder.writable) {
      this.#c.log.warn({ room: this.#c.code, by, type: command.type }, 'a server command was dropped: the recording cannot be written');
      return;
    }
    this.#journal.commandUnawaited(by, command);
    this.#queue.push({ by, command });
  }

  /**
   * Queue a command and ack once the recorder has it durably, with the tick it was applied at. Its line is written
   * before the tick that applies it (the room commits first); while the recording cannot be written the command is
   * refused here and never queued.
   */
  async record(by: string, command: Command): Promise<Ack<{ tick: number }>> {
    const c = this.#c;
    const no = c.refusal();
    if (no) return no;
    const durable = this.#journal.command(by, command, true);
    const queued = { by, command };
    this.#queue.push(queued);
    c.touch();
    try {
      return ok({ tick: await durable });
    } catch (e) {
      // Refused by the recorder before it was written: the room never applies it. A full disk refuses it while the
      // clock is held (no tick ran since), so taking it out of the queue is enough.
      if ((e as { code?: unknown }).code === ErrorCode.RECORDING_UNAVAILABLE) {
        this.#queue = this.#queue.filter((q) => q !== queued);
        return c.refusal() ?? fail(ErrorCode.RECORDING_UNAVAILABLE, 'The server could not save your change, so it was not made. Try again.');
      }
      c.log.warn({ room: c.code, err: e }, 'recording a command failed');
      return c.status === 'ended'
        ? fail(ErrorCode.SESSION_ENDED, 'The session ended before your change applied.')
        : fail(ErrorCode.BAD_STATE, 'The round was restarted before your change applied.');
    }
  }

  /** Whether a queued command adds a pod in this slot (a slot is taken from the moment its pod is queued). */
  queuesPodFor(slot: string): boolean {
    return this.#queue.some((q) => q.command.type === 'add_pod' && q.command.pod.slot === slot);
  }

  /** The commands for the tick about to run, in order (the queue starts empty again). */
  takeBatch(): Command[] {
    const batch = this.#queue;
    this.#queue = [];
    return batch.map((q) => q.command);
  }

  /** Before a tick: once the fairness window has passed, queue what it held. */
  releaseIfDue(tick: number): void {
    if (this.#held.length && !this.#c.game.holdsCommands(tick)) this.releaseHeld();
  }

  /** The fairness window is over (or a question stopped the clock): queue and record the held commands, shuffled. */
  releaseHeld(): void {
    if (!this.#held.length) return;
    const held = seededShuffle(this.#held, this.#c.o.seed ^ this.#c.game.fairSeed);
    this.#held = [];
    for (const h of held) void this.record(h.by, h.command).then(h.done);
  }

  /** A new simulation or the end: held commands are refused, not applied to a state they were not meant for. */
  dropHeld(): void {
    for (const h of this.#held) h.done(fail(ErrorCode.BAD_STATE, 'The round was restarted before your change applied.'));
    this.#held = [];
  }

  /** A fresh simulation: nothing queued for the old one survives. */
  clear(): void {
    this.#queue = [];
  }
}
