import { stat } from 'node:fs/promises';
import type { RecordingSummary } from '../../shared/recording/summary.ts';
import { readOwnerFile } from './ownership.ts';
import { headerParticipants, participantIn } from './participation.ts';
import type { RecordingDir } from './RecordingDir.ts';
import { metaFrom, type Meta, type RecordingIndex } from './RecordingIndex.ts';
import { replayFile } from './replayFile.ts';

/** A recording as listed, and who owns it (SHA-256 of their key; null: only the operator). */
export interface Listed {
  summary: RecordingSummary;
  owner: string | null;
}

/**
 * The recordings as the list shows them: each one's summary and owner, from its index when that can be trusted,
 * else from the file itself (after a crash the index lags; the scan's figures are then kept).
 */
export class RecordingCatalog {
  readonly #dir: RecordingDir;
  readonly #index: RecordingIndex;
  /** Whether this process is writing the recording now. */
  readonly #isLive: (id: string) => boolean;
  /** A recording this process is writing: its index as it stands (fresher than its file). */
  readonly #liveIndex: (id: string) => Meta | undefined;
  /** Recordings being deleted: gone from lists before their files are. */
  readonly #isGone: (id: string) => boolean;

  constructor(o: {
    dir: RecordingDir;
    index: RecordingIndex;
    isLive(id: string): boolean;
    liveIndex(id: string): Meta | undefined;
    isGone(id: string): boolean;
  }) {
    this.#dir = o.dir;
    this.#index = o.index;
    this.#isLive = o.isLive;
    this.#liveIndex = o.liveIndex;
    this.#isGone = o.isGone;
  }

  /** Every recording whose owner `mine` accepts, newest first. */
  async list(mine: (owner: string | null) => boolean): Promise<RecordingSummary[]> {
    const out: RecordingSummary[] = [];
    for (const id of await this.#dir.ids()) {
      const m = await this.find(id).catch(() => null);
      if (m && mine(m.owner)) out.push(m.summary);
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  }

  /** One recording's summary and owner, or null if there is none. */
  async find(id: string): Promise<Listed | null> {
    if (this.#isGone(id)) return null;
    const st = await stat(this.#dir.file(id)).catch(() => null);
    if (!st) return null;
    let meta = this.#liveIndex(id) ?? (await this.#index.read(id));
    if (!meta || (meta.state === 'live' && !this.#isLive(id) && !meta.durable)) {
      // No index, or one a crash left behind: read the truth from the file once, and keep it.
      const scanned = await this.#scan(id);
      if (!scanned) return null;
      meta = scanned;
      if (!this.#isLive(id)) {
        meta.durable = true;
        await this.#index.write(meta);
      }
    }
    const state = meta.state === 'ended' ? 'ended' : this.#isLive(id) ? 'live' : 'interrupted';
    const { durable: _d, owner, ...rest } = meta;
    return { summary: { ...rest, state, bytes: st.size }, owner: owner ?? null };
  }

  /** A recording's index, read from its file: what it holds up to its last whole line. */
  async #scan(id: string): Promise<Meta | null> {
    const people = new Set<string>();
    const { machine } = await replayFile(this.#dir.file(id), {
      onLine: (l) => {
        const who = participantIn(l);
        if (who !== null) people.add(who);
      },
    });
    for (const p of machine.header ? headerParticipants(machine.header) : []) people.add(p);
    const r = machine.finish();
    const h = machine.header;
    if (!r.ok && machine.firstTick < 0) return null;
    if (!h) return null;
    const meta = metaFrom(
      h,
      Math.max(machine.firstTick, 0),
      r.ok ? machine.lastTick : Math.max(machine.firstTick, 0),
      machine.end?.reason === 'ended' ? 'ended' : 'live',
      h.id === id ? 'live' : 'upload',
      machine.commandCount,
    );
    meta.id = id;
    meta.participants = people.size;
    // An upload's header names whoever recorded it; its owner is whoever uploaded it (`<id>.owner`). A file put
    // in the folder by hand is its operator's unless an `.owner` file says whose it is.
    const byFile = await readOwnerFile(this.#dir.ownerFile(id));
    if (byFile || h.id !== id) meta.owner = byFile;
    return meta;
  }
}
