/**
 * The recordings' journal: its entries, its group sync (an acknowledgement waits for a sync that began after the
 * write, one sync for many), its generations (retired when full, deleted once their recordings are synced), and
 * start-up recovery (what a recording lacks is written back, nothing else is touched).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, type Checkpointable } from '../../server/recording/journal/Journal.ts';
import { encodeEntry, ownerLine, readEntries, readOwner } from '../../server/recording/journal/journalEntry.ts';
import { recoverJournals } from '../../server/recording/journal/recoverJournals.ts';
import { LineAppender } from '../../server/recording/LineAppender.ts';
import { journaledFile } from '../../server/recording/RecordingFile.ts';
import { deferred } from '../integration/diskHelpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'oom-journal-'));
  dirs.push(d);
  return d;
}

/** A DATA_DIR with an empty journal folder and an empty recordings folder. */
function emptyDataDir(): { journalDir: string; recDir: string } {
  const data = tmp();
  const journalDir = join(data, 'journal');
  const recDir = join(data, 'recordings');
  mkdirSync(journalDir);
  mkdirSync(recDir);
  return { journalDir, recDir };
}

/** A journal whose syncs the test releases one by one. */
function heldJournal(o: { syncGapMs?: number; rotateBytes?: number } = {}) {
  const syncs: ReturnType<typeof deferred>[] = [];
  const journal = new Journal({
    dir: join(tmp(), 'journal'),
    syncGapMs: o.syncGapMs ?? 0,
    rotateBytes: o.rotateBytes,
    datasync: () => {
      const d = deferred();
      syncs.push(d);
      return d.promise;
    },
  });
  return { journal, syncs };
}

const settledFlag = (p: Promise<unknown>) => {
  const s = { done: false, failed: false };
  p.then(
    () => (s.done = true),
    () => (s.failed = true),
  );
  return s;
};
const turn = () => new Promise((r) => setImmediate(r));
const nobody: Checkpointable = { checkpoint: () => Promise.resolve() };

describe('journal entries', () => {
  it('read back whole, and stop at a torn or damaged one', () => {
    const a = encodeEntry('rec-1', 0, Buffer.from('{"k":"c"}\n'));
    const b = encodeEntry('rec-2', 120, Buffer.from('{"k":"h","t":3}\n{"k":"h","t":4}\n'));
    const c = encodeEntry('rec-1', 10, Buffer.from('{"k":"c","t":9}\n'));
    const owner = ownerLine({ journal: 1, host: 'h', pid: 7, started: 1, id: 'x', gen: 0 });
    const whole = Buffer.concat([Buffer.from(owner), a, b, c]);
    const head = readOwner(whole)!;
    expect(head.owner).toMatchObject({ pid: 7, id: 'x', gen: 0 });
    const all = readEntries(whole, head.body);
    expect(all.map((e) => [e.file, e.at, e.data.toString()])).toEqual([
      ['rec-1', 0, '{"k":"c"}\n'],
      ['rec-2', 120, '{"k":"h","t":3}\n{"k":"h","t":4}\n'],
      ['rec-1', 10, '{"k":"c","t":9}\n'],
    ]);
    // Torn in c's data: a and b only.
    expect(readEntries(whole.subarray(0, whole.length - 3), head.body)).toHaveLength(2);
    // A flipped byte in b's data: a only (c comes after the damage, so it is not trusted either).
    const flipped = Buffer.from(whole);
    const at = head.body + a.length + b.length - 5;
    flipped.writeUInt8(flipped.readUInt8(at) ^ 0x01, at);
    expect(readEntries(flipped, head.body)).toHaveLength(1);
    // Zeros where entries should be (a file system's unwritten blocks): nothing.
    expect(readEntries(Buffer.concat([Buffer.from(owner), Buffer.alloc(64)]), head.body)).toHaveLength(0);
    // A name that is not a recording id is not an entry.
    expect(readEntries(encodeEntry('../etc/passwd', 0, Buffer.from('x\n')), 0)).toHaveLength(0);
  });
});

