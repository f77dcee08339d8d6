import { close, fdatasync, write } from 'node:fs';
import { promisify } from 'node:util';
import type { RecordingWriter } from '../../shared/recording/writer.ts';
import type { SimState } from '../../shared/sim/types.ts';
import type { RecordedCommand, RecordedHostAction, SessionRecorder } from './SessionRecorder.ts';

const writeAsync = promisify(write);
const datasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

/** Lines that nobody waits for (hashes, keyframes, host actions) reach the disk within this long. */
const LAZY_FLUSH_MS = 250;

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
}

/** Stable error codes a room sees when a recording cannot keep its promise. */
export const RecorderErrorCode = {
  RECORDING_CLOSED: 'RECORDING_CLOSED',
  RECORDING_WRITE_FAILED: 'RECORDING_WRITE_FAILED',
  RECORDING_TICK_IN_PAST: 'RECORDING_TICK_IN_PAST',
} as const;

export class RecorderError extends Error {
  constructor(
    readonly code: (typeof RecorderErrorCode)[keyof typeof RecorderErrorCode],
    message: string,
  ) {
    super(message);
  }
}

/**
 * A session's recording, appended to one file. Group commit: `command` queues its line and resolves once a write
 * and an fdatasync that include it have finished; commands arriving while a sync is in flight share the next one,
 * so a busy room pays one sync per batch, a quiet one answers in one sync's time. Lines written before an ack are
 * never rewritten, so a `kill -9` loses at most a torn last line that nobody was acked for.
 */
export class FileRecorder implements SessionRecorder {
  readonly id: string;
  readonly #fd: number;
  readonly #writer: RecordingWriter;
  readonly #observer: RecorderObserver | undefined;
  readonly #now: () => Date;
  #buffer: string[] = [];
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #flushing: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  #failed: Error | null = null;
  #simulated: number;
  readonly #startTick: number;
  /** Appending to an interrupted session's file: never discarded, whatever happens next. */
  readonly #resumed: boolean;
  #commands = 0;
  #participants = new Set<string>();
  #lastProgress = 0;

  /** `fd` is open for appending and already holds the header and first keyframe. */
  constructor(o: {
    id: string;
    fd: number;
    writer: RecordingWriter;
    observer?: RecorderObserver;
    now?: () => Date;
    resumed?: boolean;
  }) {
    this.id = o.id;
    this.#fd = o.fd;
    this.#writer = o.writer;
    this.#observer = o.observer;
    this.#now = o.now ?? (() => new Date());
    this.#simulated = o.writer.tick;
    this.#startTick = o.writer.tick;
    this.#resumed = o.resumed ?? false;
    for (const p of o.writer.header.participants) if (p.role !== 'host') this.#participants.add(p.id);
  }

  command(entry: RecordedCommand): Promise<void> {
    if (entry.tick <= this.#simulated) {
      return Promise.reject(
        new RecorderError(
          RecorderErrorCode.RECORDING_TICK_IN_PAST,
          `command recorded for tick ${entry.tick}, but tick ${this.#simulated} has already run: pass the tick it will be applied at`,
        ),
      );
    }
    const gate = this.#gate();
    if (gate) return Promise.reject(gate);
    this.#buffer.push(this.#writer.command(entry.tick, entry.by, entry.command));
    this.#commands++;
    if (entry.by !== 'host' && entry.by !== 'timeline') this.#participants.add(entry.by);
    return this.#durable();
  }

  hostAction(entry: RecordedHostAction): Promise<void> {
    const gate = this.#gate();
    if (gate) return Promise.reject(gate);
    this.#buffer.push(this.#writer.hostAction(entry.tick, entry.action, entry.detail));
    const who = entry.detail?.['participant'];
    if (entry.action === 'join' && typeof who === 'string') this.#participants.add(who);
    return this.#durable();
  }

