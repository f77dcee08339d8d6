/**
 * Crash safety through a real process: a recorder in a child process is killed with SIGKILL mid-session; the file
 * must hold every command that was acknowledged, list as interrupted, resume, and replay to the live hashes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecording, seek } from '../../shared/recording/index.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { RecordingStore } from '../../server/recording/index.ts';
import { commandFor, pumpCommands, startRecordingChild } from './crashHarness.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const start = (env: Record<string, string> = {}) => startRecordingChild(dataDir, env);

describe('kill -9 of a recording process (RC1)', () => {
  it('keeps every acknowledged command, lists as interrupted, resumes, and replays to the live hashes', async () => {
    // Session 1: commands stream in; the process is killed while acks are still in flight.
    const a = start();
    const { id } = await a.ready;
    const pump = pumpCommands(a);
    await a.waitAcks(150);
    while (a.hashes.size < 40) await new Promise((r) => setTimeout(r, 10));
    const sentBeforeKill = pump.stop();
    a.proc.kill('SIGKILL');
    await a.exited;
    const ackedBeforeKill = new Set(a.acked);
    expect(ackedBeforeKill.size).toBeGreaterThanOrEqual(150);

    // Every acked command is in the file (each command is unique by its order; the file keeps that order).
    const text1 = readFileSync(join(dataDir, 'recordings', `${id}.ndjson`), 'utf8');
    const first = loadRecording(text1);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.value.end).toBeNull();
    expect(first.value.divergence).toBeNull();
    expect(first.value.commandCount).toBeGreaterThanOrEqual(Math.max(...ackedBeforeKill) + 1);
    expect(first.value.commandCount).toBeLessThanOrEqual(sentBeforeKill);
    const inFile = [...first.value.commands.values()].flat();
    for (const n of ackedBeforeKill) expect(inFile[n], `acked command ${n}`).toEqual(commandFor(n));

    // A fresh process lists it as interrupted.
    const store = new RecordingStore({ dataDir });
    const listed = (await store.list()).find((r) => r.id === id);
    expect(listed).toMatchObject({ state: 'interrupted', code: 'CRSH', participants: 10 });
    expect(listed!.lastTick).toBe(first.value.lastTick);

    // Session 2: resume it in a new process, send more, end it cleanly.
    const b = start({ RESUME: id });
    const resumed = await b.ready;
    expect(resumed.tick).toBe(first.value.lastTick);
    for (let i = 0; i < 40; i++) {
      const c = commandFor(1000 + i);
      b.send(i, c.by, c.cmd);
    }
    await b.waitAcks(40);
    while (b.hashes.size < 20) await new Promise((r) => setTimeout(r, 10));
    b.proc.kill('SIGTERM');
    await b.exited;

    const rec = loadRecording(readFileSync(join(dataDir, 'recordings', `${id}.ndjson`), 'utf8'));
    expect(rec.ok).toBe(true);
    if (!rec.ok) return;
    expect(rec.value.divergence).toBeNull();
    expect(rec.value.end?.reason).toBe('ended');
    expect(rec.value.markers.filter((m) => m.kind === 'resume')).toHaveLength(1);
    expect(rec.value.commandCount).toBe(first.value.commandCount + 40);
    // The replay reproduces every hash either live process printed (before the crash: up to where the file stops).
    let compared = 0;
    // A's hashes after the file's last tick belong to a future that was lost with the crash (nothing acked there).
    const live = [...[...a.hashes].filter(([t]) => t <= first.value.lastTick), ...b.hashes];
    for (const [tick, hash] of live) {
      if (tick > rec.value.lastTick) continue;
      expect(stateHash(seek(rec.value, tick)), `tick ${tick}`).toBe(hash);
      compared++;
    }
    expect(compared).toBeGreaterThan(25);
    expect((await store.summary(id))?.state).toBe('ended');
  }, 30_000);
});
