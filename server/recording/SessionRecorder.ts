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
 * Crash safety: `command` resolves only once the command is durable on disk; the room acks the client after that.
 */
export interface SessionRecorder {
  /** The recording's id on this server (the replay is at /replay/<id>), or null when nothing is kept on disk. */
  readonly id: string | null;
  command(entry: RecordedCommand): Promise<void>;
  hostAction(entry: RecordedHostAction): Promise<void>;
  /** Called by the room after every tick; the recorder decides when to keep a hash or a keyframe. */
  afterTick(state: SimState): void;
  end(reason: 'ended' | 'shutdown'): Promise<void>;
  /** The room replaced its simulation: end this recording, or drop it if no tick ever ran in it. True when dropped. */
  discardIfUnused(): Promise<boolean>;
}
