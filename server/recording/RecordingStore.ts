import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  RecordingErrorCode,
  type BodyLine,
  type HeaderLine,
  type HostActionLine,
  type RecordingError,
} from '../../shared/recording/format.ts';
import { ReplayMachine, type Divergence, type ReplayHooks } from '../../shared/recording/ReplayMachine.ts';
import { RecordingWriter, type RecordingStart } from '../../shared/recording/writer.ts';
import { cloneState } from '../../shared/sim/clone.ts';
import { isDnsLabel, SLOT_MAX } from '../../shared/schemas/commands.ts';
import type { RecordingSummary } from '../../shared/recording/summary.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { anonymiseRecording } from './anonymise.ts';
import { FileRecorder, RecorderErrorCode, type RecorderObserver } from './FileRecorder.ts';
import { closeQuietly, fdFile } from './RecordingFile.ts';

export type { RecordingSummary };

/** The index file beside each recording: rewritten (atomically, unsynced) as the session goes; the .ndjson is the truth. */
interface Meta extends Omit<RecordingSummary, 'state' | 'bytes'> {
  state: 'live' | 'ended';
  /** Set once an interrupted recording's figures were read from its file (after a crash the index lags). */
  durable?: boolean;
  /**
   * SHA-256 of the key that owns it (the teacher key, or the host key of a session made without one); null: only
   * the operator. A live session's is in its header; an upload's in `<id>.owner` (an uploaded header proves nothing).
   */
  owner?: string | null;
}

/**
 * A participant of an interrupted session, from its `join` host actions: enough for the room to give a returning
 * student their pod back (by the hash of their token, or by name), never a secret.
 */
export interface ResumedParticipant {
  id: string;
  slot: string | null;
  name: string | null;
  tokenSha256: string | null;
  /** The join action's whole detail (role, bot …). */
  detail: Record<string, unknown>;
}

/** Told every host action and every replayed tick of a recording on the way through it (the game rebuilds from them). */
export interface ReplayWatch {
  onAction?: (a: HostActionLine) => void;
  onTick?: (s: SimState) => void;
}

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

export const RECORDING_ID = /^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/;

export interface StoreOptions {
  dataDir: string;
  now?: () => Date;
  /** Uploads larger than this are refused (bytes). */
  maxUploadBytes?: number;
  /** What one owner's uploads may hold in all (bytes). */
  uploadQuotaBytes?: number;
}

/** A host action's detail in an uploaded recording is at most this long as JSON: the room never writes more. */
export const MAX_ACTION_DETAIL_BYTES = 16 * 1024;

const OWNER_HASH = /^[0-9a-f]{64}$/;

/**
 * The recordings in DATA_DIR/recordings: one append-only `<id>.ndjson` per session and a small `<id>.meta.json`
 * index. Knows which recordings this process is writing (live); any other without an end line is interrupted.
 * Never loads a whole recording: reading is streamed line by line through ReplayMachine.
 */
export class RecordingStore {
  readonly dir: string;
  readonly maxUploadBytes: number;
  readonly uploadQuotaBytes: number;
  readonly #shareSecret: Buffer;
  readonly #now: () => Date;
  readonly #live = new Map<string, FileRecorder>();
  readonly #resuming = new Set<string>();

  constructor(o: StoreOptions) {
    this.dir = join(o.dataDir, 'recordings');
    this.#now = o.now ?? (() => new Date());
    this.maxUploadBytes = o.maxUploadBytes ?? 32 * 1024 * 1024;
    this.uploadQuotaBytes = o.uploadQuotaBytes ?? 128 * 1024 * 1024;
    mkdirSync(this.dir, { recursive: true });
    this.#shareSecret = loadOrMakeSecret(join(this.dir, '.share-secret'));
  }

