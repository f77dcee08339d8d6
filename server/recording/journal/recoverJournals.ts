import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isLiveHere } from './Journal.ts';
import { readEntries, readOwner, type JournalEntry, type JournalOwner } from './journalEntry.ts';

/** What recovery found and did. */
export interface JournalRecovery {
  /** Generation files read. */
  journals: number;
  /** Entries whose lines a recording lacked, written back into it. */
  restored: number;
  /** Recordings written back into (and synced). */
  recordings: number;
  /** Entries not written back: their recording is gone (deleted), or it lacks lines before them. */
  skipped: number;
  /** Generations deleted: their process is gone, and every recording they cover is complete and synced. */
  deleted: number;
  /** Generations or recordings that could not be read or written (a full or failing disk): kept for the next try. */
  failed: number;
  /** Recordings written back into whose end, after their last journaled line, read as zeros: cut there. */
  trimmed: number;
}

/**
 * At start-up, before any recording is opened: write back into each recording the journaled lines a power cut took
 * from it (RF3). A recording lacks an entry's lines when it ends before the entry does, or when the entry's bytes in
 * it hold a NUL (what a file system shows for blocks it never got): recording lines never contain one. A recording
 * written back into is then cut where its journaled lines end if only NULs follow (trimZeroTail). Anything else is
 * left alone, so running this beside a live process (a cluster on a shared DATA_DIR) writes nothing of its files;
 * a generation is deleted only when its process is gone. Synchronous: it runs once, before the server listens.
 * It never throws: a server must start even on a failing disk. What it cannot do is counted and left for next time.
 *
 * With `only`, just that recording's lines are written back and no generation is deleted: before a resume, since the
 * process that wrote it may have been another machine's, on a shared DATA_DIR, whose journal no start here reads.
 */
export function recoverJournals(journalDir: string, recordingsDir: string, only?: string): JournalRecovery {
  const out: JournalRecovery = {
    journals: 0,
    restored: 0,
    recordings: 0,
    skipped: 0,
    deleted: 0,
    failed: 0,
    trimmed: 0,
  };
  let names: string[];
  try {
    names = readdirSync(journalDir).filter((n) => n.endsWith('.wal'));
  } catch {
    return out; // no journal yet
  }
  /** `whole`: every entry it holds is in its recording now (else it is kept whatever its owner). */
  const gens: { path: string; owner: JournalOwner; entries: JournalEntry[]; whole: boolean }[] = [];
  for (const name of names) {
    const path = join(journalDir, name);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch {
      out.failed++;
      continue;
    }
    const head = readOwner(buf);
    if (!head) continue; // not a generation this version wrote: left as it is
    gens.push({ path, owner: head.owner, entries: readEntries(buf, head.body), whole: true });
  }
  out.journals = gens.length;
  // Oldest first: a recording resumed by another process continues where the older generation's lines end.
  gens.sort((a, b) => a.owner.started - b.owner.started || a.owner.pid - b.owner.pid || a.owner.gen - b.owner.gen);

  /** Each recording opened, once; those written back into; where each one's journaled lines end. */
  const opened = new Map<string, number>();
  const written = new Set<string>();
  const journaledEnd = new Map<string, number>();
  for (const g of gens) {
    for (const e of g.entries) {
      if (only !== undefined && e.file !== only) continue;
      let r: ReturnType<typeof restore> | 'failed';
      try {
        r = restore(recordingsDir, e, opened);
      } catch {
        r = 'failed';
      }
      if (r === 'restored' || r === 'present') {
        journaledEnd.set(e.file, Math.max(journaledEnd.get(e.file) ?? 0, e.at + e.data.length));
      }
      if (r === 'restored') {
        out.restored++;
        written.add(e.file);
      } else if (r === 'skipped') out.skipped++;
      else if (r === 'failed') {
        out.failed++;
        g.whole = false;
      }
    }
  }
  for (const [file, fd] of opened) {
    try {
      if (written.has(file) && trimZeroTail(fd, journaledEnd.get(file)!)) out.trimmed++;
      if (written.has(file)) fdatasyncSync(fd);
    } catch {
      out.failed++;
      for (const g of gens) if (g.entries.some((e) => e.file === file)) g.whole = false;
    }
    try {
      closeSync(fd);
    } catch {
      // closed anyway
    }
  }
  out.recordings = written.size;

  for (const g of gens) {
    if (only !== undefined || !g.whole || !isGone(g.owner)) continue;
    // Its process may have died without a power cut: its recordings' last lines can still be only in the page
    // cache, and this generation is what would restore them. Synced first, then it can go.
    if (!syncAll(recordingsDir, new Set(g.entries.map((e) => e.file)))) continue;
    try {
      unlinkSync(g.path);
      out.deleted++;
    } catch {
      // already gone (another process recovered it first)
    }
  }
  return out;
}

/** fdatasync each recording that still exists; false if one could not be. */
function syncAll(recordingsDir: string, ids: Set<string>): boolean {
  for (const id of ids) {
    let fd: number;
    try {
      fd = openSync(join(recordingsDir, `${id}.ndjson`), 'r');
    } catch {
      continue; // deleted: nothing to keep
    }
    try {
      fdatasyncSync(fd);
    } catch {
      return false;
    } finally {
      closeSync(fd);
    }
  }
  return true;
}

/** Write one entry back into its recording if the recording lacks it. Throws when the disk will not let it. */
function restore(recordingsDir: string, e: JournalEntry, opened: Map<string, number>): 'restored' | 'present' | 'skipped' {
  let fd = opened.get(e.file);
  if (fd === undefined) {
    try {
      fd = openSync(join(recordingsDir, `${e.file}.ndjson`), 'r+');
    } catch (err) {
      // Deleted since: never brought back.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'skipped';
      throw err;
    }
    // Kept open with the others from here: written back or not, it is synced and closed once at the end.
    opened.set(e.file, fd);
  }
  const size = fstatSync(fd).size;
  if (size < e.at) return 'skipped'; // writing here would leave a hole: nothing after a gap is trusted
  const have = Buffer.alloc(Math.min(e.data.length, size - e.at));
  if (have.length > 0) readSync(fd, have, 0, have.length, e.at);
  if (have.length === e.data.length && !have.includes(0)) return 'present';
  for (let off = 0; off < e.data.length; ) off += writeSync(fd, e.data, off, e.data.length - off, e.at + off);
  return 'restored';
}

/**
 * Cut a recording that lost blocks back to its last journaled line when all that follows reads as zeros: a batch
 * written to the file but killed before its journal entry (never acknowledged) leaves its lost blocks there, and the
 * restored file should be what was written and journaled, not that plus a run of NULs. Anything else after the
 * journaled lines (another process's resume) is left alone. True if it cut.
 */
function trimZeroTail(fd: number, end: number): boolean {
  const size = fstatSync(fd).size;
  if (size <= end) return false;
  const chunk = Buffer.alloc(Math.min(64 * 1024, size - end));
  for (let at = end; at < size; ) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
    if (n === 0) break;
    if (chunk.subarray(0, n).some((b) => b !== 0)) return false;
    at += n;
  }
  ftruncateSync(fd, end);
  return true;
}

/** Whether a generation's writer has ended: it ran on this host, and its pid is free or is this process's but not a live journal. */
function isGone(o: JournalOwner): boolean {
  if (o.host !== hostname()) return false; // another machine's process: not ours to judge
  if (o.pid === process.pid) return !isLiveHere(o.id);
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return isZombie(o.pid);
}

/** A process killed but not yet reaped still answers kill(pid, 0): Linux shows it as state Z. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
