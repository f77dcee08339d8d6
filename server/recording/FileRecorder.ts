import type { RecordingWriter } from '../../shared/recording/writer.ts';
import type { Command, SimState } from '../../shared/sim/types.ts';
import { GroupSync, type Waiter } from './GroupSync.ts';
import { LineAppender } from './LineAppender.ts';
import { commandSender, headerParticipants, joinedParticipant } from './participation.ts';
import { RecorderError, RecorderErrorCode } from './RecorderError.ts';
import type { RecordingFile } from './RecordingFile.ts';
import type { RecordedCommand, RecordedHostAction, SessionRecorder } from './SessionRecorder.ts';

export { RecorderError, RecorderErrorCode };

/** Lines that nobody waits for (hashes, keyframes) reach the file within this long. */
const LAZY_FLUSH_MS = 250;
/** While the file cannot be written (a full disk), the recorder tries again this often, and recovers by itself. */
const RETRY_MS = 1000;

/** Told when the recording's summary changes (the store keeps its index file up to date). */
export interface RecorderObserver {
  onProgress(p: { lastTick: number; commands: number; participants: ReadonlySet<string> }): void;
  onClose(p: {
    lastTick: number;
    commands: number;
    participants: ReadonlySet<string>;
    reason: 'ended' | 'shutdown' | 'failed';
  }): void;
  /** The recording was closed unused and its file should go (see `discardIfUnused`). */
  onDiscard?(): void;
  /** The file could not be written (or synced), or it can be again. */
  onFault?(e: Error | null): void;
}

/** A line waiting to be written. Commands are stamped with their tick only when written (see `commit`). */
type Pending =
  | { kind: 'line'; text: string; waiter: Waiter | null }
  | { kind: 'command'; tick: number | null; by: string; command: Command; waiter: Waiter; dropOnFault: boolean };

/**
 * A session's recording, appended to one file, with three promises:
 *
 * 1. Whole lines or nothing. Lines are written in batches; a batch that fails (or is cut short by a full disk) is
 *    truncated away, so the file up to the fault stays valid and resumable.
 * 2. A command is in the file before it is applied, and acknowledged only once it is durable (RF3). `commit(tick)` writes
 *    the waiting lines, stamping each command with the tick the room is about to run; the room applies its queue
 *    only when that returned true. The ack waits for a sync that began after the write (group commit: one
 *    sync for every command that arrived meanwhile).
 * 3. Nothing after the end. Once the end line is queued every new line is refused; the file is closed only after
 *    every write and sync started on it has settled.
 *
 * While the file cannot be written the recorder refuses new commands and actions (RECORDING_UNAVAILABLE), keeps
 * what it already accepted, and tries again every second; the first batch that fits clears the fault.
 */
export class FileRecorder implements SessionRecorder {
  readonly id: string;
  readonly #file: RecordingFile;
  readonly #lines: LineAppender;
  readonly #syncs: GroupSync;
  readonly #writer: RecordingWriter;
  readonly #observer: RecorderObserver | undefined;
  readonly #now: () => Date;
  #pending: Pending[] = [];
  #commitQueued = false;
  #lazyTimer: ReturnType<typeof setTimeout> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #fault: { error: RecorderError; at: number; in: 'write' | 'sync' } | null = null;
  #ending: Promise<void> | null = null;
  #closed = false;
  #listeners: ((writable: boolean) => void)[] = [];
  #simulated: number;
  readonly #startTick: number;
  /** Appending to an interrupted session's file: never discarded, whatever happens next. */
  readonly #resumed: boolean;
  #commands = 0;
  #participants = new Set<string>();
  #lastProgress = 0;

