import { closeSync, ftruncateSync, mkdirSync, openSync, renameSync, unlink, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeAsync, datasyncAsync } from '../RecordingFile.ts';
import { encodeEntry, ownerLine } from './journalEntry.ts';

const unlinkFile = promisify(unlink);

/** One sync of the journal at most this often: every command acknowledged meanwhile shares it. */
export const JOURNAL_SYNC_GAP_MS = 25;
/** A generation this large is retired at its next sync: its recordings are synced, then it is deleted. */
export const JOURNAL_ROTATE_BYTES = 4 * 1024 * 1024;

/** The journals of this process (a cluster's tests run several servers in one process on one DATA_DIR). */
const liveHere = new Set<string>();

/** Whether a journal of this process is in use (recovery must not delete its generations). */
export function isLiveHere(id: string): boolean {
  return liveHere.has(id);
}

/** A recording file whose lines a generation holds until the file itself has been synced. */
export interface Checkpointable {
  /** fdatasync the file (nothing if it was closed after a sync of its own); rejects if its lines may not be on disk. */
  checkpoint(): Promise<void>;
}

export interface JournalOptions {
  /** The folder of this process's generations (DATA_DIR/journal). */
  dir: string;
  syncGapMs?: number;
  rotateBytes?: number;
  /** The sync of a generation's descriptor (tests hold or fail it). */
  datasync?: (fd: number) => Promise<void>;
  now?: () => number;
}

/** One journal file: written until it is retired, deleted once every recording it covers is synced. */
interface Generation {
  readonly path: string;
  readonly fd: number;
  size: number;
  /** Appended to since its last sync began. */
  dirty: boolean;
  readonly files: Set<Checkpointable>;
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * The process's write-ahead journal for its recordings (RF3). Every batch a recorder writes is also appended here,
 * and a command is acknowledged once an fdatasync of the journal that began after its write has finished: one sync
 * for every room's commands of the last few milliseconds (at most one per `syncGapMs`), where each recording would
 * need its own. The recordings themselves are synced when a generation is retired (every `rotateBytes`) and when
 * they close; until then, after a power cut, recovery (recoverJournals) writes the journal's lines back into them.
 */
export class Journal {
  readonly #dir: string;
  readonly #syncGapMs: number;
  readonly #rotateBytes: number;
  readonly #datasync: (fd: number) => Promise<void>;
  readonly #now: () => number;
  readonly started = Date.now();
  readonly id = randomBytes(6).toString('hex');
  #gen: Generation | null = null;
  #genNo = 0;
  /** Retired generations not yet deleted (their last sync or their recordings' checkpoint is pending). */
  #retired: Generation[] = [];
  #waiting: Waiter[] = [];
  #syncing: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastSyncStart = -Infinity;
  #checkpoints: Promise<void>[] = [];

  constructor(o: JournalOptions) {
    this.#dir = o.dir;
    this.#syncGapMs = o.syncGapMs ?? JOURNAL_SYNC_GAP_MS;
    this.#rotateBytes = o.rotateBytes ?? JOURNAL_ROTATE_BYTES;
    this.#datasync = o.datasync ?? datasyncAsync;
    this.#now = o.now ?? (() => performance.now());
    liveHere.add(this.id);
  }

  /** The generation files not yet deleted (tests). */
  get generations(): string[] {
    return [...this.#retired, ...(this.#gen ? [this.#gen] : [])].map((g) => g.path);
  }

  /**
   * Append the lines just written to recording `file` at `at`. Synchronous, like the recording's own write: when it
   * returns the entry is in the journal (not yet synced); when it throws (a full disk) the journal is as it was.
   */
  append(file: string, at: number, data: Buffer, from: Checkpointable): void {
    const g = this.#gen ?? this.#open();
    const entry = encodeEntry(file, at, data);
    try {
      for (let off = 0; off < entry.length; ) {
        const n = writeSync(g.fd, entry, off, entry.length - off, g.size + off);
        if (!(n > 0)) throw new Error('the journal took no bytes');
        off += n;
      }
    } catch (e) {
      try {
        ftruncateSync(g.fd, g.size);
      } catch {
        // A torn entry left behind ends what recovery reads of this generation: write the next ones elsewhere.
        this.#retire(g);
      }
      throw e;
    }
    g.size += entry.length;
    g.dirty = true;
    g.files.add(from);
    // Lines nobody waits for (a quiet lobby's hashes) still get the generation retired once it is full.
    if (g.size >= this.#rotateBytes && this.#waiting.length === 0 && !this.#syncing) this.durable().catch(() => {});
  }

  /** Resolves once a sync of the journal that began after this call has finished: everything appended is on disk. */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#kick();
    });
  }

