import type { BodyLine } from '../../shared/recording/format.ts';
import { isDnsLabel, SLOT_MAX } from '../../shared/schemas/commands.ts';
import type { ResumedSeat } from '../room/participants.ts';

/**
 * What a resume reads back from the lines the room recorded, beyond the simulation: who was seated where (so a
 * returning student gets their pod back, by the hash of their token or by name) and whether the session was
 * running when the file stopped. The recording keeps host actions opaque; this reads the room's own vocabulary.
 * Hand `onLine` to RecordingStore.resume's watch, then read `seats` and `wasRunning`.
 */
export class ResumedSession {
  readonly #seats = new Map<string, ResumedSeat>();
  #running = false;

  readonly onLine = (l: BodyLine): void => {
    this.#running = runningAfter(l, this.#running);
    if (l.k !== 'a') return;
    const who = l.detail?.['participant'];
    if (typeof who !== 'string') return;
    // A seat given away or removed (a continued session's), or a bot that gave its seat away or was removed,
    // is not seated again.
    if (l.action === 'seat_removed' || l.action === 'bot_leave') this.#seats.delete(who);
    if (l.action !== 'join') return;
    const d = l.detail!;
    this.#seats.set(who, {
      id: who,
      slot: isDnsLabel(d['slot'], SLOT_MAX) ? d['slot'] : null,
      name: typeof d['name'] === 'string' ? d['name'] : null,
      tokenSha256: typeof d['tokenSha256'] === 'string' ? d['tokenSha256'] : null,
      detail: d,
    });
  };

  /** The seats to give back, from the join actions (the last one per participant wins). */
  get seats(): ResumedSeat[] {
    return [...this.#seats.values()];
  }

  /** The session was running (started, not paused) when the file stopped: a takeover runs it on. */
  get wasRunning(): boolean {
    return this.#running;
  }
}

/**
 * Whether the session runs after `line`, given whether it ran before (the room's status, as its host actions set
 * it): start, resume and a new round run it; a pause, a reset to the lobby, an end or a fault stop it, and so does a
 * resume marker — a session resumed by hand waits for its teacher's Resume, which is recorded.
 */
function runningAfter(line: BodyLine, ran: boolean): boolean {
  if (line.k === 'r' || line.k === 'e') return false;
  if (line.k !== 'a') return ran;
  if (line.action === 'start' || line.action === 'resume' || line.action === 'round_start') return true;
  if (line.action === 'pause' || line.action === 'reset' || line.action === 'end' || line.action === 'fault') return false;
  return ran;
}