describe('the journal sync', () => {
  it('acknowledges only after a sync that began after the write, and one sync serves everything that waited', async () => {
    const { journal, syncs } = heldJournal();
    journal.append('rec-1', 0, Buffer.from('a\n'), nobody);
    const first = settledFlag(journal.durable());
    await turn();
    expect(syncs).toHaveLength(1);
    // Written while the first sync runs: that sync does not cover them.
    journal.append('rec-2', 0, Buffer.from('b\n'), nobody);
    const second = settledFlag(journal.durable());
    journal.append('rec-1', 2, Buffer.from('c\n'), nobody);
    const third = settledFlag(journal.durable());
    await turn();
    expect(syncs).toHaveLength(1);
    syncs[0]!.resolve();
    await turn();
    expect([first.done, second.done, third.done]).toEqual([true, false, false]);
    await turn();
    expect(syncs).toHaveLength(2); // one for both
    syncs[1]!.resolve();
    await turn();
    expect([second.done, third.done]).toEqual([true, true]);
    expect(syncs).toHaveLength(2);
  });

  it('starts at most one sync per gap, however many rooms wait', async () => {
    let now = 0;
    let count = 0;
    const journal = new Journal({ dir: join(tmp(), 'journal'), syncGapMs: 20, now: () => now, datasync: async () => void count++ });
    journal.append('rec-1', 0, Buffer.from('a\n'), nobody);
    await journal.durable();
    expect(count).toBe(1);
    // Twenty rooms' commands inside the gap: one sync when it has passed.
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      journal.append(`rec-${i}`, 2, Buffer.from('b\n'), nobody);
      waits.push(journal.durable());
    }
    now = 5;
    await turn();
    expect(count).toBe(1);
    now = 25; // the timer set for the gap's end finds it passed
    await Promise.all(waits);
    expect(count).toBe(2);
  });

  it('refuses the waiters of a failed sync and syncs the same generation again for the next', async () => {
    const { journal, syncs } = heldJournal();
    journal.append('rec-1', 0, Buffer.from('a\n'), nobody);
    const first = journal.durable();
    await turn();
    syncs[0]!.reject(new Error('EIO: i/o error, fdatasync'));
    await expect(first).rejects.toThrow(/EIO/);
    const retry = settledFlag(journal.durable());
    await turn();
    expect(syncs).toHaveLength(2);
    syncs[1]!.resolve();
    await turn();
    expect(retry.done).toBe(true);
  });
});

describe('journal generations', () => {
  const wal = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.wal'));

  it('retires a full generation at its sync, syncs its recordings, then deletes it', async () => {
    const dir = join(tmp(), 'journal');
    const journal = new Journal({ dir, syncGapMs: 0, rotateBytes: 64 });
    const synced: string[] = [];
    const rec = (name: string): Checkpointable => ({ checkpoint: async () => void synced.push(name) });
    journal.append('rec-1', 0, Buffer.alloc(80, 0x61), rec('rec-1'));
    const [first] = journal.generations;
    await journal.durable();
    // Full: the next lines go to a new generation, and the first one's recording was synced.
    journal.append('rec-2', 0, Buffer.from('next\n'), rec('rec-2'));
    expect(journal.generations).toHaveLength(1);
    expect(journal.generations[0]).not.toBe(first);
    expect(synced).toEqual(['rec-1']);
    await journal.drain();
    expect(synced).toEqual(['rec-1', 'rec-2']);
    expect(wal(dir)).toHaveLength(0);
  });

  it('keeps a generation whose recording could not be synced, for recovery', async () => {
    const dir = join(tmp(), 'journal');
    const journal = new Journal({ dir, syncGapMs: 0, rotateBytes: 64 });
    journal.append('rec-1', 0, Buffer.alloc(80, 0x61), { checkpoint: () => Promise.reject(new Error('EIO')) });
    await journal.durable();
    await journal.drain();
    expect(wal(dir)).toHaveLength(1);
  });
});

