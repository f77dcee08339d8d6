/**
 * A class's data belongs to its teacher (issue #10, defect 4): the teacher key that made a session owns it and its
 * recordings; listing, downloading, results, continue, resume and delete need that key (or the operator's
 * ADMIN_KEY); a share link opens one replay read-only, with or without names; live codes are never listed; the
 * projector attaches with the room's presenter key, not with the code alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingRoutes, RecordingStore } from '../../server/recording/index.ts';
import { recordingSessionHooks } from '../../server/sessions/sessionHooks.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { loadRecording } from '../../shared/recording/index.ts';
import { bearer, call, client, createSession, joinStudent, ok, startServer, TEACHER_KEY, type TestServer } from './helpers.ts';

/** A small quota, so a few uploads reach it. */
const QUOTA = 12 * 1024;
const ADMIN = 'operator-admin-key-0123456789';
const OTHER = 'another-teachers-key-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'oom-ownership-'));
let s: TestServer;
let store: RecordingStore;

beforeAll(async () => {
  store = new RecordingStore({ dataDir, uploadQuotaBytes: QUOTA });
  let rooms: TestServer['rooms'] | null = null;
  const hooks = recordingSessionHooks(store, () => rooms!);
  s = await startServer({
    config: { adminKey: ADMIN, roomCreations: { burst: 1000, perSec: 1000 } },
    recorderFactory: hooks.recorderFactory,
    plugins: [
      (a, ctx) =>
        a.register(recordingRoutes, {
          store,
          continueSession: hooks.continueSession,
          resumeSession: hooks.resumeSession,
          resultsCsv: hooks.resultsCsv,
          guards: ctx.guards,
        }),
    ],
  });
  rooms = s.rooms;
});
afterAll(async () => {
  await s.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = (url: string, key?: string) => s.app.inject({ url, headers: key ? bearer(key) : {} });
const post = (url: string, payload: unknown, key?: string) =>
  s.app.inject({ method: 'POST', url, payload: payload as object, headers: key ? bearer(key) : {} });
const listIds = async (key: string) => ((await get('/api/recordings', key)).json().recordings as { id: string; code: string; state: string }[]);

/** A running round with two named students, a few seconds in: its recording is live. */
async function playedSession() {
  const created = await createSession(s, { maxStudents: 4, seed: 5 });
  const alice = await joinStudent(s, created.code, 'Alice Liddell');
  const bob = await joinStudent(s, created.code, 'Bob Dylan');
  ok(created.room.start());
  created.room.runTicks(300);
  return { ...created, alice, bob, id: created.room.meta().recordingId! };
}

describe('a class’s data belongs to its teacher (defect 4)', () => {
  it('the recordings list needs a teacher key, shows only that teacher’s, and never a live code', async () => {
    const { id, code } = await playedSession();
    const anonymous = await get('/api/recordings');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('TEACHER_KEY_REQUIRED');
    expect(anonymous.body).not.toContain(code);

    expect((await listIds(OTHER)).map((r) => r.id)).not.toContain(id);
    const mine = (await listIds(TEACHER_KEY)).find((r) => r.id === id);
    expect(mine).toMatchObject({ state: 'live', code: '' });
    expect(JSON.stringify(await listIds(TEACHER_KEY))).not.toContain(code);
    // The operator sees every recording (codes of live rooms still not listed).
    expect((await listIds(ADMIN)).find((r) => r.id === id)).toMatchObject({ state: 'live', code: '' });
  });

  it('the file and its results (the round still being played) are the owner’s and the operator’s only', async () => {
    const { id } = await playedSession();
    for (const url of [`/api/recordings/${id}`, `/api/recordings/${id}/results.csv`]) {
      expect((await get(url)).statusCode, url).toBe(401);
      const other = await get(url, OTHER);
      expect(other.statusCode, url).toBe(404);
      expect(other.body).not.toContain('Alice');
      expect((await get(url, TEACHER_KEY)).statusCode, url).toBe(200);
      expect((await get(url, ADMIN)).statusCode, url).toBe(200);
    }
    expect((await get(`/api/recordings/${id}/results.csv`, TEACHER_KEY)).body).toContain('Alice Liddell');
  });

  it('the live session’s results: its host key, its owner’s teacher key or the operator, nobody else', async () => {
    const { code, hostKey } = await playedSession();
    const url = `/api/sessions/${code}/results.csv`;
    expect((await get(url)).statusCode).toBe(403);
    expect((await get(url, OTHER)).statusCode).toBe(403);
    for (const key of [hostKey, TEACHER_KEY, ADMIN]) expect((await get(url, key)).statusCode).toBe(200);
  });

  it('continue and resume need the owner; continuing makes the new session the caller’s', async () => {
    const { id, room } = await playedSession();
    const refused = await post(`/api/recordings/${id}/continue`, { tick: 100 }, OTHER);
    expect(refused.statusCode).toBe(404);
    expect((await post(`/api/recordings/${id}/continue`, { tick: 100 })).statusCode).toBe(401);
    const cont = await post(`/api/recordings/${id}/continue`, { tick: 100 }, TEACHER_KEY);
    expect(cont.statusCode, cont.body).toBe(201);
    const child = s.rooms.get(cont.json().session.code)!;
    expect((await listIds(TEACHER_KEY)).map((r) => r.id)).toContain(child.meta().recordingId);
    expect((await listIds(OTHER)).map((r) => r.id)).not.toContain(child.meta().recordingId);

    // An interrupted session (a shutdown): resumed by its owner's teacher key, not by another teacher's.
    await room.end('shutdown');
    const other = await post(`/api/recordings/${id}/resume`, {}, OTHER);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('NOT_OWNER');
    const resumed = await post(`/api/recordings/${id}/resume`, {}, TEACHER_KEY);
    expect(resumed.statusCode, resumed.body).toBe(201);
    expect(resumed.json().session.hostKey).toMatch(/\S{16,}/);
  });

  it('another computer of the same teacher gets the host key with the teacher key; nobody else does', async () => {
    const { code, hostKey, presenterKey } = await playedSession();
    expect((await get(`/api/sessions/${code}/keys`, OTHER)).statusCode).toBe(403);
    expect((await get(`/api/sessions/${code}/keys`, TEACHER_KEY)).json()).toEqual({ code, hostKey, presenterKey });
  });

  it('share links: read-only, one recording, with names or with pseudonyms that still replay exactly', async () => {
    const { id, room } = await playedSession();
    room.runTicks(600);
    await room.end('host');
    expect((await post(`/api/recordings/${id}/share`, { names: true }, OTHER)).statusCode).toBe(404);
    const withNames = (await post(`/api/recordings/${id}/share`, { names: true }, TEACHER_KEY)).json() as { token: string; path: string };
    const anonymous = (await post(`/api/recordings/${id}/share`, { names: false }, TEACHER_KEY)).json() as { token: string; path: string };
    expect(withNames.path).toBe(`/replay/${id}?share=${withNames.token}`);

    const original = (await get(`/api/recordings/${id}`, TEACHER_KEY)).body;
    expect((await get(`/api/recordings/${id}`, withNames.token)).body).toBe(original);
    const hidden = await get(`/api/recordings/${id}`, anonymous.token);
    expect(hidden.statusCode).toBe(200);
    expect(hidden.headers['x-recording-names']).toBe('hidden');
    for (const leak of ['Alice', 'alice', 'Bob', 'bob', 'Dylan', 'liddell']) expect(hidden.body).not.toContain(leak);
    expect(hidden.body).toContain('Student 1');
    // It verifies and replays to the end like the original: same ticks, same pods, same kills.
    const a = loadRecording(original);
    const b = loadRecording(hidden.body);
    if (!a.ok || !b.ok) throw new Error('unreadable');
    expect(b.value.divergence).toBeNull();
    expect(b.value.lastTick).toBe(a.value.lastTick);
    expect(b.value.markers.map((m) => [m.kind, m.tick])).toEqual(a.value.markers.map((m) => [m.kind, m.tick]));

    // A share token opens nothing else: not the results, not a continue, not another recording, not the list.
    expect((await get(`/api/recordings/${id}/results.csv`, withNames.token)).statusCode).toBe(404);
    expect((await post(`/api/recordings/${id}/continue`, { tick: 10 }, withNames.token)).statusCode).toBe(404);
    const otherRec = (await playedSession()).id;
    expect((await get(`/api/recordings/${otherRec}`, withNames.token)).statusCode).toBe(404);
    expect(await listIds(withNames.token)).toEqual([]);
  });

  it('the projector attaches with the presenter key from the host page, not with the room code alone', async () => {
    const { code, hostKey, presenterKey } = await playedSession();
    const bare = await client(s);
    const refused = await call(bare, 'presenter:attach', { v: PROTOCOL_VERSION, code });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_PRESENTER_KEY' } });
    const wrong = await call(bare, 'presenter:attach', { v: PROTOCOL_VERSION, code, key: 'a-wrong-presenter-key-000' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'BAD_PRESENTER_KEY' } });
    // The host's page learns the key when it attaches (the "Open presenter" link carries it).
    const host = await client(s);
    const attached = ok(await call(host, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey }));
    expect(attached.presenterKey).toBe(presenterKey);
    const projector = await client(s);
    const view = ok(await call(projector, 'presenter:attach', { v: PROTOCOL_VERSION, code, key: presenterKey }));
    expect(Object.keys(view.snapshot.pods).length).toBeGreaterThanOrEqual(2);
    // Students learn nothing of it.
    const student = await joinStudent(s, code, 'Carol');
    expect(JSON.stringify(student.join)).not.toContain(presenterKey);
  });

  it('uploads belong to the uploader: a quota per teacher, and delete', async () => {
    const { id, room } = await playedSession();
    await room.end('host');
    const text = (await get(`/api/recordings/${id}`, TEACHER_KEY)).body;
    expect(text.length).toBeLessThan(QUOTA / 2);
    const upload = (key?: string) =>
      s.app.inject({ method: 'POST', url: '/api/recordings', headers: { 'content-type': 'application/x-ndjson', ...(key ? bearer(key) : {}) }, payload: text });
    expect((await upload()).statusCode).toBe(401);
    const up = await upload(OTHER);
    expect(up.statusCode, up.body).toBe(201);
    const upId = up.json().recording.id as string;
    expect((await listIds(OTHER)).map((r) => r.id)).toContain(upId);
    expect((await listIds(TEACHER_KEY)).map((r) => r.id)).not.toContain(upId);
    expect((await get(`/api/recordings/${upId}`, TEACHER_KEY)).statusCode).toBe(404);

    // The quota (12 KB in this test) counts the teacher's uploads; deleting frees it.
    const uploads = [upId];
    let last = up;
    while (last.statusCode === 201) {
      last = await upload(OTHER);
      if (last.statusCode === 201) uploads.push(last.json().recording.id);
    }
    expect(last.statusCode).toBe(413);
    expect(last.json().error.code).toBe('QUOTA_EXCEEDED');
    expect(uploads.length).toBeGreaterThan(1);
    expect((await s.app.inject({ method: 'DELETE', url: `/api/recordings/${upId}`, headers: bearer(TEACHER_KEY) })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'DELETE', url: `/api/recordings/${upId}`, headers: bearer(OTHER) })).statusCode).toBe(204);
    expect((await get(`/api/recordings/${upId}`, OTHER)).statusCode).toBe(404);
    expect((await upload(OTHER)).statusCode).toBe(201);
    // A live session's recording cannot be deleted under it.
    const live = await playedSession();
    const busy = await s.app.inject({ method: 'DELETE', url: `/api/recordings/${live.id}`, headers: bearer(TEACHER_KEY) });
    expect(busy.json().error.code).toBe('RECORDING_LIVE');
  });
});
