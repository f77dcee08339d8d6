import { fsyncSync, openSync, unlinkSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Divergence } from '../../shared/recording/ReplayMachine.ts';
import type { RecordingSummary } from '../../shared/recording/summary.ts';
import { RecordingWriter, type RecordingStart } from '../../shared/recording/writer.ts';
import { cloneState } from '../../shared/sim/clone.ts';
import { anonymiseRecording } from './anonymise.ts';
import { FileRecorder, type RecorderObserver } from './FileRecorder.ts';
import { RecorderErrorCode } from './RecorderError.ts';
import { RecordingCatalog } from './RecordingCatalog.ts';
import { RecordingDir } from './RecordingDir.ts';
import { Journal } from './journal/Journal.ts';
import { recoverJournals, type JournalRecovery } from './journal/recoverJournals.ts';
import { closeQuietly, journaledFile, writeAll } from './RecordingFile.ts';
import { metaFrom, RecordingIndex, type Meta } from './RecordingIndex.ts';
import { replayWhole, stateAtTick, type ReadState, type ReplayWatch } from './readRecording.ts';
import { reopenInterrupted, type ResumeAuth } from './reopenInterrupted.ts';
import { ShareLinks, type ShareAccess } from './ShareLinks.ts';
import { StoreError } from './StoreError.ts';
import { storeUpload } from './uploadRecording.ts';

/**
 * A live recording's index file is rewritten at most this often (and when it closes). Lists in this process take a
 * live recording's figures from memory; another process, or the next start after a crash, reads the file (and, for
 * a recording nobody is writing any more, the recording itself). A write every 5 s a room cost a thread-pool round
 * trip for each of its four file operations: about 0.6 ms of CPU, 4 a second in a fleet of 20 rooms.
 */
export const INDEX_WRITE_EVERY_MS = 60_000;

export type { RecordingSummary, ReplayWatch, ResumeAuth };
export { StoreError };
export { RECORDING_ID } from './RecordingDir.ts';
export { MAX_ACTION_DETAIL_BYTES } from './uploadRecording.ts';

export interface StoreOptions {
  dataDir: string;
  now?: () => Date;
  /** Uploads larger than this are refused (bytes). */
  maxUploadBytes?: number;
  /** What one owner's uploads may hold in all (bytes). */
  uploadQuotaBytes?: number;
}

/**
 * The recordings in DATA_DIR/recordings: one append-only `<id>.ndjson` per session and a small `<id>.meta.json`
 * index. Knows which recordings this process is writing (live); any other without an end line is interrupted.
 * Never loads a whole recording: reading is streamed line by line through ReplayMachine. It only composes: the
 * folder (RecordingDir), the index files (RecordingIndex), listing (RecordingCatalog), uploads, share links,
 * reading and resuming each live in their own file.
 */
export class RecordingStore {
  readonly dir: string;
  readonly maxUploadBytes: number;
  readonly uploadQuotaBytes: number;
  readonly #files: RecordingDir;
  readonly #index: RecordingIndex;
  readonly #catalog: RecordingCatalog;
  readonly #share: ShareLinks;
  readonly #now: () => Date;
  readonly #live = new Map<string, FileRecorder>();
  /** Each live recording's index as it stands now (lists read it here; the file is written at most every minute). */
  readonly #liveMeta = new Map<string, Meta>();
  readonly #resuming = new Set<string>();
  /** Recordings being deleted: gone from lists and downloads before their files are. */
  readonly #discarded = new Set<string>();
  /** What every live recording's lines are made durable through (RF3). */
  readonly #journal: Journal;
  readonly #journalDir: string;
  /** What start-up recovery wrote back from journals an unclean stop left. */
  readonly recovered: JournalRecovery;

