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
 * (whose file-backed recorder fits this shape). Crash safety: `command` resolves only once the command is durable;
 * the room acks the client after that.
 */
export interface RoomRecorder {
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
  async command(): Promise<void> {}
  async hostAction(): Promise<void> {}
  afterTick(): void {}
  async end(): Promise<void> {}
  async discardIfUnused(): Promise<boolean> {
    return true;
  }
}

export const nullRecorderFactory: RecorderFactory = { create: () => new NoRecorder() };
