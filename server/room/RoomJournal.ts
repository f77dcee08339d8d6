import { cloneState } from '../../shared/sim/clone.ts';
import type { Command } from '../../shared/sim/types.ts';
import { secretHash } from '../util/secrets.ts';
import type { RoomCore } from './RoomCore.ts';
import type { RoomRecorder } from './recorderPort.ts';

/**
 * What a room writes to its recording: commands, host actions and the start of each simulation. Writes that need no
 * answer are fire-and-forget with a log line on failure; `command` is awaited by whoever acks the sender.
 */
export class RoomJournal {
  readonly #c: RoomCore;

  constructor(core: RoomCore) {
    this.#c = core;
  }

  /** A host action: recorded and logged. */
  hostAction(action: string, detail?: Record<string, unknown>): void {
    this.recordAction(action, detail);
    this.#c.log.info({ room: this.#c.code, action, ...detail }, 'host action');
  }

  /** An action line in the recording (not logged: answers come by the hundred). */
  recordAction(action: string, detail?: Record<string, unknown>): void {
    const c = this.#c;
    c.touch();
    c.recorder.hostAction({ tick: c.state.tick, action, ...(detail ? { detail } : {}) }).catch((e: unknown) => {
      c.log.error({ room: c.code, err: e }, 'recording an action failed');
    });
  }

  /** A command that entered the queue for `tick`; resolves once it is durable. */
  command(tick: number, by: string, command: Command): Promise<void> {
    return this.#c.recorder.command({ tick, by, command });
  }

  /** A command the server issued itself: recorded, failures logged. */
  commandUnawaited(tick: number, by: string, command: Command): void {
    this.command(tick, by, command).catch((e: unknown) => {
      this.#c.log.error({ room: this.#c.code, err: e }, 'recording a command failed');
    });
  }

  /** A fresh recorder for the room's current simulation. */
  newRecorder(): RoomRecorder {
    const c = this.#c;
    return c.o.recorders.create({
      code: c.code,
      scenario: c.o.scenario,
      seed: c.o.seed,
      // Only a hash of the host key: whoever resumes an interrupted session must hold the key itself.
      options: { speed: c.o.speed, lateJoin: c.o.lateJoin, podSlots: c.o.podSlots, hostKeySha256: secretHash(c.hostKey) },
      initialState: cloneState(c.state),
    });
  }
}
