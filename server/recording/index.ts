/** Recording on the server: the file-backed recorder (it fits the room's RoomRecorder port), its store and routes. It knows neither the game nor rooms (server/sessions/ joins them). */
import { RecordingStore, type StoreOptions } from './RecordingStore.ts';

export {
  RecordingStore,
  StoreError,
  RECORDING_ID,
  type RecordingSummary,
  type ReplayWatch,
  type ResumeAuth,
  type StoreOptions,
} from './RecordingStore.ts';
export { FileRecorder, RecorderError, RecorderErrorCode } from './FileRecorder.ts';
export { recordingRoutes, type RecordingRoutesOptions, type StartedSession } from './routes.ts';
export type { RecordedCommand, RecordedHostAction, SessionRecorder } from './SessionRecorder.ts';

/**
 * The recorder factory the app is built with: `factory.create({ code, scenario, seed, initialState, participants })`
 * returns the room's SessionRecorder. Recordings live in `<dataDir>/recordings/`.
 */
export function createFileRecorderFactory(o: StoreOptions): RecordingStore {
  return new RecordingStore(o);
}