  afterTick(state: SimState): void {
    if (this.#closed) return;
    this.#simulated = state.tick;
    const line = this.#writer.afterTick(state);
    if (!line) return;
    this.#buffer.push(line);
    this.#lazyFlush();
    if (line.startsWith('{"k":"k"')) this.#progress(true);
  }

  /** Write the end line, sync and close. Idempotent. */
  async end(reason: 'ended' | 'shutdown'): Promise<void> {
    if (this.#closed) return;
    if (!this.#failed) this.#buffer.push(this.#writer.end(reason, this.#now().toISOString()));
    let err: unknown = null;
    try {
      if (!this.#failed) await this.#durable();
    } catch (e) {
      err = e;
    }
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await closeAsync(this.#fd).catch(() => {});
    this.#observer?.onClose({
      lastTick: Math.max(this.#simulated, 0),
      commands: this.#commands,
      participants: this.#participants,
      reason: this.#failed ? 'failed' : reason,
    });
    if (err) throw err;
  }

  /** Everything written so far reaches the disk (before a download or a "continue from here" of a live session). */
  flush(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const gate = this.#gate();
    if (gate) return Promise.reject(gate);
    return this.#durable();
  }

  /**
   * A room replaced its simulation before a single tick ran here (a lobby whose first round is another scenario):
   * nothing in this file could be replayed, so it is closed and deleted instead of listed. Anything else (ticks ran,
   * or this is a resumed session's file) ends normally. True when discarded.
   */
  async discardIfUnused(): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#resumed || this.#simulated > this.#startTick || this.#failed) {
      await this.end('ended');
      return false;
    }
    await this.flush(); // whoever waits for a line gets their answer before the file goes
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await closeAsync(this.#fd).catch(() => {});
    this.#observer?.onDiscard?.();
    return true;
  }

  /** A close without an end line, as a crash would leave it (tests; a server that must stop at once). */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#flushing?.catch(() => {});
    await closeAsync(this.#fd).catch(() => {});
  }

  get commandCount(): number {
    return this.#commands;
  }

  #gate(): Error | null {
    if (this.#failed) return this.#failed;
    if (this.#closed)
      return new RecorderError(RecorderErrorCode.RECORDING_CLOSED, `recording ${this.id} has ended`);
    return null;
  }

  #durable(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#kick();
    return p;
  }

  #lazyFlush(): void {
    if (this.#timer || this.#flushing) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#closed) this.#kick();
    }, LAZY_FLUSH_MS);
    this.#timer.unref?.();
  }

  /**
   * Start the flush loop unless it runs or nothing is queued. `#flushing` is set only here and cleared only when
   * the loop's promise settles, and lines queued in between start a new loop, so no waiter is ever stranded.
   */
  #kick(): void {
    if (this.#flushing || (this.#buffer.length === 0 && this.#waiters.length === 0)) return;
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = null;
      this.#kick();
    });
  }

  /** Write and sync until nothing is queued; each round resolves the waiters whose lines it carried. */
  async #flushLoop(): Promise<void> {
    while (this.#buffer.length > 0 || this.#waiters.length > 0) {
      const data = Buffer.from(this.#buffer.join(''), 'utf8');
      const waiters = this.#waiters;
      this.#buffer = [];
      this.#waiters = [];
      try {
        let off = 0;
        while (off < data.length)
          off += (await writeAsync(this.#fd, data, off, data.length - off)).bytesWritten;
        if (waiters.length > 0) await datasyncAsync(this.#fd);
      } catch (e) {
        this.#failed = new RecorderError(
          RecorderErrorCode.RECORDING_WRITE_FAILED,
          `recording ${this.id} could not be written: ${(e as Error).message}`,
        );
        for (const w of [...waiters, ...this.#waiters]) w.reject(this.#failed);
        this.#waiters = [];
        this.#buffer = [];
        return;
      }
      for (const w of waiters) w.resolve();
      this.#progress(false);
    }
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
