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
  /** Action lines not yet on disk: the sender's ack waits for them (see `settled`). */
  readonly #unsettled = new Set<Promise<void>>();

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
    const line = c.recorder.hostAction({ tick: c.state.tick, action, ...(detail ? { detail } : {}) }).catch((e: unknown) => {
      c.log.warn({ room: c.code, err: e }, 'recording an action failed');
    });
    this.#unsettled.add(line);
    void line.finally(() => this.#unsettled.delete(line));
  }

  /**
   * Resolves once every action recorded so far is on disk (or could not be: logged), or after `capMs` — a disk that
   * filled up meanwhile holds the room and tells the host; the ack need not wait for the space.
   */
  settled(capMs = 2000): Promise<void> {
    if (this.#unsettled.size === 0) return Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs)));
    return Promise.race([Promise.all([...this.#unsettled]).then(() => {}), cap]).finally(() => clearTimeout(timer));
  }

  /** A command queued for the next tick; resolves with the tick it is applied at, once its line is durable. */
  command(by: string, command: Command, dropOnFault = false): Promise<number> {
    return this.#c.recorder.command({ by, command, dropOnFault });
  }

  /** A command the server issued itself: recorded, failures logged. */
  commandUnawaited(by: string, command: Command): void {
    this.command(by, command).catch((e: unknown) => {
      this.#c.log.warn({ room: this.#c.code, err: e }, 'recording a command failed');
    });
  }

  /**
   * A fresh recorder for `state` (default: the room's current simulation). Throws when its file cannot be created
   * (a full disk): callers build it before they change anything.
   */
  newRecorder(state = this.#c.state): RoomRecorder {
    const c = this.#c;
    const rec = c.o.recorders.create({
      code: c.code,
      scenario: c.o.scenario,
      seed: c.o.seed,
      // Only a hash of the host key: whoever resumes an interrupted session must hold the key itself.
      options: { speed: c.o.speed, lateJoin: c.o.lateJoin, podSlots: c.o.podSlots, hostKeySha256: secretHash(c.hostKey), ownerSha256: c.ownerHash },
      initialState: cloneState(state),
    });
    // A full disk: everyone sees the session hold, the host is told why; it carries on by itself once it can write.
    rec.watch((writable) => {
      if (rec !== c.recorder) return;
      if (writable) c.log.info({ room: c.code }, 'recording can be written again: the session carries on');
      else c.log.warn({ room: c.code }, 'recording cannot be written (disk full?): changes refused, clock held');
      c.metaChanged();
    });
    return rec;
  }
}
