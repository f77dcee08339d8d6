/** The file recorder's group commit on a real file: acks, ordering, the lazy flush, failure and closing. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { roundScenario, studentPod } from '../../shared/game/roundScenario.ts';
import { loadRecording } from '../../shared/recording/index.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import { RecorderErrorCode, RecordingStore } from '../../server/recording/index.ts';
import { RecordingDir } from '../../server/recording/RecordingDir.ts';
import { INDEX_WRITE_EVERY_MS } from '../../server/recording/RecordingStore.ts';
import { ResumedSession } from '../../server/sessions/ResumedSession.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-recorder-'));
afterAll(async () => {
  await store.settled(); // index files are rewritten in the background: let them land before deleting the folder
  rmSync(dataDir, { recursive: true, force: true });
});
const store = new RecordingStore({ dataDir });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`not settled within ${ms} ms`)))]);

function session() {
  const scenario = roundScenario({ seats: 2, seed: 11 });
  const state = createSimulation(scenario);
  return { state, rec: store.create({ code: 'UNIT', scenario, seed: state.seed, initialState: state }) };
}

describe('file recorder (RR2)', () => {
  it('a command after the lazy flush ran on an empty buffer is still acknowledged (regression)', async () => {
    const { state, rec } = session();
    await rec.command({ tick: 1, by: 's0', command: { type: 'add_pod', pod: studentPod('s0') } });
    for (let t = 1; t <= 10; t++) {
      advance(state, t === 1 ? [{ type: 'add_pod', pod: studentPod('s0') }] : []);
      rec.afterTick(state); // tick 10 queues a hash line and arms the lazy flush
    }
    await rec.command({ tick: 11, by: 's0', command: { type: 'kill', pod: 's0' } }); // flushes the hash line too
    await sleep(400); // the lazy flush fires with nothing to write
    await within(rec.command({ tick: 11, by: 's0', command: { type: 'exit', pod: 's0', code: 1 } }), 2000);
    advance(state, [
      { type: 'kill', pod: 's0' },
      { type: 'exit', pod: 's0', code: 1 },
    ]);
    rec.afterTick(state);
    await rec.end('ended');
    const r = loadRecording(readFileSync(store.file(rec.id), 'utf8'));
    expect(r.ok && r.value.divergence === null && r.value.commandCount).toBe(3);
  });

  it('many concurrent commands share syncs and keep their order', async () => {
    const { rec } = session();
    const acks = Array.from({ length: 200 }, (_, i) =>
      rec.command({
        tick: 1 + Math.floor(i / 20),
        by: `s${i % 2}`,
        command: { type: 'set_workload', pod: `s${i % 2}`, workload: { requestsPerSec: i } },
      }),
    );
    await within(Promise.all(acks), 5000);
    await rec.end('ended');
    const text = readFileSync(store.file(rec.id), 'utf8');
    const rps = text
      .split('\n')
      .filter((l) => l.startsWith('{"k":"c"'))
      .map(
        (l) =>
          (JSON.parse(l) as { cmd: { workload: { requestsPerSec: number } } }).cmd.workload.requestsPerSec,
      );
    expect(rps).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('refuses a command for a tick that already ran, and anything after the end', async () => {
    const { state, rec } = session();
    advance(state);
    rec.afterTick(state);
    await expect(
      rec.command({ tick: 1, by: 's0', command: { type: 'kill', pod: 's0' } }),
    ).rejects.toMatchObject({ code: RecorderErrorCode.RECORDING_TICK_IN_PAST });
    await rec.end('ended');
    await expect(
      rec.command({ tick: 5, by: 's0', command: { type: 'kill', pod: 's0' } }),
    ).rejects.toMatchObject({ code: RecorderErrorCode.RECORDING_CLOSED });
    await rec.end('ended'); // idempotent
  });

  it('a session that recorded its host key hash resumes only for that host key, once at a time', async () => {
    const scenario = roundScenario({ seats: 2, seed: 12 });
    const state = createSimulation(scenario);
    const hostKeySha256 = createHash('sha256').update('the-host-key-1234').digest('hex');
    const rec = store.create({
      code: 'AUTH',
      scenario,
      seed: state.seed,
      initialState: state,
      options: { hostKeySha256 },
    });
    await rec.hostAction({
      tick: 0,
      action: 'join',
      detail: { participant: '7', slot: 'ada', name: 'Ada', tokenSha256: 'ab'.repeat(32) },
    });
    advance(state);
    rec.afterTick(state);
    await rec.abandon();
    const fresh = new RecordingStore({ dataDir });
    await expect(fresh.resume(rec.id)).rejects.toMatchObject({ code: 'BAD_HOST_KEY', status: 403 });
    await expect(fresh.resume(rec.id, { hostKey: 'another-key-12345' })).rejects.toMatchObject({
      code: 'BAD_HOST_KEY',
    });
    // Who was seated is the room's to read back from its join actions (server/sessions/).
    const seated = new ResumedSession();
    const [a, b] = await Promise.allSettled([
      fresh.resume(rec.id, { hostKey: 'the-host-key-1234' }, { onLine: seated.onLine }),
      fresh.resume(rec.id, { hostKey: 'the-host-key-1234' }),
    ]);
    expect(a.status).toBe('fulfilled');
    if (a.status === 'fulfilled')
      expect(seated.seats).toMatchObject([
        { id: '7', slot: 'ada', name: 'Ada', tokenSha256: 'ab'.repeat(32) },
      ]);
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'RECORDING_LIVE' } });
    if (a.status === 'fulfilled') await a.value.recorder.end('ended');
  });

  it('a recording no tick ran in is dropped when its room replaces the simulation; one with ticks, or resumed, is kept', async () => {
    const listed = async (id: string) => (await store.list()).some((r) => r.id === id);
    // Seats were recorded (a join, its add_pod command), but the lobby never ran: nothing to replay.
    const unused = session();
    await unused.rec.hostAction({ tick: 0, action: 'join', detail: { participant: '1', slot: 's0', name: 'Ada' } });
    await unused.rec.command({ tick: 1, by: '1', command: { type: 'add_pod', pod: studentPod('s0') } });
    expect(await unused.rec.discardIfUnused()).toBe(true);
    await store.settled();
    expect(existsSync(store.file(unused.rec.id))).toBe(false);
    expect(await listed(unused.rec.id)).toBe(false);

    const used = session();
    advance(used.state);
    used.rec.afterTick(used.state);
    expect(await used.rec.discardIfUnused()).toBe(false);
    await store.settled();
    expect((await store.list()).find((r) => r.id === used.rec.id)).toMatchObject({ state: 'ended', lastTick: 1 });

    // An interrupted session resumed and replaced before its next tick keeps its file: its past is in it.
    const crashed = session();
    advance(crashed.state);
    crashed.rec.afterTick(crashed.state);
    await crashed.rec.abandon();
    const other = new RecordingStore({ dataDir });
    const again = await other.resume(crashed.rec.id);
    expect(await again.recorder.discardIfUnused()).toBe(false);
    await other.settled();
    expect(existsSync(store.file(crashed.rec.id))).toBe(true);
    expect(await listed(crashed.rec.id)).toBe(true);
  });

  it('flush writes out the lines a live recording still holds (a download or a continue sees up to now)', async () => {
    const { state, rec } = session();
    for (let t = 1; t <= 20; t++) {
      advance(state);
      rec.afterTick(state);
    }
    await store.flush(rec.id);
    const hashes = readFileSync(store.file(rec.id), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"k":"h"')).length;
    expect(hashes).toBe(2);
    await rec.end('ended');
  });

  it("lists a live recording's figures as they stand; its index file is written once a minute at most, and at the end", async () => {
    let clock = Date.parse('2026-12-02T10:00:00Z');
    const dir = mkdtempSync(join(tmpdir(), 'oom-rec-index-'));
    const timed = new RecordingStore({ dataDir: dir, now: () => new Date(clock) });
    const files = new RecordingDir(dir);
    const onDisk = () => JSON.parse(readFileSync(files.metaFile(rec.id), 'utf8')) as { lastTick: number; commands: number; state: string };
    const scenario = roundScenario({ seats: 2, seed: 11 });
    const state = createSimulation(scenario);
    const rec = timed.create({ code: 'IDX1', scenario, seed: state.seed, initialState: state });
    await timed.settled();
    const first = onDisk().lastTick;
    // A command a second for 70 s of the clock: each sync reports progress (every 5 s at most).
    let tick = state.tick;
    for (let second = 1; second <= 70; second++) {
      clock += 1000;
      const cmd = { type: 'set_workload' as const, pod: 's0', workload: { requestsPerSec: second % 7 } };
      const acked = rec.command({ tick: tick + 1, by: 's0', command: second === 1 ? { type: 'add_pod', pod: studentPod('s0') } : cmd });
      for (let i = 0; i < 10; i++) {
        advance(state, i === 0 ? [second === 1 ? { type: 'add_pod', pod: studentPod('s0') } : cmd] : []);
        rec.afterTick(state);
      }
      tick = state.tick;
      await acked;
      await timed.settled();
      const listed = await timed.summary(rec.id);
      if (second === 30) {
        // The list is up to date within the 5 s of progress; the file still holds what it had at the start.
        expect(listed!.lastTick).toBeGreaterThanOrEqual(tick - 60);
        expect(listed!.commands).toBeGreaterThanOrEqual(25);
        expect(onDisk().lastTick).toBe(first);
      }
    }
    // Past a minute the file was written again (once), with the figures of then.
    const written = onDisk();
    expect(written.lastTick).toBeGreaterThan(first + 500);
    expect(written.lastTick).toBeLessThan(tick);
    await rec.end('ended');
    await timed.settled();
    expect(onDisk()).toMatchObject({ state: 'ended', lastTick: tick, commands: 70 });
    expect(INDEX_WRITE_EVERY_MS).toBe(60_000);
    rmSync(dir, { recursive: true, force: true });
  });
});
