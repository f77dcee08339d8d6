/**
 * A server's real app (buildApp, RoomRegistry, Room) with the recording hooks and routes on a hand-driven clock (the
 * room's ticks run when the test says), over one data directory per test file: what the "continue from here" and
 * resume-after-crash tests share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { recordingRoutes, RecordingStore, type FileRecorder } from '../../server/recording/index.ts';
import { recordingSessionHooks } from '../../server/sessions/sessionHooks.ts';

/** The teacher whose sessions these are: their key owns the sessions and recordings. */
export const TEACHER = { authorization: 'Bearer recording-sessions-teacher-key' };

const stillClock = { now: () => 0, schedule: () => () => {} };

/** Servers sharing one data directory (a "fresh server" after a crash finds the first one's files); `close` ends them all. */
export function recordingApps(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const apps: App[] = [];

  async function server() {
    const store = new RecordingStore({ dataDir });
    let built: App | null = null;
    const hooks = recordingSessionHooks(store, () => built!.rooms);
    const recorders: FileRecorder[] = [];
    const recorderFactory = {
      create: (start: Parameters<typeof hooks.recorderFactory.create>[0]) => {
        const r = hooks.recorderFactory.create(start) as FileRecorder;
        recorders.push(r);
        return r;
      },
    };
    built = await buildApp({
      clock: stillClock,
      recorderFactory,
      plugins: [
        (a) =>
          a.register(recordingRoutes, {
            store,
            continueSession: hooks.continueSession,
            resumeSession: hooks.resumeSession,
            resultsCsv: hooks.resultsCsv,
          }),
      ],
    });
    apps.push(built);
    return { ...built, store, recorders };
  }

  /** What kill -9 leaves (no end line), then a fresh server resuming the session with the teacher's host key. */
  async function crashAndResume(rec: FileRecorder, hostKey: string) {
    await rec.abandon();
    const b = await server();
    const r = await b.app.inject({ headers: TEACHER, method: 'POST', url: `/api/recordings/${rec.id}/resume`, payload: { hostKey } });
    expect(r.statusCode, r.body).toBe(201);
    return { b, resumed: b.rooms.get((r.json() as { session: { code: string } }).session.code)! };
  }

  async function close(): Promise<void> {
    for (const a of apps) await a.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { server, crashAndResume, close };
}

export type TestApp = Awaited<ReturnType<ReturnType<typeof recordingApps>['server']>>;

/** A session created through the app's HTTP route, and its room. */
export async function newSession(s: TestApp, payload: Record<string, unknown>) {
  const created = (await s.app.inject({ headers: TEACHER, method: 'POST', url: '/api/sessions', payload })).json() as { code: string; hostKey: string };
  return { ...created, room: s.rooms.get(created.code)! };
}
