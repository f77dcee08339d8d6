import type { ProtocolError } from '../../../shared/protocol/errors.ts';

/** Words for people, by stable code; the server's message is used when it is more specific. */
const TEXT = new Map<string, string>(Object.entries({
  SESSION_NOT_FOUND: 'No session has that code. Check the code on the projector.',
  ROOM_LOCKED: 'The teacher has locked this room. Ask them to unlock it.',
  LATE_JOIN_CLOSED: 'The session has started and the teacher is not taking late joins.',
  NAME_TAKEN: 'Someone here already has that name. Pick another one.',
  BANNED: 'The teacher removed you from this session.',
  SESSION_ENDED: 'This session has ended.',
  VERSION_MISMATCH: 'This page is out of date. Reload it.',
  RATE_LIMITED: 'Too many clicks at once. Wait a second and try again.',
  TOO_MANY_SESSIONS: 'The server is full right now. Try again in a minute.',
  SHUTTING_DOWN: 'The server is restarting. Try again in a minute.',
  RECORDING_UNAVAILABLE: 'The server cannot save the session right now (its disk is full). Your change was not made; try again in a moment.',
  ROOM_FAILED: 'This session stopped after a problem on the server. Your teacher can resume it.',
  BAD_PRESENTER_KEY:
    'This projector link is missing its key. Open the presenter from the host page (“Open presenter”).',
  ROOM_FULL: 'This session is full. Ask the teacher.',
}));

/** The sentence to show for a protocol error. */
export function errorText(e: ProtocolError): string {
  // Messages that carry specifics (a name, a limit) are better than the generic text.
  if (
    e.code === 'NAME_TAKEN' ||
    e.code === 'NAME_INVALID' ||
    e.code === 'COMMAND_REJECTED' ||
    e.code === 'BAD_REQUEST' ||
    e.code === 'BAD_SCENARIO' ||
    e.code === 'BAD_STATE'
  )
    return e.message;
  return TEXT.get(e.code) ?? e.message;
}
