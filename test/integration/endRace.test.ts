/**
 * Nothing is written after the end line (issue 10, defect 5): host actions sent right behind `session:end` (lock,
 * late join, kick) and a student's command are refused with a coded error, and the recording still reads to its end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingStore } from '../../server/recording/index.ts';
import { loadRecording } from '../../shared/recording/index.ts';
import { attachHost, call, createSession, joinStudent, ok, startServer, tick, type TestServer } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-end-race-'));
let s: TestServer;
let store: RecordingStore;
beforeAll(async () => {
  store = new RecordingStore({ dataDir });
  s = await startServer({ recorderFactory: store, config: { roomCreations: { burst: 1000, perSec: 1000 } } });
});
afterAll(async () => {
  await s?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('host actions right behind session:end', () => {
  it('are refused with SESSION_ENDED and leave every recording readable (8 sessions)', async () => {
    for (let i = 0; i < 8; i++) {
      const created = await createSession(s);
      const host = await attachHost(s, created.code, created.hostKey);
      const { c: student, join } = await joinStudent(s, created.code, `kid${i}`);
      ok(await call(host, 'session:start', {}));
      await tick(created.room, 1 + (i % 4));
      // Sent back to back on one socket: they reach the server in this order, behind the end.
      const [end, ...late] = await Promise.all([
        call(host, 'session:end', {}),
        call(host, 'room:lock', { locked: true }),
        call(host, 'room:lateJoin', { allowed: false }),
        call(host, 'participant:kick', { id: join.participantId }),
        call(host, 'session:speed', { speed: 2 }),
        call(student, 'pod:command', { command: { type: 'fix_leak' } }),
      ]);
      expect(end.ok).toBe(true);
      for (const r of late) expect(r).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
      await store.settled();
      const text = readFileSync(store.file(created.room.meta().recordingId!), 'utf8');
      const r = loadRecording(text);
      expect(r.ok, !r.ok ? r.error.message : '').toBe(true);
      expect(JSON.parse(text.trimEnd().split('\n').at(-1)!)).toMatchObject({ k: 'e', reason: 'ended' });
    }
  });
});
