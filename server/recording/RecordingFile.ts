import { close, closeSync, fdatasync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';

const datasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

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
  /** fdatasync: resolves once everything written so far is on disk. */
  datasync(): Promise<void>;
  /** Called once, after every sync started has settled. */
  close(): Promise<void>;
}

/** A RecordingFile over a descriptor open for writing at its end. */
export function fdFile(fd: number): RecordingFile {
  // Writes go to an explicit position (the end of the whole lines), so a truncate is followed by a write where the
  // file now ends, not at the descriptor's old offset (which would leave a hole of zeros).
  let end = fstatSync(fd).size;
  return {
    initialSize: end,
    write: (data, offset) => {
      const n = writeSync(fd, data, offset, data.length - offset, end);
      end += n;
      return n;
    },
    truncate: (size) => {
      ftruncateSync(fd, size);
      end = size;
    },
    datasync: () => datasyncAsync(fd),
    close: () => closeAsync(fd),
  };
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
