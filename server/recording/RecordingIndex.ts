import { readFile, rename, writeFile } from 'node:fs/promises';
import type { HeaderLine } from '../../shared/recording/format.ts';
import type { RecordingSummary } from '../../shared/recording/summary.ts';
import { ownerInHeader } from './ownership.ts';
import { headerParticipants } from './participation.ts';
import type { RecordingDir } from './RecordingDir.ts';

/** The index file beside each recording: rewritten (atomically, unsynced) as the session goes; the .ndjson is the truth. */
export interface Meta extends Omit<RecordingSummary, 'state' | 'bytes'> {
  state: 'live' | 'ended';
  /** Set once an interrupted recording's figures were read from its file (after a crash the index lags). */
  durable?: boolean;
  /**
   * SHA-256 of the key that owns it (the teacher key, or the host key of a session made without one); null: only
   * the operator. A live session's is in its header; an upload's in `<id>.owner` (an uploaded header proves nothing).
   */
  owner?: string | null;
}

/** A recording's index as its header and the ticks it spans describe it. */
export function metaFrom(
  h: HeaderLine,
  firstTick: number,
  lastTick: number,
  state: Meta['state'],
  source: Meta['source'],
  commands = 0,
): Meta {
  return {
    id: h.id,
    code: h.code,
    scenario: h.scenario.name,
    scenarioTitle: h.scenario.title ?? null,
    startedAt: h.startedAt,
    durationSec: (lastTick - firstTick) / 10,
    firstTick,
    lastTick,
    participants: headerParticipants(h).length,
    commands,
    state,
    source,
    origin: h.origin,
    owner: ownerInHeader(h),
  };
}

/**
 * The `<id>.meta.json` files. Writes are not awaited by the recorder's hot path, but shutdown and tests wait for
 * them (`settled`); so does other file work handed to `track`.
 */
export class RecordingIndex {
  readonly #dir: RecordingDir;
  readonly #pending = new Set<Promise<void>>();

  constructor(dir: RecordingDir) {
    this.#dir = dir;
  }

  /** A recording's index, or null when it has none (or an unreadable one). */
  read(id: string): Promise<Meta | null> {
    return readFile(this.#dir.metaFile(id), 'utf8')
      .then((t) => JSON.parse(t) as Meta)
      .catch(() => null);
  }

  async write(meta: Meta): Promise<void> {
    const file = this.#dir.metaFile(meta.id);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(meta));
      await rename(tmp, file);
    } catch {
      // The index is a cache: a listing rebuilds it from the recording itself.
    }
  }

  /** Write in the background (tracked). */
  queue(meta: Meta): void {
    this.track(this.write(meta));
  }

  /** File work that `settled()` (and so the app's close) waits for. */
  track(work: Promise<void>): void {
    const p: Promise<void> = work.finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** The work in flight now (not what starts later). */
  inFlight(): Promise<void>[] {
    return [...this.#pending];
  }

  /** Resolves once every write started so far has landed. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
