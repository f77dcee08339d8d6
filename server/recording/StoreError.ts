import type { RecordingError } from '../../shared/recording/format.ts';

/** A coded failure of a store operation; the routes map codes to HTTP statuses. */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly line?: number,
  ) {
    super(message);
  }
  static from(e: RecordingError, status = 422): StoreError {
    return new StoreError(e.code, e.message, status, e.line);
  }
}