  /**
   * Sync what is left, retire every generation and delete each once its recordings are synced: a graceful shutdown
   * (after the recorders closed), and a recording deleted (its lines must not stay behind). Recorders still live go
   * on into a new generation.
   */
  async drain(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#gen) this.#retire(this.#gen);
    while (this.#syncing) await this.#syncing;
    // One last sync through the usual path (so no generation is closed under a sync), then every clean one goes.
    if (this.#waiting.length > 0 || this.#retired.some((g) => g.dirty)) {
      this.#startSync();
      await this.#syncing;
    }
    for (const g of [...this.#retired]) if (!g.dirty) this.#checkpoint(g);
    while (this.#checkpoints.length > 0) await Promise.allSettled([...this.#checkpoints]);
  }

  #open(): Generation {
    mkdirSync(this.#dir, { recursive: true });
    const gen = this.#genNo++;
    const name = `${this.started}-${process.pid}-${this.id}-${gen}`;
    const path = join(this.#dir, `${name}.wal`);
    const tmp = join(this.#dir, `.${name}.tmp`);
    // Created under another name and renamed, so recovery never sees a generation without its owner line.
    const fd = openSync(tmp, 'w');
    let size = 0;
    try {
      const head = Buffer.from(ownerLine({ journal: 1, host: hostname(), pid: process.pid, started: this.started, id: this.id, gen }));
      while (size < head.length) size += writeSync(fd, head, size, head.length - size, size);
      renameSync(tmp, path);
    } catch (e) {
      closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // nothing to remove
      }
      throw e;
    }
    this.#gen = { path, fd, size, dirty: false, files: new Set() };
    return this.#gen;
  }

  #kick(): void {
    if (this.#syncing || this.#timer || this.#waiting.length === 0) return;
    const wait = this.#lastSyncStart + this.#syncGapMs - this.#now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#kick();
      }, wait);
      return;
    }
    this.#startSync();
  }

  #startSync(): void {
    this.#lastSyncStart = this.#now();
    const batch = this.#waiting;
    this.#waiting = [];
    const targets = [...this.#retired, ...(this.#gen ? [this.#gen] : [])].filter((g) => g.dirty);
    // A full generation takes no more entries: the ones after this go to a new one.
    if (this.#gen && this.#gen.size >= this.#rotateBytes) this.#retire(this.#gen);
    this.#syncing = this.#syncGens(targets)
      .then(
        () => {
          for (const w of batch) w.resolve();
          for (const g of [...this.#retired]) if (!g.dirty) this.#checkpoint(g);
        },
        (e: unknown) => {
          for (const w of batch) w.reject(e instanceof Error ? e : new Error(String(e)));
        },
      )
      .finally(() => {
        this.#syncing = null;
        this.#kick();
      });
  }

  /** Sync generations; one that fails stays dirty, so the next sync tries it again. */
  async #syncGens(gens: Generation[]): Promise<void> {
    for (const g of gens) g.dirty = false;
    const results = await Promise.allSettled(gens.map((g) => this.#datasync(g.fd)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed < 0) return;
    for (let i = 0; i < gens.length; i++) if (results[i]!.status === 'rejected') gens[i]!.dirty = true;
    throw (results[failed] as PromiseRejectedResult).reason;
  }

  #retire(g: Generation): void {
    if (this.#gen === g) this.#gen = null;
    if (!this.#retired.includes(g)) this.#retired.push(g);
  }

  /**
   * Sync every recording a retired generation holds lines of, then delete it. If one cannot be synced, the file is
   * left for recovery at the next start (which writes back only what a recording lacks).
   */
  #checkpoint(g: Generation): void {
    this.#retired = this.#retired.filter((r) => r !== g);
    const done = (async () => {
      const synced = await Promise.allSettled([...g.files].map((f) => f.checkpoint()));
      await closeAsync(g.fd).catch(() => {});
      if (synced.every((r) => r.status === 'fulfilled')) await unlinkFile(g.path).catch(() => {});
    })();
    this.#checkpoints.push(done);
    void done.finally(() => {
      this.#checkpoints = this.#checkpoints.filter((c) => c !== done);
    });
  }
}
