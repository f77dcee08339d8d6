/** Stable error codes a room sees when a recording cannot keep its promise. */
export const RecorderErrorCode = {
  /** The recording has ended (its end line is written or being written): nothing more goes in. */
  RECORDING_CLOSED: 'RECORDING_CLOSED',
  /** The file cannot be written right now (a full disk): refused, not applied; the recorder retries by itself. */
  RECORDING_UNAVAILABLE: 'RECORDING_UNAVAILABLE',
  /** The recording was closed while this line still waited for the disk. */
  RECORDING_WRITE_FAILED: 'RECORDING_WRITE_FAILED',
  RECORDING_TICK_IN_PAST: 'RECORDING_TICK_IN_PAST',
} as const;

/** A recorder's refusal, with the code the room passes on to whoever sent the line. */
export class RecorderError extends Error {
  constructor(
    readonly code: (typeof RecorderErrorCode)[keyof typeof RecorderErrorCode],
    message: string,
  ) {
    super(message);
  }
}
