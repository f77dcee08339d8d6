/** Recording and replay: the file format, its decoder, a streaming verifying replay, and seeking (pure, no I/O). */
export * from './format.ts';
export { decodeHeader, decodeBody } from './lines.ts';
export { ReplayMachine, replayText, type Divergence, type ReplayHooks } from './ReplayMachine.ts';
export {
  loadRecording,
  loadRecordingAsync,
  seek,
  stepReplay,
  commandsAt,
  nextMarker,
  type LoadedRecording,
  type Marker,
  type MarkerKind,
} from './loaded.ts';
export { RecordingWriter, type RecordingStart } from './writer.ts';
