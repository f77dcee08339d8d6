/** Full disks for tests: an in-memory file with a capacity, and a real small tmpfs when this process may mount one. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingFile } from '../../server/recording/RecordingFile.ts';

export function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** An in-memory file with a capacity: a write that does not fit is cut short, then fails with ENOSPC. */
export class MemoryFile implements RecordingFile {
  bytes: Buffer;
  readonly initialSize: number;
  log: string[] = [];
  closed = false;
  syncs: ReturnType<typeof deferred>[] = [];
  /** Resolve syncs at once unless the test holds them. */
  holdSyncs = false;
  constructor(
    initial: string,
    public capacity = Infinity,
  ) {
    this.bytes = Buffer.from(initial);
    this.initialSize = this.bytes.length;
  }
  write(data: Buffer, offset: number): number {
    if (this.closed) throw new Error('EBADF: write on a closed file');
    const room = this.capacity - this.bytes.length;
    if (room <= 0) throw enospc();
    const n = Math.min(room, data.length - offset);
    this.bytes = Buffer.concat([this.bytes, data.subarray(offset, offset + n)]);
    this.log.push('write');
    return n;
  }
  truncate(size: number): void {
    this.bytes = this.bytes.subarray(0, size);
    this.log.push(`truncate ${size}`);
  }
  datasync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('EBADF: fdatasync on a closed file'));
    this.log.push('sync');
    if (!this.holdSyncs) return Promise.resolve();
    const d = deferred();
    this.syncs.push(d);
    return d.promise;
  }
  async close(): Promise<void> {
    this.log.push('close');
    this.closed = true;
  }
  text(): string {
    return this.bytes.toString('utf8');
  }
}


/** A mounted tmpfs of `sizeMiB`, filled and freed on demand; null when this process cannot mount one. */
export function mountTmpfs(sizeMiB = 3): { dir: string; fill(): number; free(): void; cleanup(): void } | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || process.env['OOM_TEST_NO_TMPFS']) return null;
  const dir = mkdtempSync(join(tmpdir(), 'oom-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    // Fill to the last byte: big chunks, then smaller ones, until nothing more fits. Returns the bytes written.
    fill: () => {
      const chunk = Buffer.alloc(64 * 1024, 120);
      let n = 0;
      for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
        for (;;) {
          try {
            writeFileSync(filler, chunk.subarray(0, size), { flag: 'a' });
            n += size;
          } catch {
            break;
          }
        }
      }
      return n;
    },
    free: () => unlinkSync(filler),
    cleanup: () => {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
