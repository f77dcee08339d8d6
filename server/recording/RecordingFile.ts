import { close, closeSync, fdatasync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Checkpointable, Journal } from './journal/Journal.ts';

export const datasyncAsync = promisify(fdatasync);
export const closeAsync = promisify(close);

/**
 * The file a recorder appends to, behind a port so tests can inject faults (a full disk, a slow or failing sync)
 * and check the order of write, sync and acknowledgement.
 *
 * Writes are synchronous on purpose: a command's line is in the file (the page cache) before the room applies the
 * command, so a failed write means the command is refused, never applied without its line. One write per tick
 * batch, a few microseconds. The sync (what survives a power cut) stays asynchronous and grouped.
 */
export interface RecordingFile {
  /** The file's length when it was opened (bytes). */
  readonly initialSize: number;
  /** Append `data[offset..]`; returns the bytes written (a short write returns fewer). Throws on failure (ENOSPC). */
  write(data: Buffer, offset: number): number;
  /** Cut the file back to `size` bytes: a batch that did not fit leaves no torn line behind. */
  truncate(size: number): void;
  /** Resolves once everything written so far is on disk (in the file, or in the journal that can restore it). */
  datasync(): Promise<void>;
  /** Called once, after every sync started has settled. */
  close(): Promise<void>;
}

/**
 * A RecordingFile over a descriptor open for writing at its end, made durable through the process's journal: each
 * whole batch, once in the file, is appended to the journal too, and `datasync` waits for the journal's group sync
 * (one fdatasync for every room's commands of the last few milliseconds). The file itself is synced when the journal
 * retires a generation holding its lines (`checkpoint`) and before it closes.
 */
export function journaledFile(fd: number, id: string, journal: Journal): RecordingFile {
  // Writes go to an explicit position (the end of the whole lines), so a truncate is followed by a write where the
  // file now ends, not at the descriptor's old offset (which would leave a hole of zeros).
  let end = fstatSync(fd).size;
  let batchAt = end;
  /** The file's own syncs, one at a time, so it is never closed under one. */
  let own: Promise<void> = Promise.resolve();
  const syncOwn = (): Promise<void> => {
    own = own.then(
      () => datasyncAsync(fd),
      () => datasyncAsync(fd),
    );
    return own;
  };
  /** The last sync before the close: true once it has landed. */
  let closing: Promise<boolean> | null = null;
  const file: RecordingFile & Checkpointable = {
    initialSize: end,
    write: (data, offset) => {
      if (offset === 0) batchAt = end;
      const n = writeSync(fd, data, offset, data.length - offset, end);
      end += n;
      // The whole batch is in the file: into the journal with it (if that fails, the batch is taken back).
      if (n > 0 && offset + n === data.length) journal.append(id, batchAt, data, file);
      return n;
    },
    truncate: (size) => {
      ftruncateSync(fd, size);
      end = size;
    },
    datasync: () => journal.durable(),
    checkpoint: () => {
      if (closing === null) return syncOwn();
      return closing.then((synced) => {
        if (!synced) throw new Error(`recording ${id} could not be synced before it closed`);
      });
    },
    close: async () => {
      closing ??= syncOwn().then(
        () => true,
        () => false, // its journal generation is then kept for recovery
      );
      await closing;
      await closeAsync(fd);
    },
  };
  return file;
}

/** Write a whole string (a short write continues where it stopped); throws on failure. */
export function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/** Close a descriptor, ignoring errors (a file being abandoned after a failure). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
