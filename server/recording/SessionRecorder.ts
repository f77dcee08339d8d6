import type { Command, SimState } from '../../shared/sim/types.ts';

/** One command as it entered the simulation: who sent it and the tick it was applied at. */
export interface RecordedCommand {
  tick: number;
  /** The participant id (student / host / bot / 'timeline'); never a secret such as a session token. */
  by: string;
  command: Command;
}

/** A host action that is not a simulation command (start, pause, speed, kick …), kept for the replay's markers. */
export interface RecordedHostAction {
  tick: number;
  action: string;
  detail?: Record<string, unknown>;
}

/**
 * The port a room writes its recording through (the room never touches files). Implemented in server/recording/.
 *
 * - A command's line is written before the command is applied: the room calls `commit(tick)` before each tick and
 *   applies its queue only when it returns true (false: the file cannot be written now; hold the tick).
 * - `command` resolves with the tick it was recorded at, once the line is on disk; the room acks after that.
 * - While `writable` is false (a full disk, or the recording has ended) new commands and actions are refused:
 *   the room refuses them too, with a coded error, and says so to the host (`watch`).
 */
export interface SessionRecorder {
  /** The recording's id on this server (the replay is at /replay/<id>), or null when nothing is kept on disk. */
  readonly id: string | null;
  readonly writable: boolean;
  /** Without `tick`: stamped with the tick about to run when it is written. Resolves with that tick. */
  command(entry: Omit<RecordedCommand, 'tick'> & { tick?: number; dropOnFault?: boolean }): Promise<number>;
  hostAction(entry: RecordedHostAction): Promise<void>;
  /** Write what is queued, commands stamped `nextTick`; true when all of it is in the file. */
  commit(nextTick: number): boolean;
  /** Told when `writable` changes because the file failed or recovered. */
  watch(listener: (writable: boolean) => void): void;
  /** Called by the room after every tick; the recorder decides when to keep a hash or a keyframe. */
  afterTick(state: SimState): void;
  end(reason: 'ended' | 'shutdown'): Promise<void>;
  /** The room replaced its simulation: end this recording, or drop it if no tick ever ran in it. True when dropped. */
  discardIfUnused(): Promise<boolean>;
}