  /** `file` already holds the header and first keyframe. */
  constructor(o: {
    id: string;
    file: RecordingFile;
    writer: RecordingWriter;
    observer?: RecorderObserver;
    now?: () => Date;
    resumed?: boolean;
  }) {
    this.id = o.id;
    this.#file = o.file;
    this.#lines = new LineAppender(o.file);
    this.#syncs = new GroupSync(() => o.file.datasync(), {
      synced: () => {
        if (this.#fault?.in === 'sync') this.#clearFault();
        this.#progress(false);
      },
      failed: (e) => this.#setFault(e, 'sync'),
      faulty: () => this.#fault !== null,
    });
    this.#writer = o.writer;
    this.#observer = o.observer;
    this.#now = o.now ?? (() => new Date());
    this.#simulated = o.writer.tick;
    this.#startTick = o.writer.tick;
    this.#resumed = o.resumed ?? false;
    for (const p of headerParticipants(o.writer.header)) this.#participants.add(p);
  }

  /** False while the file cannot be written, and once the recording is ending: new lines would be refused. */
  get writable(): boolean {
    return this.#fault === null && this.#ending === null && !this.#closed;
  }

  /** Be told when `writable` changes because of a fault or its recovery. */
  watch(listener: (writable: boolean) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Queue a command. Without `tick` it is stamped at the next commit with the tick about to run (what a room
   * wants); with one, that tick (must not have run). Resolves with the tick once the line is on disk.
   * `dropOnFault`: if the write that carries it fails, it is refused (RECORDING_UNAVAILABLE) and dropped rather
   * than kept for the retry: its sender gets an answer now, and the room removes it from its queue.
   */
  command(entry: Omit<RecordedCommand, 'tick'> & { tick?: number; dropOnFault?: boolean }): Promise<number> {
    const gate = this.#gate();
    if (gate) return Promise.reject(gate);
    if (entry.tick !== undefined && entry.tick <= this.#simulated) {
      return Promise.reject(
        new RecorderError(
          RecorderErrorCode.RECORDING_TICK_IN_PAST,
          `command recorded for tick ${entry.tick}, but tick ${this.#simulated} has already run: pass the tick it will be applied at`,
        ),
      );
    }
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { tick: -1, resolve, reject };
      this.#pending.push({ kind: 'command', tick: entry.tick ?? null, by: entry.by, command: entry.command, waiter, dropOnFault: entry.dropOnFault ?? false });
      this.#commands++;
      this.#tookPart(commandSender(entry.by));
      this.#queueCommit();
    });
  }

  hostAction(entry: RecordedHostAction): Promise<void> {
    const gate = this.#gate();
    if (gate) return Promise.reject(gate);
    this.#tookPart(joinedParticipant(entry.action, entry.detail));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { tick: entry.tick, resolve: () => resolve(), reject };
      this.#pending.push({ kind: 'line', text: this.#writer.hostAction(entry.tick, entry.action, entry.detail), waiter });
      this.#queueCommit();
    });
  }

  afterTick(state: SimState): void {
    if (this.#closed || this.#ending) return;
    this.#simulated = state.tick;
    const line = this.#writer.afterTick(state);
    if (!line) return;
    this.#pending.push({ kind: 'line', text: line, waiter: null });
    this.#lazyFlush();
    if (line.startsWith('{"k":"k"')) this.#progress(true);
  }

  /**
   * Write every waiting line now, commands stamped with `nextTick` (default: the tick after the last one run).
   * True when everything accepted so far is in the file: the room may apply its queued commands. False while the
   * file cannot be written (the lines stay queued; nothing was half written).
   */
  commit(nextTick = this.#simulated + 1): boolean {
    if (this.#closed || this.#lines.broken) return false;
    if (this.#pending.length === 0 && this.#fault?.in !== 'write') return this.#fault === null;
    // While faulty, the retry timer (and the room's ticks) try at most once a second.
    if (this.#fault && this.#now().getTime() - this.#fault.at < RETRY_MS) return false;
    // Nothing left to write after a write fault (its commands were refused): a blank line, which every reader
    // skips, tells whether the disk takes bytes again.
    if (this.#pending.length === 0) this.#pending.push({ kind: 'line', text: '\n', waiter: null });
    const batch = this.#pending;
    const stamped = batch.map((p) => (p.kind === 'line' ? p.text : this.#writer.command(p.tick ?? nextTick, p.by, p.command)));
    const data = Buffer.from(stamped.join(''), 'utf8');
    try {
      this.#lines.append(data);
    } catch (e) {
      this.#setFault(e, 'write');
      // Commands whose senders wait for an answer are refused now, not applied later; the rest waits for the retry.
      this.#pending = this.#pending.filter((p) => {
        if (p.kind !== 'command' || !p.dropOnFault) return true;
        p.waiter.reject(this.#fault!.error);
        this.#commands--;
        return false;
      });
      return false;
    }
    this.#pending = [];
    for (const p of batch) {
      if (!p.waiter) continue;
      if (p.kind === 'command') p.waiter.tick = p.tick ?? nextTick;
      this.#syncs.add(p.waiter);
    }
    if (this.#fault?.in === 'write') this.#clearFault();
    this.#syncs.sync();
    return true;
  }

  /** Write the end line, sync and close. Idempotent; nothing is accepted once it has been called. */
  end(reason: 'ended' | 'shutdown'): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#ending ??= this.#end(reason);
    return this.#ending;
  }

  async #end(reason: 'ended' | 'shutdown'): Promise<void> {
    // Commands not yet in the file were never applied (the room stops before its next tick): refuse them.
    this.#pending = this.#pending.filter((p) => {
      if (p.kind !== 'command') return true;
      p.waiter.reject(new RecorderError(RecorderErrorCode.RECORDING_CLOSED, 'the session ended before this change applied'));
      this.#commands--;
      return false;
    });
    this.#pending.push({ kind: 'line', text: this.#writer.end(reason, this.#now().toISOString()), waiter: null });
    if (this.#fault) this.#fault.at = -Infinity; // one last try now
    const written = this.commit();
    await this.#settle();
    const failed = !written || this.#fault !== null;
    await this.#close(failed ? 'the file could not be written' : null);
    this.#observer?.onClose({
      lastTick: Math.max(this.#simulated, 0),
      commands: this.#commands,
      participants: this.#participants,
      reason: failed ? 'failed' : reason,
    });
  }

  /** Everything accepted so far reaches the disk (before a download or a "continue from here" of a live session). */
  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#fault) return Promise.reject(this.#fault.error);
    this.commit();
    if (this.#fault !== null) return Promise.reject((this.#fault as { error: RecorderError }).error);
    return new Promise<void>((resolve, reject) => {
      this.#syncs.add({ tick: -1, resolve: () => resolve(), reject });
      this.#syncs.sync();
    });
  }

  /**
   * A room replaced its simulation before a single tick ran here (a lobby whose first round is another scenario):
   * nothing in this file could be replayed, so it is closed and deleted instead of listed. Anything else (ticks ran,
   * or this is a resumed session's file) ends normally. True when discarded.
   */
  async discardIfUnused(): Promise<boolean> {
    if (this.#closed || this.#ending) return false;
    if (this.#resumed || this.#simulated > this.#startTick || this.#fault) {
      await this.end('ended');
      return false;
    }
    await this.flush().catch(() => {}); // whoever waits for a line gets their answer before the file goes
    this.#ending = Promise.resolve();
    await this.#settle();
    await this.#close('the recording was dropped');
    this.#observer?.onDiscard?.();
    return true;
  }

  /** A close without an end line, as a crash would leave it (tests; a server that must stop at once). */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    // What a kill -9 leaves: the lines already handed to the file (a room commits before every tick), no end line.
    if (!this.#ending && !this.#fault) this.commit();
    this.#ending ??= Promise.resolve();
    await this.#settle();
    await this.#close('the recording was abandoned');
  }

  get commandCount(): number {
    return this.#commands;
  }

  #gate(): RecorderError | null {
    if (this.#closed || this.#ending)
      return new RecorderError(RecorderErrorCode.RECORDING_CLOSED, `recording ${this.id} has ended`);
    if (this.#fault || this.#lines.broken)
      return new RecorderError(
        RecorderErrorCode.RECORDING_UNAVAILABLE,
        `recording ${this.id} cannot be written right now (${this.#fault?.error.message ?? 'the file is damaged'})`,
      );
    return null;
  }

  /** Commit on the next turn of the event loop: before any timer, so before the room's next tick. */
  #queueCommit(): void {
    if (this.#commitQueued) return;
    this.#commitQueued = true;
    setImmediate(() => {
      this.#commitQueued = false;
      if (!this.#closed && !this.#ending) this.commit();
    });
  }

  #lazyFlush(): void {
    if (this.#lazyTimer) return;
    this.#lazyTimer = setTimeout(() => {
      this.#lazyTimer = null;
      if (!this.#closed && !this.#ending) this.commit();
    }, LAZY_FLUSH_MS);
    this.#lazyTimer.unref?.();
  }

  /** Wait until no sync is running and nothing written is left unsynced (or the file is faulty). */
  #settle(): Promise<void> {
    return this.#syncs.settle(() => !this.#fault && !this.#lines.broken);
  }

  async #close(why: string | null): Promise<void> {
    this.#closed = true;
    if (this.#lazyTimer) clearTimeout(this.#lazyTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#lazyTimer = this.#retryTimer = null;
    const left = new RecorderError(RecorderErrorCode.RECORDING_WRITE_FAILED, `recording ${this.id} was closed: ${why ?? 'ended'}`);
    this.#syncs.rejectAll(left);
    for (const p of this.#pending) p.waiter?.reject(left);
    this.#pending = [];
    await this.#file.close().catch(() => {});
  }

  #setFault(e: unknown, where: 'write' | 'sync'): void {
    const was = this.#fault;
    const error = new RecorderError(
      RecorderErrorCode.RECORDING_UNAVAILABLE,
      `recording ${this.id} cannot be written right now: ${(e as Error).message ?? String(e)}`,
    );
    this.#fault = { error, at: this.#now().getTime(), in: where };
    if (!was) {
      this.#observer?.onFault?.(error);
      for (const l of this.#listeners) l(false);
    }
    this.#scheduleRetry();
  }

  #clearFault(): void {
    this.#fault = null;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#observer?.onFault?.(null);
    for (const l of this.#listeners) l(true);
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#closed || this.#lines.broken) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.#closed || !this.#fault) return;
      this.#fault.at = -Infinity;
      if (this.#fault.in === 'write') this.commit();
      else this.#syncs.sync();
      if (this.#fault) this.#scheduleRetry();
    }, RETRY_MS);
    this.#retryTimer.unref?.();
  }

  #tookPart(who: string | null): void {
    if (who !== null) this.#participants.add(who);
  }

  #progress(force: boolean): void {
    const now = this.#now().getTime();
    if (!force && now - this.#lastProgress < 5000) return;
    this.#lastProgress = now;
    this.#observer?.onProgress({
      lastTick: this.#simulated,
      commands: this.#commands,
      participants: this.#participants,
    });
  }
}
