/** Recording on the server: the file-backed recorder behind the SessionRecorder port, its store, and its routes. */
import { RecordingStore, type StoreOptions } from './RecordingStore.ts';

export {
  RecordingStore,
  StoreError,
  RECORDING_ID,
  type RecordingSummary,
  type ResumedParticipant,
  type StoreOptions,
} from './RecordingStore.ts';
export { FileRecorder, RecorderError, RecorderErrorCode } from './FileRecorder.ts';
export { recordingSessionHooks, type SessionRooms } from './sessionHooks.ts';
export { recordingRoutes, type RecordingRoutesOptions, type StartedSession } from './routes.ts';
export type { RecordedCommand, RecordedHostAction, SessionRecorder } from './SessionRecorder.ts';

/**
 * The recorder factory the app is built with: `factory.create({ code, scenario, seed, initialState, participants })`
 * returns the room's SessionRecorder. Recordings live in `<dataDir>/recordings/`.
 */
export function createFileRecorderFactory(o: StoreOptions): RecordingStore {
  return new RecordingStore(o);
}
