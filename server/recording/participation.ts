import type { BodyLine, HeaderLine } from '../../shared/recording/format.ts';

/*
 * Who took part in a session, as its summary counts them. The recorder counts as lines go in, a scan counts from the
 * file after a crash: both read the SessionRecorder port's conventions here, so the two counts cannot drift.
 */

/** The sender of a command, unless it is the host or the timeline (they play no pod). */
export function commandSender(by: string): string | null {
  return by !== 'host' && by !== 'timeline' ? by : null;
}

/** The participant a `join` host action seated, if it is one. */
export function joinedParticipant(action: string, detail: Record<string, unknown> | undefined): string | null {
  const who = detail?.['participant'];
  return action === 'join' && typeof who === 'string' ? who : null;
}

/** The participants a recording starts with (the header's, but the host). */
export function headerParticipants(h: HeaderLine): string[] {
  return h.participants.filter((p) => p.role !== 'host').map((p) => p.id);
}

/** The participant a body line shows taking part, if any. */
export function participantIn(l: BodyLine): string | null {
  if (l.k === 'c') return commandSender(l.by);
  if (l.k === 'a') return joinedParticipant(l.action, l.detail);
  return null;
}
