/**
 * A continued session: every pod waits for its student, so a newcomer follows as a spectator until the teacher gives
 * them a waiting pod (`seats:assign`). From then on they play it on the connection they already have: their commands
 * are a student's, and their page gets their pod. (Their socket used to keep the spectator role it joined with, and
 * refused every command until a reload.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { recordingRoutes, RecordingStore, type FileRecorder } from '../../server/recording/index.ts';
import { recordingSessionHooks } from '../../server/sessions/sessionHooks.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { call, client, next, ok, sleep, type TestServer } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-seat-'));
const TEACHER = { authorization: 'Bearer seat-for-spectator-teacher-key' };
const stillClock = { now: () => 0, schedule: () => () => {} };
let server: (App & TestServer) | null = null;

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<App & TestServer & { recorders: FileRecorder[] }> {
  const store = new RecordingStore({ dataDir });
  let built: App | null = null;
  const hooks = recordingSessionHooks(store, () => built!.rooms);
  const recorders: FileRecorder[] = [];
  built = await buildApp({
    clock: stillClock,
    recorderFactory: {
      create: (start) => {
        const r = hooks.recorderFactory.create(start) as FileRecorder;
        recorders.push(r);
        return r;
      },
    },
    plugins: [(a) => a.register(recordingRoutes, { store, continueSession: hooks.continueSession, resumeSession: hooks.resumeSession, resultsCsv: hooks.resultsCsv })],
  });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const s: App & TestServer & { recorders: FileRecorder[] } = {
    ...built,
    recorders,
    url: `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`,
    clients: [],
    close: async () => {
      for (const c of s.clients) c.disconnect();
      await built!.app.close();
    },
  };
  server = s;
  return s;
}

describe('a seat given to a spectator', () => {
  it('makes them a student on the connection they have: their commands go through and their page gets the pod', async () => {
    const s = await start();
    const created = (await s.app.inject({ headers: TEACHER, method: 'POST', url: '/api/sessions', payload: { scenario: 'classroom', maxStudents: 2, seed: 4 } })).json() as {
      code: string;
    };
    const first = s.rooms.get(created.code)!;
    for (const name of ['Ana', 'Ben']) expect(first.joinStudent(`conn-${name}`, { nickname: name }).ok).toBe(true);
    expect(first.start().ok).toBe(true);
    first.runTicks(60);
    await s.recorders.at(-1)!.flush();

    // Continue from tick 50: both pods wait for Ana and Ben, so the node has no pod for anyone else.
    const r = await s.app.inject({ method: 'POST', url: `/api/recordings/${s.recorders.at(-1)!.id}/continue`, payload: { tick: 50 }, headers: TEACHER });
    expect(r.statusCode, r.body).toBe(201);
    const { code, hostKey } = r.json().session as { code: string; hostKey: string };
    const room = s.rooms.get(code)!;
    const host = await client(s);
    ok(await call(host, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey }));
    const zed = await client(s);
    const join = ok(await call(zed, 'student:join', { v: PROTOCOL_VERSION, code, nickname: 'Zed' }));
    expect(join.role).toBe('spectator');
    const command = { command: { type: 'set_oom_score_adj', value: 250 } };
    const refused = await call(zed, 'pod:command', command);
    expect(refused.ok ? null : refused.error.code).toBe('FORBIDDEN');

    const benSlot = room.snapshotFor(host.id!).participants!.find((p) => p.nickname === 'Ben' && p.waiting)!.slot!;
    const snapshot = next(zed, 'state:snapshot', (snap) => Object.values(snap.pods).some((p) => p.slot === benSlot));
    ok(await call(host, 'seats:assign', { slot: benSlot, participant: join.participantId }));
    await snapshot; // their page now shows Ben's pod
    ok(await call(host, 'session:start', {}));

    // The command is acknowledged once a tick has applied it and the recording has it on disk.
    let answer: Awaited<ReturnType<typeof call<'pod:command'>>> | null = null;
    void call(zed, 'pod:command', command).then((a) => (answer = a));
    while (answer === null) {
      room.runTicks(1);
      await sleep(10);
    }
    expect(answer).toMatchObject({ ok: true });
    // A change reaches the pod once its engineering time has passed (two minutes at most): then it is Zed's value.
    const applied = () => room.state.pods.some((p) => p.slot === benSlot && p.spec.oomScoreAdjOverride === 250);
    for (let i = 0; i < 1300 && !applied(); i++) room.runTicks(1);
    expect(applied()).toBe(true);
  });
});
