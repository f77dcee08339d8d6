import type { Scenario } from '../../shared/scenario/schema.ts';
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
 * What a room needs from whatever keeps its recording: the room's own port, so it never imports server/recording
 * (whose file-backed recorder fits this shape).
 *
 * - A command's line is in the file before the command is applied: the room calls `commit(tick)` before each tick
 *   and applies its queue only when it returns true (false: the file cannot be written now; the clock holds).
 * - `command` resolves with the tick it was recorded at, once the line is durable; the room acks after that.
 * - While `writable` is false (a full disk, or the recording is ending) new commands and actions would be refused:
 *   the room refuses them first, with a coded error, and tells everyone through `watch`.
 */
export interface RoomRecorder {
  /** The recording's id on this server (the replay is at /replay/<id>), or null when nothing is kept on disk. */
  readonly id: string | null;
  readonly writable: boolean;
  /**
   * Without `tick`: stamped with the tick about to run when its line is written. Resolves with that tick.
   * `dropOnFault`: refused (code RECORDING_UNAVAILABLE) if the write carrying it fails, instead of kept for the retry.
   */
  command(entry: Omit<RecordedCommand, 'tick'> & { tick?: number; dropOnFault?: boolean }): Promise<number>;
  hostAction(entry: RecordedHostAction): Promise<void>;
  /** Write what is queued (commands stamped `nextTick`); true when all of it is in the file. */
  commit(nextTick: number): boolean;
  /** Be told when `writable` changes because the file failed or recovered. */
  watch(listener: (writable: boolean) => void): void;
  /** Called by the room after every tick; the recorder decides when to keep a hash or a keyframe. */
  afterTick(state: SimState): void;
  end(reason: 'ended' | 'shutdown'): Promise<void>;
  /** The room replaced its simulation: end this recording, or drop it if no tick ever ran in it. True when dropped. */
  discardIfUnused(): Promise<boolean>;
}

/** What a room tells the recorder when a session (or a reset of it) starts. */
export interface RecorderStart {
  code: string;
  scenario: Scenario;
  seed: number;
  options?: Record<string, unknown>;
  initialState: SimState;
}

/** Makes the recorder for each session (server/recording's RecordingStore fits this shape). */
export interface RecorderFactory {
  create(start: RecorderStart): RoomRecorder;
}

/** A recorder that keeps nothing: the default when the server is built without recordings. */
class NoRecorder implements RoomRecorder {
  readonly id = null;
  readonly writable = true;
  #tick: number;
  constructor(startTick: number) {
    this.#tick = startTick;
  }
  async command(entry: { tick?: number }): Promise<number> {
    return entry.tick ?? this.#tick + 1;
  }
  async hostAction(): Promise<void> {}
  commit(): boolean {
    return true;
  }
  watch(): void {}
  afterTick(state: SimState): void {
    this.#tick = state.tick;
  }
  async end(): Promise<void> {}
  async discardIfUnused(): Promise<boolean> {
    return true;
  }
}

export const nullRecorderFactory: RecorderFactory = { create: (start) => new NoRecorder(start.initialState.tick) };
