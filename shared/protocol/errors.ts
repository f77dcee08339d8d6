/**
 * Stable error codes a client may branch on. Messages are for people and may change; codes may not.
 * An object `as const`, not an enum, so the values are plain strings on the wire and in logs.
 */
export const ErrorCode = {
  /** The event name is not one the server knows. */
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  /** The payload failed its schema (wrong type, missing or extra field, out-of-range value, `__proto__` key). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The client speaks another PROTOCOL_VERSION: reload the page. */
  VERSION_MISMATCH: 'VERSION_MISMATCH',
  /** The connection's role may not send this event (a student sending a host action, a spectator a command). */
  FORBIDDEN: 'FORBIDDEN',
  /** The connection has not joined a session yet. */
  NOT_JOINED: 'NOT_JOINED',
  /** The connection has already joined a session: one session per connection. */
  ALREADY_JOINED: 'ALREADY_JOINED',
  /** Too many messages: slow down. Repeat offenders are disconnected. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** No session with that code (mistyped, or it ended and was cleaned up). */
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  /** The host key does not match. */
  BAD_HOST_KEY: 'BAD_HOST_KEY',
  /** The projector attached without the room's presenter key, or with a wrong one (open it from the host page). */
  BAD_PRESENTER_KEY: 'BAD_PRESENTER_KEY',
  /** The room holds as many spectators as it may (the pods are taken too). */
  ROOM_FULL: 'ROOM_FULL',
  /** The session token is unknown or no longer valid (the student joins afresh). */
  BAD_TOKEN: 'BAD_TOKEN',
  /** The teacher locked the room: no new students. */
  ROOM_LOCKED: 'ROOM_LOCKED',
  /** The session is running and the teacher refuses late joins. */
  LATE_JOIN_CLOSED: 'LATE_JOIN_CLOSED',
  /** The teacher banned this student from the session. */
  BANNED: 'BANNED',
  /** The nickname is empty, too long, or not allowed. */
  NAME_INVALID: 'NAME_INVALID',
  /** Someone in the room already uses that nickname. */
  NAME_TAKEN: 'NAME_TAKEN',
  /** A scenario file does not fit the scenario schema: `message` names the field (docs/scenarios.md). */
  BAD_SCENARIO: 'BAD_SCENARIO',
  /** The session has ended. */
  SESSION_ENDED: 'SESSION_ENDED',
  /** The action does not fit the session's status (pause while not running, start twice). */
  BAD_STATE: 'BAD_STATE',
  /** The simulation refused the command (a limit below usage, no such pod): `message` says why. */
  COMMAND_REJECTED: 'COMMAND_REJECTED',
  /** The server runs as many sessions as it is allowed to. */
  TOO_MANY_SESSIONS: 'TOO_MANY_SESSIONS',
  /** The server is shutting down. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /**
   * The session's recording cannot be written right now (the server's disk is full): the change was refused and
   * not applied. The session holds its clock and carries on by itself once the server can write again.
   */
  RECORDING_UNAVAILABLE: 'RECORDING_UNAVAILABLE',
  /** This session stopped after a fault on the server; its recording is kept (the teacher can resume it). */
  ROOM_FAILED: 'ROOM_FAILED',
  /** A bug on the server; the state is unchanged. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

/** Every acknowledgement: the data the event asked for, or a coded error with the state unchanged. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ProtocolError };

export function ok<T>(data: T): Ack<T> {
  return { ok: true, data };
}

export function fail(code: ErrorCode, message: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, message } };
}
