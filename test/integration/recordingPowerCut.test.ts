/**
 * RF3 through a power cut: a recording process is killed with SIGKILL, then the recording loses what only the page
 * cache held (everything after its header and first keyframe, the part synced when it was created), as a power cut
 * would take it. The next start writes the journal's lines back: every acknowledged command is in the file again,
 * the journal of the dead process is deleted, and the session resumes and replays cleanly.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecording } from '../../shared/recording/index.ts';
import { RecordingStore } from '../../server/recording/index.ts';
import { commandFor, pumpCommands, startRecordingChild } from './crashHarness.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Run a recording, kill it once `acks` commands are acknowledged: the file as kill -9 left it, and what was acked. */
async function killedSession(dataDir: string, acks: number): Promise<{ id: string; file: string; acked: Set<number>; text: string }> {
  const child = startRecordingChild(dataDir);
  const { id } = await child.ready;
  const pump = pumpCommands(child);
  await child.waitAcks(acks);
  pump.stop();
  child.proc.kill('SIGKILL');
  await child.exited;
  const file = join(dataDir, 'recordings', `${id}.ndjson`);
  return { id, file, acked: new Set(child.acked), text: readFileSync(file, 'utf8') };
}

/** Where the recording's header and first keyframe end: what its creation synced. */
function syncedAtCreation(text: string): number {
  return text.indexOf('\n', text.indexOf('\n') + 1) + 1;
}

const journals = (dataDir: string) => (existsSync(join(dataDir, 'journal')) ? readdirSync(join(dataDir, 'journal')).filter((n) => n.endsWith('.wal')) : []);

describe('a power cut after acknowledged commands (RF3)', () => {
  it.each([
    ['the lost lines are gone from the end of the file', 'cut'],
    ['the lost lines read as zeros (blocks the file system never got)', 'zeros'],
    ['a last batch, written but killed before its journal entry (never acked), reads as zeros too', 'unjournaled'],
  ] as const)('restores every acknowledged command when %s, then resumes', async (_what, damage) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oom-power-cut-'));
    dirs.push(dataDir);
    const { id, file, acked, text } = await killedSession(dataDir, 120);
    expect(acked.size).toBeGreaterThanOrEqual(120);
    expect(journals(dataDir)).toHaveLength(1);

    const keep = syncedAtCreation(text);
    // The kill can land between a batch's write to the recording and its journal entry: a line's worth of bytes that
    // only the file had (never acknowledged), lost to the power cut with the rest.
    const unjournaled = damage === 'unjournaled' ? 48 : 0;
    if (damage === 'cut') truncateSync(file, keep);
    else {
      const lost = Buffer.alloc(Buffer.byteLength(text) - keep + unjournaled);
      writeFileSync(file, Buffer.concat([Buffer.from(text.slice(0, keep)), lost]));
    }
    const damaged = loadRecording(readFileSync(file, 'utf8'));
    expect(damaged.ok && damaged.value.commandCount, 'the damage took the commands').toBe(0);

    const store = new RecordingStore({ dataDir });
    expect(store.recovered).toMatchObject({ journals: 1, recordings: 1, deleted: 1 });
    if (damage === 'unjournaled') {
      expect(store.recovered.trimmed, 'the zeros after the last journaled line are cut').toBe(1);
    }
    expect(store.recovered.restored).toBeGreaterThan(0);
    expect(journals(dataDir), 'the dead process its journal').toHaveLength(0);

    const restored = readFileSync(file, 'utf8');
    // What was written and journaled before the kill, byte for byte (a last batch not yet journaled was not acked).
    expect(text.startsWith(restored)).toBe(true);
    const rec = loadRecording(restored);
    expect(rec.ok).toBe(true);
    if (!rec.ok) return;
    expect(rec.value.divergence).toBeNull();
    const inFile = [...rec.value.commands.values()].flat();
    for (const n of acked) expect(inFile[n], `acknowledged command ${n}`).toEqual(commandFor(n));

    const resumed = await store.resume(id);
    expect(resumed.state.tick).toBe(rec.value.lastTick);
    await resumed.recorder.end('ended');
    await store.closeAll();
    const after = loadRecording(readFileSync(file, 'utf8'));
    expect(after.ok && after.value.end?.reason).toBe('ended');
    expect(after.ok && after.value.commandCount).toBe(rec.value.commandCount);
    expect(journals(dataDir), 'a clean stop leaves no journal').toHaveLength(0);
  }, 30_000);
});