describe('recovery at start-up', () => {
  /** A recording with lines written through a real journal, synced; returns its paths and the full text. */
  async function journaled(lines: string[]) {
    const data = tmp();
    const recDir = join(data, 'recordings');
    mkdirSync(recDir);
    const path = join(recDir, 'rec-1.ndjson');
    writeFileSync(path, '{"k":"header"}\n');
    const journal = new Journal({ dir: join(data, 'journal') });
    const file = journaledFile(openSync(path, 'r+'), 'rec-1', journal);
    for (const l of lines) {
      const b = Buffer.from(l);
      for (let off = 0; off < b.length; ) off += file.write(b, off);
    }
    await file.datasync();
    return { data, recDir, path, journalDir: join(data, 'journal'), full: readFileSync(path, 'utf8'), journal, file };
  }

  it('writes back what a recording lost and leaves a live journal where it is', async () => {
    const r = await journaled(['{"k":"c","t":1}\n', '{"k":"c","t":2}\n{"k":"h","t":2}\n']);
    writeFileSync(r.path, '{"k":"header"}\n'); // the power cut took the rest
    const got = recoverJournals(r.journalDir, r.recDir);
    expect(got).toMatchObject({ journals: 1, restored: 2, recordings: 1, skipped: 0, deleted: 0 });
    expect(readFileSync(r.path, 'utf8')).toBe(r.full);
    expect(readdirSync(r.journalDir).filter((n) => n.endsWith('.wal'))).toHaveLength(1); // its journal is live
    // Run again: nothing is lacking, nothing is written.
    expect(recoverJournals(r.journalDir, r.recDir)).toMatchObject({ restored: 0, recordings: 0 });
    await r.file.close();
  });

  it('rewrites lines that read as zeros, never brings back a deleted recording, never overwrites other lines', async () => {
    const r = await journaled(['{"k":"c","t":1}\n', '{"k":"c","t":2}\n']);
    const full = Buffer.from(r.full);
    const zeroed = Buffer.from(full);
    zeroed.fill(0, '{"k":"header"}\n'.length);
    writeFileSync(r.path, zeroed);
    expect(recoverJournals(r.journalDir, r.recDir).restored).toBe(2);
    expect(readFileSync(r.path, 'utf8')).toBe(r.full);

    // Other lines where the journal's were (another process's resume): left alone.
    const other = r.full.replace('"t":2', '"t":7');
    writeFileSync(r.path, other);
    expect(recoverJournals(r.journalDir, r.recDir).restored).toBe(0);
    expect(readFileSync(r.path, 'utf8')).toBe(other);

    rmSync(r.path);
    expect(recoverJournals(r.journalDir, r.recDir)).toMatchObject({ restored: 0, skipped: 2 });
    expect(readdirSync(r.recDir)).toHaveLength(0);
    await r.file.close().catch(() => {});
  });

  it('cuts the zeros a batch never journaled left after the last journaled line, and nothing else', async () => {
    const r = await journaled(['{"k":"c","t":1}\n', '{"k":"c","t":2}\n']);
    const full = Buffer.from(r.full);
    const unjournaled = Buffer.from('{"k":"c","t":3}\n'); // written, killed before its journal entry: never acked
    const header = '{"k":"header"}\n'.length;
    // The power cut took every block after the header: the journaled lines and the batch after them read as zeros.
    const lost = Buffer.alloc(full.length - header + unjournaled.length);
    writeFileSync(r.path, Buffer.concat([full.subarray(0, header), lost]));
    expect(recoverJournals(r.journalDir, r.recDir)).toMatchObject({ restored: 2, recordings: 1, trimmed: 1 });
    expect(readFileSync(r.path, 'utf8')).toBe(r.full);

    // The batch after the journaled lines survived (only a journaled line was lost): restored, the batch kept.
    const zeroedLine = Buffer.concat([full.subarray(0, header), Buffer.alloc(full.length - header), unjournaled]);
    writeFileSync(r.path, zeroedLine);
    expect(recoverJournals(r.journalDir, r.recDir)).toMatchObject({ restored: 2, trimmed: 0 });
    expect(readFileSync(r.path, 'utf8')).toBe(r.full + unjournaled.toString());

    // Nothing lost: a zero tail is not this recovery's to judge (nothing was written back), so it stays.
    const withZeros = Buffer.concat([full, Buffer.alloc(8)]);
    writeFileSync(r.path, withZeros);
    expect(recoverJournals(r.journalDir, r.recDir)).toMatchObject({ restored: 0, trimmed: 0 });
    expect(readFileSync(r.path)).toEqual(withZeros);
    await r.file.close();
  });

  it('before a resume, writes back only that recording and deletes nothing', async () => {
    const r = await journaled(['{"k":"c","t":1}\n']);
    const other = join(r.recDir, 'rec-2.ndjson');
    writeFileSync(other, '{"k":"header"}\n');
    const file2 = journaledFile(openSync(other, 'r+'), 'rec-2', r.journal);
    const line = Buffer.from('{"k":"c","t":5}\n');
    file2.write(line, 0);
    await file2.datasync();
    const full2 = readFileSync(other, 'utf8');
    writeFileSync(r.path, '{"k":"header"}\n');
    writeFileSync(other, '{"k":"header"}\n');
    expect(recoverJournals(r.journalDir, r.recDir, 'rec-2')).toMatchObject({ restored: 1, recordings: 1, deleted: 0 });
    expect(readFileSync(other, 'utf8')).toBe(full2);
    expect(readFileSync(r.path, 'utf8')).toBe('{"k":"header"}\n');
    await Promise.all([r.file.close(), file2.close()]);
  });

  it('a batch the journal cannot take is taken back from the recording', () => {
    const data = tmp();
    const path = join(data, 'rec-1.ndjson');
    writeFileSync(path, '{"k":"header"}\n');
    writeFileSync(join(data, 'journal'), 'in the way'); // the journal cannot make its folder
    const file = journaledFile(openSync(path, 'r+'), 'rec-1', new Journal({ dir: join(data, 'journal') }));
    const lines = new LineAppender(file);
    expect(() => lines.append(Buffer.from('{"k":"c","t":1}\n'))).toThrow(/EEXIST|ENOTDIR/);
    expect(readFileSync(path, 'utf8')).toBe('{"k":"header"}\n');
  });

  it('counts a killed process not yet reaped (a zombie) as gone', async () => {
    // The shell starts a child, then becomes a sleep that never reaps it: killed, the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(String((await once(parent.stdout, 'data'))[0]).trim());
      process.kill(pid, 'SIGKILL');
      const state = () => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      };
      while (state() !== 'Z') await turn();
      const { journalDir, recDir } = emptyDataDir();
      writeFileSync(join(journalDir, 'z.wal'), ownerLine({ journal: 1, host: hostname(), pid, started: 1, id: 'z', gen: 0 }));
      expect(recoverJournals(journalDir, recDir)).toMatchObject({ journals: 1, deleted: 1 });
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('never throws on a failing disk: what it cannot read or write back is counted, and its generation kept', () => {
    const { journalDir, recDir } = emptyDataDir();
    // A recording that cannot be opened for writing (a folder where the file should be), in a gone process's journal.
    mkdirSync(join(recDir, 'rec-1.ndjson'));
    const owner = ownerLine({ journal: 1, host: hostname(), pid: 4194305, started: 1, id: 'a', gen: 0 });
    writeFileSync(join(journalDir, 'a.wal'), Buffer.concat([Buffer.from(owner), encodeEntry('rec-1', 0, Buffer.from('{"k":"c"}\n'))]));
    mkdirSync(join(journalDir, 'b.wal')); // a generation that cannot be read
    const got = recoverJournals(journalDir, recDir);
    expect(got).toMatchObject({ journals: 1, restored: 0, failed: 2, deleted: 0 });
    expect(readdirSync(journalDir).sort()).toEqual(['a.wal', 'b.wal']);
  });

  it("deletes a gone process's generations, keeps another machine's", () => {
    const { journalDir, recDir } = emptyDataDir();
    // 4194305 is above Linux's largest pid: no process has it.
    const gone = ownerLine({ journal: 1, host: hostname(), pid: 4194305, started: 1, id: 'a', gen: 0 });
    const elsewhere = ownerLine({ journal: 1, host: `${hostname()}-other`, pid: 4194305, started: 2, id: 'b', gen: 0 });
    const stale = ownerLine({ journal: 1, host: hostname(), pid: process.pid, started: 3, id: 'not-a-live-one', gen: 0 });
    writeFileSync(join(journalDir, 'a.wal'), gone);
    writeFileSync(join(journalDir, 'b.wal'), elsewhere);
    writeFileSync(join(journalDir, 'c.wal'), stale);
    writeFileSync(join(journalDir, 'notes.txt'), 'not a journal');
    expect(recoverJournals(journalDir, recDir)).toMatchObject({ journals: 3, deleted: 2 });
    expect(readdirSync(journalDir).sort()).toEqual(['b.wal', 'notes.txt']);
  });
});
