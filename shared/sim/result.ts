/** Stable error codes: clients branch on the code, people read the message. */
export const SimErrorCode = {
  UNKNOWN_POD: 'UNKNOWN_POD',
  DUPLICATE_POD: 'DUPLICATE_POD',
  INVALID_VALUE: 'INVALID_VALUE',
  LIMIT_BELOW_REQUEST: 'LIMIT_BELOW_REQUEST',
  LIMIT_BELOW_USAGE: 'LIMIT_BELOW_USAGE',
  POD_NOT_RUNNING: 'POD_NOT_RUNNING',
  CHANGE_IN_PROGRESS: 'CHANGE_IN_PROGRESS',
  NOTHING_TO_CHANGE: 'NOTHING_TO_CHANGE',
} as const;
export type SimErrorCode = (typeof SimErrorCode)[keyof typeof SimErrorCode];

export interface SimError {
  code: SimErrorCode;
  message: string;
}

/** Reducers return errors instead of throwing: bad input changes nothing and says why. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: SimError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}
export function fail<T = never>(code: SimErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
