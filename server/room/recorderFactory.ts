import type { Scenario } from '../../shared/scenario/schema.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { NullRecorder } from '../recording/NullRecorder.ts';
import type { SessionRecorder } from '../recording/SessionRecorder.ts';

/** What a room tells the recorder when a session (or a reset of it) starts. */
export interface RecorderStart {
  code: string;
  scenario: Scenario;
  seed: number;
  options?: Record<string, unknown>;
  initialState: SimState;
}

/**
 * Makes the recorder for each session: server/recording's RecordingStore fits this shape (its `create` returns a
 * FileRecorder). The default keeps nothing on disk.
 */
export interface RecorderFactory {
  create(start: RecorderStart): SessionRecorder;
}

export const nullRecorderFactory: RecorderFactory = { create: () => new NullRecorder() };