  constructor(o: StoreOptions) {
    this.#files = new RecordingDir(o.dataDir);
    this.dir = this.#files.path;
    this.#now = o.now ?? (() => new Date());
    this.maxUploadBytes = o.maxUploadBytes ?? 32 * 1024 * 1024;
    this.uploadQuotaBytes = o.uploadQuotaBytes ?? 128 * 1024 * 1024;
    this.#index = new RecordingIndex(this.#files);
    this.#catalog = new RecordingCatalog({
      dir: this.#files,
      index: this.#index,
      isLive: (id) => this.isLive(id),
      liveIndex: (id) => this.#liveMeta.get(id),
      isGone: (id) => this.#discarded.has(id),
    });
    this.#share = new ShareLinks(this.#files.shareSecretFile);
    this.#journalDir = join(o.dataDir, 'journal');
    this.#journal = new Journal({ dir: this.#journalDir });
    // Before any recording is opened (a resume cuts a torn tail: the journal may hold the lines that belong there).
    this.recovered = recoverJournals(this.#journalDir, this.#files.path);
  }

  file(id: string): string {
    return this.#files.file(id);
  }

  /** Write out what a live recording holds in memory (its last second or so), so readers see up to now. */
  async flush(id: string): Promise<void> {
    await this.#live
      .get(id)
      ?.flush()
      .catch(() => {});
  }

  isLive(id: string): boolean {
    return this.#live.has(id);
  }

  /**
   * Start recording a session. Synchronous (a room is built synchronously): the header and first keyframe are
   * written and synced before it returns, so even a session killed at once leaves a replayable file.
   */
  create(start: Omit<RecordingStart, 'id' | 'startedAt'> & { id?: string; startedAt?: string }): FileRecorder {
    const now = this.#now();
    const id = start.id ?? this.#files.newId(now);
    const writer = new RecordingWriter({ ...start, id, startedAt: start.startedAt ?? now.toISOString() });
    const file = this.file(id);
    let fd = -1;
    try {
      fd = openSync(file, 'wx');
      writeAll(fd, writer.begin());
      fsyncSync(fd);
    } catch (e) {
      // A full disk leaves no empty or half-written file behind: the session is refused with a coded error.
      if (fd >= 0) {
        closeQuietly(fd);
        try {
          unlinkSync(file);
        } catch {
          // nothing to remove
        }
      }
      throw new StoreError(
        RecorderErrorCode.RECORDING_UNAVAILABLE,
        `The session's recording cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'}): free some disk space on the server and try again.`,
        507,
      );
    }
    const tick = start.initialState.tick;
    return this.#open(id, fd, writer, metaFrom(writer.header, tick, tick, 'live', 'live'));
  }

  /** A recorder appending to `fd`, whose progress keeps the index up to date. */
  #open(id: string, fd: number, writer: RecordingWriter, meta: Meta, resumed = false): FileRecorder {
    this.#index.queue(meta);
    this.#liveMeta.set(id, meta);
    let written = this.#now().getTime();
    const progressed = (p: { lastTick: number; commands: number; participants: ReadonlySet<string> }) =>
      Object.assign(meta, {
        lastTick: p.lastTick,
        commands: p.commands,
        participants: p.participants.size,
        durationSec: (p.lastTick - meta.firstTick) / 10,
      });
    const observer: RecorderObserver = {
      onProgress: (p) => {
        progressed(p);
        // Lists here read the figures from memory; the file is for other processes and the next start.
        const now = this.#now().getTime();
        if (now - written < INDEX_WRITE_EVERY_MS) return;
        written = now;
        this.#index.queue(meta);
      },
      onClose: (p) => {
        this.#live.delete(id);
        this.#liveMeta.delete(id);
        progressed(p);
        // A server shutdown leaves the session resumable (listed as interrupted), as a crash would.
        meta.state = p.reason === 'ended' ? 'ended' : 'live';
        this.#index.queue(meta);
      },
      onDiscard: () => {
        this.#discarded.add(id); // gone from lists and downloads now, before the files are
        this.#live.delete(id);
        this.#liveMeta.delete(id);
        // After the index writes already started for it, so none lands after the delete.
        const before = this.#index.inFlight();
        this.#index.track(
          (async () => {
            await Promise.allSettled(before);
            await rm(this.file(id), { force: true });
            await rm(this.#files.metaFile(id), { force: true });
            await this.#journal.drain(); // its lines go from the journal too
          })()
            .catch(() => {}) // a leftover empty file is harmless: it lists as a 0:00 recording
            .finally(() => this.#discarded.delete(id)), // the id may be given again once its file is gone
        );
      },
    };
    const rec = new FileRecorder({ id, file: journaledFile(fd, id, this.#journal), writer, observer, now: this.#now, resumed });
    this.#live.set(id, rec);
    return rec;
  }

  /**
   * Every recording whose owner `mine` accepts (default: all), newest first. Interrupted ones are checked against
   * their file (the index may lag).
   */
  list(mine: (owner: string | null) => boolean = () => true): Promise<RecordingSummary[]> {
    return this.#catalog.list(mine);
  }

  /** One recording's summary, or null if there is none. */
  async summary(id: string): Promise<RecordingSummary | null> {
    return (await this.#catalog.find(id))?.summary ?? null;
  }

  /** SHA-256 of the key that owns a recording (null: nobody but the operator); undefined when there is no such recording. */
  async ownerOf(id: string): Promise<string | null | undefined> {
    const m = await this.#catalog.find(id);
    return m ? m.owner : undefined;
  }

  /**
   * Resume an interrupted session: replay its file to where it stopped (verifying it), cut a torn last line,
   * mark the resume, and keep appending. The room restarts from `state` with the same code; what else it needs
   * from the file (its seats, whether it was running) it reads through `watch`.
   */
  async resume(
    id: string,
    auth: ResumeAuth = {},
    watch: ReplayWatch = {},
  ): Promise<ReadState & { recorder: FileRecorder; divergence: Divergence | null }> {
    if (this.isLive(id) || this.#resuming.has(id))
      throw new StoreError('RECORDING_LIVE', `session ${id} is running: nothing to resume`, 409);
    const file = this.#files.existing(id);
    this.#resuming.add(id);
    try {
      // Its writer may have been another process (a cluster's takeover): what that one journaled comes back first.
      recoverJournals(this.#journalDir, this.#files.path, id);
      const r = await reopenInterrupted(file, id, auth, watch, this.#now);
      const meta = metaFrom(r.header, r.firstTick, r.state.tick, 'live', 'live', r.commandCount);
      const recorder = this.#open(id, r.fd, r.writer, meta, true);
      return { header: r.header, state: cloneState(r.state), recorder, divergence: r.divergence };
    } finally {
      this.#resuming.delete(id);
    }
  }

  /** Replay a whole recording (a live one up to now), telling `watch` every action and tick: its last state. */
  async replay(id: string, watch: ReplayWatch): Promise<ReadState> {
    const file = this.#files.existing(id);
    await this.flush(id);
    return replayWhole(file, watch);
  }

  /**
   * The state after tick `tick` of a recording ("continue from here"), replayed and verified up to there; `watch`
   * hears the action lines up to that tick.
   */
  async stateAt(id: string, tick: number, watch: Pick<ReplayWatch, 'onAction'> = {}): Promise<ReadState> {
    const file = this.#files.existing(id);
    await this.flush(id);
    return stateAtTick(file, id, tick, watch);
  }

  /**
   * Store an uploaded recording, checked line by line and hash by hash as it streams in; the owner's earlier
   * uploads count against their quota. A bad or too large file is refused with a coded error and leaves nothing.
   */
  async upload(body: Readable, owner: string): Promise<RecordingSummary> {
    let usedBytes = 0;
    for (const r of await this.list((o) => o === owner)) if (r.source === 'upload') usedBytes += r.bytes;
    return storeUpload(body, owner, {
      dir: this.#files,
      index: this.#index,
      now: this.#now,
      limits: { maxBytes: this.maxUploadBytes, quotaBytes: this.uploadQuotaBytes, usedBytes },
    });
  }

  /** Delete a recording for good (its file, index, owner and its lines in the journal). A session still recording is refused. */
  async remove(id: string): Promise<void> {
    if (this.isLive(id) || this.#resuming.has(id)) throw new StoreError('RECORDING_LIVE', `session ${id} is still recording: end it first`, 409);
    const file = this.#files.existing(id);
    this.#discarded.add(id);
    try {
      await rm(file, { force: true });
      await rm(this.#files.metaFile(id), { force: true });
      await rm(this.#files.ownerFile(id), { force: true });
      // The journal may still hold its lines (names included): every generation is retired and deleted now, not
      // when it fills up (the other recordings are synced first, as at a rotation).
      await this.#journal.drain();
    } finally {
      this.#discarded.delete(id);
    }
  }

  /**
   * A read-only share link's token for one recording: with the students' nicknames, or without (the file is then
   * served with pseudonyms). Derived from a secret kept beside the recordings, so links outlive restarts.
   */
  shareToken(id: string, names: boolean): string {
    return this.#share.token(id, names);
  }

  /** What a share token opens for this recording: 'names', 'anonymous', or null when it is not one of its tokens. */
  shareAccess(id: string, token: string | null): ShareAccess | null {
    return this.#share.access(id, token);
  }

  /** The recording with its students' names and slots replaced by pseudonyms (a share link without names). */
  async anonymised(id: string): Promise<string> {
    await this.flush(id);
    return anonymiseRecording(await readFile(this.file(id), 'utf8'));
  }

  /** End every live recording (graceful shutdown), and let the index writes land. */
  async closeAll(reason: 'shutdown' = 'shutdown'): Promise<void> {
    await Promise.allSettled([...this.#live.values()].map((r) => r.end(reason)));
    await this.#journal.drain();
    await this.settled();
  }

  /** Resolves once every index write (and file deletion) started so far has landed. */
  settled(): Promise<void> {
    return this.#index.settled();
  }
}
