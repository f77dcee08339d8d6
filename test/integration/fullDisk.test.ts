/**
 * A full disk under a live class (issue 10, defect 3), through the real app: while the recording cannot be written
 * a student's change is refused with RECORDING_UNAVAILABLE (never applied unrecorded), the host is told, a reset is
 * refused without wedging the room, a new session is refused without leaving an empty file; when space returns the
 * class carries on by itself and the recording reads whole. On a real 3 MB tmpfs when this process may mount one,
 * else on an injected file system: the log says which.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FileRecorder, RecordingStore } from '../../server/recording/index.ts';
import type { RecorderFactory } from '../../server/room/recorderPort.ts';
import { loadRecording } from '../../shared/recording/index.ts';
import { RecordingWriter } from '../../shared/recording/writer.ts';
import type { SessionMeta } from '../../shared/protocol/views.ts';
import { MemoryFile, mountTmpfs } from './diskHelpers.ts';
import { attachHost, call, createSession, joinStudent, next, ok, startServer, tick, type TestServer } from './helpers.ts';

interface Disk {
  kind: string;
  factory: RecorderFactory;
  fill(): void;
  free(): void;
  read(id: string): string;
  /** Recording files on the disk (to see that a refused session left none behind). */
  files(): string[];
  cleanup(): void;
}

function tmpfsDisk(): Disk | null {
  const fs = mountTmpfs(3);
  if (!fs) return null;
  const store = new RecordingStore({ dataDir: fs.dir });
  return {
    kind: 'REAL TMPFS (3 MB, mounted by this test)',
    factory: store,
    fill: () => expect(fs.fill()).toBeGreaterThan(0),
    free: fs.free,
    read: (id) => readFileSync(store.file(id), 'utf8'),
    files: () => readdirSync(store.dir).filter((n) => n.endsWith('.ndjson')),
    cleanup: fs.cleanup,
  };
}

/** The same disk in memory: every recording a file with a capacity, and no new file while full. */
function injectedDisk(): Disk {
  let full = false;
  const files = new Map<string, MemoryFile>();
  return {
    kind: 'INJECTED FILE SYSTEM (in-memory files with a capacity)',
    factory: {
      create: (start) => {
        if (full) throw Object.assign(new Error('The session\u2019s recording cannot be written (ENOSPC)'), { code: 'RECORDING_UNAVAILABLE', status: 507 });
        const id = `mem-${files.size + 1}`;
        const writer = new RecordingWriter({ ...start, id, startedAt: '2026-11-29T23:00:00.000Z' });
        const file = new MemoryFile(writer.begin());
        files.set(id, file);
        return new FileRecorder({ id, file, writer });
      },
    },
    fill: () => {
      full = true;
      for (const f of files.values()) f.capacity = f.bytes.length;
    },
    free: () => {
      full = false;
      for (const f of files.values()) f.capacity = Infinity;
    },
    read: (id) => files.get(id)!.text(),
    files: () => [...files.keys()],
    cleanup: () => {},
  };
}

const real = tmpfsDisk();
const disk = real ?? injectedDisk();
// Loud on purpose: whoever reads the log must know which kind of full disk was tested.
console.warn(`\n*** full disk under a live class: runs on ${disk.kind}${real ? '' : ' (this process cannot mount a tmpfs: not root, or not Linux)'} ***\n`);
let s: TestServer;
afterAll(async () => {
  await s?.close();
  disk.cleanup();
});

describe(`a full disk under a live class (${real ? 'tmpfs' : 'injected'})`, () => {
  it('refuses changes with a code, tells the host, never wedges, and carries on by itself when space returns', async () => {
    s = await startServer({ recorderFactory: disk.factory, config: { roomCreations: { burst: 100, perSec: 100 }, messageBurst: 10_000, messagesPerSec: 10_000 } });
    const created = await createSession(s);
    const { room } = created;
    const host = await attachHost(s, created.code, created.hostKey);
    const { c: student } = await joinStudent(s, created.code, 'ada');
    ok(await call(host, 'session:start', {}));
    await tick(room, 5);
    const acked: number[] = [ok(await call(student, 'pod:command', { command: { type: 'set_resources', requestMiB: 200, limitMiB: 400 } })).tick];

    const told = next(host, 'session:update', (m: SessionMeta) => m.recording === 'unavailable', 10_000);
    disk.fill();
    // Play on until the recorder notices (a filesystem fills whole pages: a few more lines may fit).
    let refused = null;
    for (let i = 0; i < 5000 && !refused; i++) {
      const r = await call(student, 'pod:command', { command: { type: 'set_workload', workload: { requestsPerSec: 10 + (i % 20) } } });
      if (r.ok) acked.push(r.data.tick);
      else refused = r.error;
      room.runTicks(1);
    }
    expect(refused).toMatchObject({ code: 'RECORDING_UNAVAILABLE' });
    expect((await told).recording).toBe('unavailable');
    const held = room.state.tick;
    room.runTicks(3);
    expect(room.state.tick).toBe(held); // the clock holds: nothing happens that the recording would miss

    // Refused, not wedged: a reset and a new session each answer a code and change nothing.
    expect(await call(host, 'session:reset', {})).toMatchObject({ ok: false, error: { code: 'RECORDING_UNAVAILABLE' } });
    expect(room.status).toBe('running');
    expect(room.state.pods.length).toBeGreaterThan(0);
    const before = disk.files().length;
    const res = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(507);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RECORDING_UNAVAILABLE');
    expect(disk.files().length).toBe(before); // no empty file left behind

    const back = next(host, 'session:update', (m: SessionMeta) => m.recording === 'ok', 15_000);
    disk.free();
    await back; // by itself: nobody pressed anything
    await tick(room, 3);
    expect(room.state.tick).toBeGreaterThan(held);
    acked.push(ok(await call(student, 'pod:command', { command: { type: 'fix_leak' } })).tick);
    ok(await call(host, 'session:reset', {}));

    // The first recording (ended by the reset) reads whole, every acknowledged command in it at its tick.
    const text = disk.read(disk.files().sort()[0]!.replace(/\.ndjson$/, ''));
    const loaded = loadRecording(text);
    expect(loaded.ok, !loaded.ok ? loaded.error.message : '').toBe(true);
    if (loaded.ok) {
      expect(loaded.value.divergence).toBeNull();
      for (const t of acked) expect(loaded.value.commands.get(t)?.length ?? 0).toBeGreaterThan(0);
    }
  });
});