  file(id: string): string {
    if (!RECORDING_ID.test(id)) throw new StoreError('BAD_ID', `"${id}" is not a recording id`, 400);
    return join(this.dir, `${id}.ndjson`);
  }
  #metaFile(id: string): string {
    return join(this.dir, `${id}.meta.json`);
  }
  #ownerFile(id: string): string {
    return join(this.dir, `${id}.owner`);
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
  create(
    start: Omit<RecordingStart, 'id' | 'startedAt'> & { id?: string; startedAt?: string },
  ): FileRecorder {
    const now = this.#now();
    const id = start.id ?? this.#newId(now, start.code);
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
    const meta = this.#metaFrom(
      writer.header,
      start.initialState.tick,
      start.initialState.tick,
      'live',
      'live',
    );
    return this.#open(id, fd, writer, meta);
  }

  #open(id: string, fd: number, writer: RecordingWriter, meta: Meta, resumed = false): FileRecorder {
    this.#queueMeta(meta);
    const observer: RecorderObserver = {
      onProgress: (p) => {
        Object.assign(meta, {
          lastTick: p.lastTick,
          commands: p.commands,
          participants: p.participants.size,
          durationSec: (p.lastTick - meta.firstTick) / 10,
        });
        this.#queueMeta(meta);
      },
      onClose: (p) => {
        this.#live.delete(id);
        Object.assign(meta, {
          lastTick: p.lastTick,
          commands: p.commands,
          participants: p.participants.size,
          durationSec: (p.lastTick - meta.firstTick) / 10,
          // A server shutdown leaves the session resumable (listed as interrupted), as a crash would.
          state: p.reason === 'ended' ? 'ended' : 'live',
        });
        this.#queueMeta(meta);
      },
      onDiscard: () => {
        this.#discarded.add(id); // gone from lists and downloads now, before the files are
        this.#live.delete(id);
        // After the index writes already started for it, so none lands after the delete.
        const before = [...this.#pendingMeta];
        this.#track(
          (async () => {
            await Promise.allSettled(before);
            await rm(this.file(id), { force: true });
            await rm(this.#metaFile(id), { force: true });
          })()
            .catch(() => {}) // a leftover empty file is harmless: it lists as a 0:00 recording
            .finally(() => this.#discarded.delete(id)), // the id may be given again once its file is gone
        );
      },
    };
    const rec = new FileRecorder({ id, file: fdFile(fd), writer, observer, now: this.#now, resumed });
    this.#live.set(id, rec);
    return rec;
  }

  #newId(now: Date, code: string): string {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    // Not the room code: ids are listed (to the owner) and shown to everyone in the room, a live code must not be.
    void code;
    const base = `${stamp}-${randomBytes(4).toString('hex')}`;
    let id = base;
    for (let n = 2; existsSync(this.file(id)); n++) id = `${base}-${n}`;
    return id;
  }

  #metaFrom(
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
      participants: h.participants.filter((p) => p.role !== 'host').length,
      commands,
      state,
      source,
      origin: h.origin,
      owner: typeof h.options['ownerSha256'] === 'string' && OWNER_HASH.test(h.options['ownerSha256']) ? h.options['ownerSha256'] : null,
    };
  }

  async #writeMeta(meta: Meta): Promise<void> {
    const tmp = `${this.#metaFile(meta.id)}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(meta));
      await rename(tmp, this.#metaFile(meta.id));
    } catch {
      // The index is a cache: list() rebuilds it from the recording itself.
    }
  }

  /**
   * Every recording whose owner `mine` accepts (default: all), newest first. Interrupted ones are checked against
   * their file (the index may lag).
   */
  async list(mine: (owner: string | null) => boolean = () => true): Promise<RecordingSummary[]> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.ndjson'));
    const out: RecordingSummary[] = [];
    for (const name of names) {
      const id = name.slice(0, -'.ndjson'.length);
      if (!RECORDING_ID.test(id)) continue;
      const m = await this.#summaryAndOwner(id).catch(() => null);
      if (m && mine(m.owner)) out.push(m.summary);
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  }

  /** One recording's summary, or null if there is none. */
  async summary(id: string): Promise<RecordingSummary | null> {
    return (await this.#summaryAndOwner(id))?.summary ?? null;
  }

  /** SHA-256 of the key that owns a recording (null: nobody but the operator); undefined when there is no such recording. */
  async ownerOf(id: string): Promise<string | null | undefined> {
    const m = await this.#summaryAndOwner(id);
    return m ? m.owner : undefined;
  }

  async #summaryAndOwner(id: string): Promise<{ summary: RecordingSummary; owner: string | null } | null> {
    if (this.#discarded.has(id)) return null;
    const file = this.file(id);
    const st = await stat(file).catch(() => null);
    if (!st) return null;
    let meta = await readFile(this.#metaFile(id), 'utf8')
      .then((t) => JSON.parse(t) as Meta)
      .catch(() => null);
    if (!meta || (meta.state === 'live' && !this.isLive(id) && !meta.durable)) {
      // No index, or one a crash left behind: read the truth from the file once, and keep it.
      const scanned = await this.#scan(id);
      if (!scanned) return null;
      meta = scanned;
      if (!this.isLive(id)) {
        meta.durable = true;
        await this.#writeMeta(meta);
      }
    }
    const state = meta.state === 'ended' ? 'ended' : this.isLive(id) ? 'live' : 'interrupted';
    const { durable: _d, owner, ...rest } = meta;
    return { summary: { ...rest, state, bytes: st.size }, owner: owner ?? null };
  }

  /** Stream a recording through the replay (verifying it); `until` stops after that tick is reached. */
  async #replay(
    id: string,
    hooks: { onTick?: (s: SimState) => boolean | void; onLine?: ReplayHooks['onLine'] } = {},
  ) {
    let stop = false;
    const machine = new ReplayMachine({
      onTick: (s) => {
        if (hooks.onTick?.(s)) stop = true;
      },
      onLine: hooks.onLine,
    });
    const { goodBytes, unterminated } = await feed(createReadStream(this.file(id)), machine, () => stop);
    return { machine, goodBytes, unterminated };
  }

  async #scan(id: string): Promise<Meta | null> {
    const people = new Set<string>();
    const { machine } = await this.#replay(id, { onLine: (l) => void countParticipant(people, l) });
    for (const p of machine.header?.participants ?? []) if (p.role !== 'host') people.add(p.id);
    const r = machine.finish();
    const h = machine.header;
    if (!r.ok && machine.firstTick < 0) return null;
    if (!h) return null;
    const meta = this.#metaFrom(
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
    const byFile = await readOwnerFile(this.#ownerFile(id));
    if (byFile || h.id !== id) meta.owner = byFile;
    return meta;
  }

  /**
   * Resume an interrupted session: replay its file to where it stopped (verifying it), cut a torn last line,
   * mark the resume, and keep appending. The room restarts from `state` with the same code.
   */
  async resume(
    id: string,
    auth: { hostKey?: string; owner?: boolean } = {},
    watch: ReplayWatch = {},
  ): Promise<{
    header: HeaderLine;
    state: SimState;
    recorder: FileRecorder;
    divergence: Divergence | null;
    participants: ResumedParticipant[];
    /** The session was running (started, not paused) when the file stopped: a takeover runs it on. */
    wasRunning: boolean;
  }> {
    if (this.isLive(id) || this.#resuming.has(id))
      throw new StoreError('RECORDING_LIVE', `session ${id} is running: nothing to resume`, 409);
    if (!existsSync(this.file(id))) throw new StoreError('NOT_FOUND', `no recording ${id}`, 404);
    this.#resuming.add(id);
    try {
      return await this.#resume(id, auth, watch);
    } finally {
      this.#resuming.delete(id);
    }
  }

  async #resume(
    id: string,
    auth: { hostKey?: string; owner?: boolean },
    watch: ReplayWatch,
  ) {
    // Who was seated where: the room re-seats returning students on their pods from these join actions.
    const seats = new Map<string, ResumedParticipant>();
    let wasRunning = false;
    const { machine, goodBytes, unterminated } = await this.#replay(id, {
      onTick: watch.onTick,
      onLine: (l) => {
        if (l.k === 'a') watch.onAction?.(l);
        wasRunning = runningAfter(l, wasRunning);
        // A seat given away or removed (a continued session's), or a bot that gave its seat away or was removed,
        // is not seated again.
        if (l.k === 'a' && (l.action === 'seat_removed' || l.action === 'bot_leave') && typeof l.detail?.['participant'] === 'string') {
          seats.delete(l.detail['participant']);
        }
        if (l.k !== 'a' || l.action !== 'join' || typeof l.detail?.['participant'] !== 'string') return;
        const d = l.detail;
        seats.set(d['participant'] as string, {
          id: d['participant'] as string,
          slot: isDnsLabel(d['slot'], SLOT_MAX) ? d['slot'] : null,
          name: typeof d['name'] === 'string' ? d['name'] : null,
          tokenSha256: typeof d['tokenSha256'] === 'string' ? d['tokenSha256'] : null,
          detail: d,
        });
      },
    });
    const r = machine.finish();
    if (!r.ok) throw StoreError.from(r.error);
    if (machine.end?.reason === 'ended') {
      throw new StoreError(
        'NOT_INTERRUPTED',
        `session ${id} ended normally: start a new one from its replay instead`,
        409,
      );
    }
    const header = machine.header!;
    if (header.id !== id)
      throw new StoreError('NOT_INTERRUPTED', `recording ${id} was uploaded, not interrupted`, 409);
    // A room that records the hash of its host key can only be resumed by the browser holding that key.
    const want = header.options['hostKeySha256'];
    // The route has already checked ownership (`owner`); a host key offered instead must match the recorded hash.
    if (!auth.owner && (typeof want === 'string' || auth.hostKey !== undefined)) {
      const got = auth.hostKey ? createHash('sha256').update(auth.hostKey).digest('hex') : '';
      if (typeof want !== 'string' || got.length !== want.length || !timingSafeEqual(Buffer.from(got), Buffer.from(want))) {
        throw new StoreError(
          'BAD_HOST_KEY',
          'Only the teacher who ran this session can resume it (from the same browser).',
          403,
        );
      }
    }
    await truncate(this.file(id), goodBytes);
    const state = r.value;
    const writer = new RecordingWriter({ ...header, initialState: state });
    const fd = openSync(this.file(id), 'a');
    try {
      writeAll(fd, (unterminated ? '\n' : '') + writer.resume(state, this.#now().toISOString()));
      fsyncSync(fd);
    } catch (e) {
      // Whole lines or nothing: the file stays as the crash left it, resumable once there is space.
      try {
        ftruncateSync(fd, goodBytes);
      } catch {
        // left as it was; the torn tail is cut on the next resume
      }
      closeQuietly(fd);
      throw new StoreError(
        RecorderErrorCode.RECORDING_UNAVAILABLE,
        `The recording cannot be written (${(e as NodeJS.ErrnoException).code ?? 'error'}): free some disk space on the server and resume again.`,
        507,
      );
    }
    const meta = this.#metaFrom(header, machine.firstTick, state.tick, 'live', 'live', machine.commandCount);
    const recorder = this.#open(id, fd, writer, meta, true);
    return {
      header,
      state: cloneState(state),
      recorder,
      divergence: machine.divergence,
      participants: [...seats.values()],
      wasRunning,
    };
  }

  /** Replay a whole recording (a live one up to now), telling `watch` every action and tick: its last state. */
  async replay(
    id: string,
    watch: ReplayWatch,
  ): Promise<{ header: HeaderLine; state: SimState }> {
    if (!existsSync(this.file(id))) throw new StoreError('NOT_FOUND', `no recording ${id}`, 404);
    await this.flush(id);
    const { machine } = await this.#replay(id, {
      onTick: watch.onTick,
      onLine: (l) => {
        if (l.k === 'a') watch.onAction?.(l);
      },
    });
    const r = machine.finish();
    if (!r.ok) throw StoreError.from(r.error);
    return { header: machine.header!, state: r.value };
  }

  /**
   * The state after tick `tick` of a recording ("continue from here"), replayed and verified up to there; `watch`
   * hears the action lines up to that tick.
   */
  async stateAt(id: string, tick: number, watch: Pick<ReplayWatch, 'onAction'> = {}): Promise<{ header: HeaderLine; state: SimState }> {
    if (!existsSync(this.file(id))) throw new StoreError('NOT_FOUND', `no recording ${id}`, 404);
    await this.flush(id);
    let found: SimState | null = null;
    const { machine } = await this.#replay(id, {
      onTick: (s) => {
        if (s.tick === tick) found = cloneState(s);
        return found !== null;
      },
      // The actions up to the moment (who was seated where, for the continued session's seats).
      onLine: (l) => {
        if (l.k === 'a' && l.t <= tick) watch.onAction?.(l);
      },
    });
    if (machine.error) throw StoreError.from(machine.error);
    if (!found && machine.firstTick === tick) found = cloneState(machine.lastKeyframe!.state);
    if (!found) {
      const r = machine.finish();
      if (r.ok && r.value.tick === tick) found = cloneState(r.value);
    }
    if (!found)
      throw new StoreError(
        'TICK_OUT_OF_RANGE',
        `recording ${id} runs from tick ${machine.firstTick} to ${machine.lastTick}; tick ${tick} is outside it`,
        400,
      );
    if (machine.divergence && machine.divergence.tick <= tick) {
      throw new StoreError(
        RecordingErrorCode.DIVERGED,
        `recording ${id} diverges at tick ${machine.divergence.tick}: it cannot be continued from a later moment`,
        422,
      );
    }
    return { header: machine.header!, state: found };
  }

  /**
   * Store an uploaded recording: streamed to a temporary file while the replay checks every line and hash.
   * A bad, tampered, too new or too large file is refused with a coded error and leaves nothing behind.
   */
  async upload(body: Readable, owner: string): Promise<RecordingSummary> {
    // The owner's uploads so far count against their quota; this one may use what is left.
    let used = 0;
    for (const r of await this.list((o) => o === owner)) if (r.source === 'upload') used += r.bytes;
    const room = this.uploadQuotaBytes - used;
    if (room <= 0) throw quotaError(this.uploadQuotaBytes);
    const now = this.#now();
    const id = `upload-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
    const tmp = join(this.dir, `.${id}.uploading`);
    const out = await open(tmp, 'w');
    let bytes = 0;
    // A host action's detail is small in every recording the room writes: a padded one is refused, not stored.
    let bloated: { line: number } | null = null;
    const machine = new ReplayMachine({
      onLine: (l) => {
        if (l.k === 'a' && l.detail !== undefined && Buffer.byteLength(JSON.stringify(l.detail)) > MAX_ACTION_DETAIL_BYTES) {
          bloated ??= { line: machine.lineCount };
        }
      },
    });
    const quota = this.uploadQuotaBytes;
    try {
      const sized = async function* (src: Readable, max: number) {
        for await (const chunk of src) {
          bytes += (chunk as Buffer).length;
          if (bytes > room) throw quotaError(quota);
          if (bytes > max)
            throw new StoreError(
              RecordingErrorCode.TOO_LARGE,
              `the file is larger than ${Math.round(max / 1024 / 1024)} MB`,
              413,
            );
          await out.write(chunk as Buffer);
          yield chunk as Buffer;
        }
      };
      await feed(sized(body, this.maxUploadBytes), machine, () => bloated !== null);
      if (bloated) {
        throw new StoreError(
          'DETAIL_TOO_LARGE',
          `a host action's detail is larger than ${MAX_ACTION_DETAIL_BYTES / 1024} KB: this is not a recording the server wrote`,
          413,
          (bloated as { line: number }).line,
        );
      }
      await out.close();
      const r = machine.finish();
      if (!r.ok) throw StoreError.from(r.error);
      const d = machine.divergence;
      if (d) {
        throw new StoreError(
          RecordingErrorCode.DIVERGED,
          `The recording does not replay as recorded: at tick ${d.tick} (line ${d.line}) it holds ${d.kind === 'keyframe_content' ? 'a keyframe whose state does not match its hash' : `hash ${d.expected} but the replay computes ${d.actual}`}. It was changed after it was recorded.`,
          422,
          d.line,
        );
      }
      // The owner first (synced), then the file: a listed upload always has its owner.
      const ownerFd = openSync(this.#ownerFile(id), 'w');
      try {
        writeSync(ownerFd, owner);
        fsyncSync(ownerFd);
      } finally {
        closeSync(ownerFd);
      }
      await rename(tmp, this.file(id));
      const h = machine.header!;
      const meta = this.#metaFrom(
        h,
        machine.firstTick,
        machine.lastTick,
        'ended',
        'upload',
        machine.commandCount,
      );
      meta.id = id;
      meta.owner = owner;
      await this.#writeMeta(meta);
      const { owner: _o, ...summary } = meta;
      return { ...summary, state: 'ended', bytes };
    } catch (e) {
      await out.close().catch(() => {});
      await rm(tmp, { force: true });
      await rm(this.#ownerFile(id), { force: true });
      throw e;
    }
  }

  /** Delete a recording for good (its file, index and owner). A session still recording is refused. */
  async remove(id: string): Promise<void> {
    if (this.isLive(id) || this.#resuming.has(id)) throw new StoreError('RECORDING_LIVE', `session ${id} is still recording: end it first`, 409);
    if (!existsSync(this.file(id))) throw new StoreError('NOT_FOUND', `no recording ${id}`, 404);
    this.#discarded.add(id);
    try {
      await rm(this.file(id), { force: true });
      await rm(this.#metaFile(id), { force: true });
      await rm(this.#ownerFile(id), { force: true });
    } finally {
      this.#discarded.delete(id);
    }
  }

  /**
   * A read-only share link's token for one recording: with the students' nicknames, or without (the file is then
   * served with pseudonyms). Derived from a secret kept beside the recordings, so links outlive restarts.
   */
  shareToken(id: string, names: boolean): string {
    const mode = names ? 'n' : 'a';
    return `${mode}.${createHmac('sha256', this.#shareSecret).update(`share\n${id}\n${mode}`).digest('base64url')}`;
  }

  /** The recording with its students' names and slots replaced by pseudonyms (a share link without names). */
  async anonymised(id: string): Promise<string> {
    await this.flush(id);
    return anonymiseRecording(await readFile(this.file(id), 'utf8'));
  }

  /** What a share token opens for this recording: 'names', 'anonymous', or null when it is not one of its tokens. */
  shareAccess(id: string, token: string | null): 'names' | 'anonymous' | null {
    if (!token) return null;
    for (const names of [true, false]) {
      const want = Buffer.from(this.shareToken(id, names));
      const got = Buffer.from(token);
      if (got.length === want.length && timingSafeEqual(got, want)) return names ? 'names' : 'anonymous';
    }
    return null;
  }

  /** End every live recording (graceful shutdown), and let the index writes land. */
  async closeAll(reason: 'shutdown' = 'shutdown'): Promise<void> {
    await Promise.allSettled([...this.#live.values()].map((r) => r.end(reason)));
    await this.settled();
  }

  /** Index writes in flight: they are not awaited by the recorder's hot path, but shutdown and tests wait for them. */
  #pendingMeta = new Set<Promise<void>>();
  /** Recordings dropped unused (their files are being deleted). */
  #discarded = new Set<string>();

  #queueMeta(meta: Meta): void {
    this.#track(this.#writeMeta(meta));
  }

  /** File work that `settled()` (and so the app's close) waits for. */
  #track(work: Promise<void>): void {
    const p: Promise<void> = work.finally(() => this.#pendingMeta.delete(p));
    this.#pendingMeta.add(p);
  }

  /** Resolves once every index write started so far has landed. */
  async settled(): Promise<void> {
    while (this.#pendingMeta.size > 0) await Promise.allSettled([...this.#pendingMeta]);
  }
}

/** Write a whole string (a short write continues where it stopped); throws on failure. */
function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/**
 * Push a byte stream through a ReplayMachine line by line. Returns the byte length of the complete lines accepted
 * (where a torn tail starts), and whether the last accepted line lacked its newline. A final piece without a
 * newline is pushed as `last`, so a torn line is tolerated.
 */
async function feed(
  source: AsyncIterable<Buffer | string>,
  machine: ReplayMachine,
  stop: () => boolean,
): Promise<{ goodBytes: number; unterminated: boolean }> {
  let carry = '';
  let goodBytes = 0;
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    carry += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = carry.indexOf('\n', start)) !== -1) {
      const line = carry.slice(start, nl);
      start = nl + 1;
      if (machine.push(line)) return { goodBytes, unterminated: false };
      goodBytes += Buffer.byteLength(line, 'utf8') + 1;
      if (stop()) return { goodBytes, unterminated: false };
    }
    carry = carry.slice(start);
    if (carry.length > 16 * 1024 * 1024) {
      machine.push(carry.slice(0, 200));
      return { goodBytes, unterminated: false };
    }
  }
  carry += decoder.decode();
  if (carry !== '') {
    const before = machine.lineCount;
    machine.push(carry, true);
    if (machine.lineCount > before && !machine.error)
      return { goodBytes: goodBytes + Buffer.byteLength(carry, 'utf8'), unterminated: true };
  }
  return { goodBytes, unterminated: false };
}

/** Who took part: everyone who sent a command (but the host and the timeline) or joined. */
function countParticipant(people: Set<string>, l: BodyLine): void {
  if (l.k === 'c' && l.by !== 'host' && l.by !== 'timeline') people.add(l.by);
  else if (l.k === 'a' && l.action === 'join' && typeof l.detail?.['participant'] === 'string')
    people.add(l.detail['participant']);
}

/**
 * Whether the session runs after `line`, given whether it ran before (the room's status, as its host actions set
 * it): start, resume and a new round run it; a pause, a reset to the lobby, an end or a fault stop it, and so does a resume
 * marker — a session resumed by hand waits for its teacher's Resume, which is recorded.
 */
function runningAfter(line: BodyLine, ran: boolean): boolean {
  if (line.k === 'r' || line.k === 'e') return false;
  if (line.k !== 'a') return ran;
  if (line.action === 'start' || line.action === 'resume' || line.action === 'round_start') return true;
  if (line.action === 'pause' || line.action === 'reset' || line.action === 'end' || line.action === 'fault') return false;
  return ran;
}

function quotaError(quota: number): StoreError {
  return new StoreError(
    'QUOTA_EXCEEDED',
    `your uploads would pass ${Math.round(quota / 1024 / 1024)} MB: delete some recordings first`,
    413,
  );
}

/** The owner hash an upload's `<id>.owner` file holds, or null. */
async function readOwnerFile(file: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return OWNER_HASH.test(text.trim()) ? text.trim() : null;
}

/** The share links' secret: made once (32 random bytes, owner-only), then read at every start. */
function loadOrMakeSecret(file: string): Buffer {
  try {
    const b = readFileSync(file);
    if (b.length >= 32) return b;
  } catch {
    // First start: made below.
  }
  const secret = randomBytes(32);
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
