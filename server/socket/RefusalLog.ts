import { dict, type Dict } from '../../shared/util/dict.ts';
import type { RoomLog } from '../room/port.ts';

/**
 * Refused client messages, logged as counts once per interval rather than a line each: one flooding client must
 * not be able to fill the disk with warnings (a line per message was ~1.8 GB an hour). Each flush names the
 * codes, the events and the busiest rooms and connections of the interval.
 */
export class RefusalLog {
  #codes = new Map<string, number>();
  #events = new Map<string, number>();
  #rooms = new Map<string, number>();
  #conns = new Map<string, number>();
  #disconnected = 0;
  #total = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly log: RoomLog,
    everyMs: number,
  ) {
    this.#timer = setInterval(() => this.flush(), everyMs);
    this.#timer.unref();
  }

  note(code: string, event: string, room: string | undefined, conn: string): void {
    this.#total++;
    bump(this.#codes, code);
    bump(this.#events, event);
    if (room) bump(this.#rooms, room);
    // At most a few hundred distinct connections per interval are kept by name; the rest are only counted.
    if (this.#conns.has(conn) || this.#conns.size < 256) bump(this.#conns, conn);
  }

  /** A repeat offender was disconnected. */
  noteDisconnect(): void {
    this.#disconnected++;
  }

  /** Write the interval's counts (nothing when nothing was refused). */
  flush(): void {
    if (this.#total === 0 && this.#disconnected === 0) return;
    this.log.warn(
      {
        refused: this.#total,
        codes: dict(this.#codes),
        events: top(this.#events, 10),
        rooms: top(this.#rooms, 5),
        connections: top(this.#conns, 5),
        offendersDisconnected: this.#disconnected,
      },
      'client messages refused',
    );
    this.#codes.clear();
    this.#events.clear();
    this.#rooms.clear();
    this.#conns.clear();
    this.#total = 0;
    this.#disconnected = 0;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.flush();
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** The `n` largest counts as a null-prototype object (keys are client-chosen strings). */
function top(m: Map<string, number>, n: number): Dict<number> {
  return dict([...m].sort((a, b) => b[1] - a[1]).slice(0, n));
}
