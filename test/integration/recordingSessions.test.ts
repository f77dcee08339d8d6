/**
 * "Continue from here" and resume-after-crash through the server's real app (buildApp, RoomRegistry, Room) with the
 * recording hooks, on a hand-driven clock: the room's ticks run when the test says.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { recordingRoutes, RecordingStore, type FileRecorder } from '../../server/recording/index.ts';
import { recordingSessionHooks } from '../../server/sessions/sessionHooks.ts';
import { loadRecording, seek } from '../../shared/recording/index.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { recordSession } from '../unit/recordingHelpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-sessions-'));
const apps: App[] = [];
afterAll(async () => {
  for (const a of apps) await a.app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const stillClock = { now: () => 0, schedule: () => () => {} };

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

/** The teacher whose sessions these are: their key owns the sessions and recordings. */
const TEACHER = { authorization: 'Bearer recording-sessions-teacher-key' };

type TestApp = Awaited<ReturnType<typeof server>>;

/** A session created through the app's HTTP route, and its room. */
async function newSession(s: TestApp, payload: Record<string, unknown>) {
  const created = (await s.app.inject({ headers: TEACHER, method: 'POST', url: '/api/sessions', payload })).json() as { code: string; hostKey: string };
  return { ...created, room: s.rooms.get(created.code)! };
}

/** What kill -9 leaves (no end line), then a fresh server resuming the session with the teacher's host key. */
async function crashAndResume(rec: FileRecorder, hostKey: string) {
  await rec.abandon();
  const b = await server();
  const r = await b.app.inject({ headers: TEACHER, method: 'POST', url: `/api/recordings/${rec.id}/resume`, payload: { hostKey } });
  expect(r.statusCode, r.body).toBe(201);
  return { b, resumed: b.rooms.get((r.json() as { session: { code: string } }).session.code)! };
}

describe('sessions from recordings through the real app (RS2)', () => {
  it('continue from here starts a live session from the replayed moment, recorded with its origin', async () => {
    const s = await server();
    const created = (
      await s.app.inject({ headers: TEACHER, method: 'POST', url: '/api/sessions', payload: { scenario: 'noisy-neighbour' } })
    ).json() as { code: string };
    const room = s.rooms.get(created.code)!;
    expect(room.start().ok).toBe(true);
    room.runTicks(300);
    const source = s.recorders.at(-1)!;

    const r = await s.app.inject({
      headers: TEACHER,
      method: 'POST',
      url: `/api/recordings/${source.id}/continue`,
      payload: { tick: 150 },
    });
    expect(r.statusCode, r.body).toBe(201);
    const session = r.json().session as { code: string; hostKey: string; hostPath: string };
    expect(session.hostPath).toBe(`/host/${session.code}`);
    const room2 = s.rooms.get(session.code)!;
    expect(room2.hostKey).toBe(session.hostKey);
    const child = s.recorders.at(-1)!;
    expect(child.id).not.toBe(source.id);
    room2.start();
    room2.runTicks(40);
    await room2.end('host');

    const src = loadRecording(readFileSync(s.store.file(source.id), 'utf8'));
    const out = loadRecording(readFileSync(s.store.file(child.id), 'utf8'));
    if (!src.ok || !out.ok) throw new Error('unreadable');
    expect(out.value.header.origin).toEqual({ recording: source.id, tick: 150 });
    expect(out.value.firstTick).toBe(150);
    expect(stateHash(seek(out.value, 150))).toBe(stateHash(seek(src.value, 150)));
    expect(out.value.divergence).toBeNull();
    expect(out.value.lastTick).toBe(190);
  });

  it('after a crash, a fresh server lists the session as interrupted and resumes it under the same code', async () => {
    const a = await server();
    const created = (
      await a.app.inject({ headers: TEACHER, method: 'POST', url: '/api/sessions', payload: { scenario: 'classroom' } })
    ).json() as { code: string; hostKey: string };
    const room = a.rooms.get(created.code)!;
    const joined = room.joinStudent('conn-ada', { nickname: 'Ada' });
    if (!joined.ok) throw new Error(joined.error.message);
    room.start();
    room.runTicks(240);
    const rec = a.recorders.at(-1)!;
    await rec.abandon(); // what kill -9 leaves: no end line (the kill -9 itself is test/integration/recordingCrash.test.ts)
    const live = loadRecording(readFileSync(a.store.file(rec.id), 'utf8'));
    if (!live.ok) throw new Error(live.error.message);

    const b = await server();
    const listed = (await b.app.inject({ url: '/api/recordings', headers: TEACHER }))
      .json()
      .recordings.find((x: { id: string }) => x.id === rec.id);
    expect(listed).toMatchObject({ state: 'interrupted', code: created.code });
    // Only the teacher (their teacher key, or the session's host key) may resume.
    const refused = await b.app.inject({ method: 'POST', url: `/api/recordings/${rec.id}/resume` });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('TEACHER_KEY_REQUIRED');
    const stranger = await b.app.inject({ method: 'POST', url: `/api/recordings/${rec.id}/resume`, headers: { authorization: 'Bearer somebody-elses-teacher-key' } });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error.code).toBe('NOT_OWNER');
    const wrongHostKey = await b.app.inject({ method: 'POST', url: `/api/recordings/${rec.id}/resume`, payload: { hostKey: 'not-the-host-key-at-all' } });
    expect(wrongHostKey.statusCode).toBe(403);
    expect(wrongHostKey.json().error.code).toBe('BAD_HOST_KEY');
    const r = await b.app.inject({ method: 'POST', url: `/api/recordings/${rec.id}/resume`, payload: { hostKey: created.hostKey } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().session.code).toBe(created.code);
    const resumed = b.rooms.get(created.code)!;
    expect(resumed.hostKey).toBe(created.hostKey); // the same browser can resume again after another crash
    // Ada comes back with her session token and gets her own pod back, not a new one.
    const back = resumed.joinStudent('conn-ada-2', { token: joined.data.token! });
    if (!back.ok) throw new Error(back.error.message);
    expect(joined.data.slot).toBe('ada');
    expect(back.data).toMatchObject({ rejoined: true, nickname: 'Ada', slot: 'ada' });
    expect(resumed.state.pods.filter((p) => p.slot === joined.data.slot)).toHaveLength(1);
    expect(resumed.joinStudent('conn-eve', { token: 'forged-token' }).ok).toBe(false);
    expect(b.recorders.at(-1)).toBe(b.recorders.find((x) => x.id === rec.id));
    expect(
      (await b.app.inject({ url: '/api/recordings', headers: TEACHER })).json().recordings.find((x: { id: string }) => x.id === rec.id)
        .state,
    ).toBe('live');
    resumed.start();
    resumed.runTicks(100);
    await resumed.end('host');

    const after = loadRecording(readFileSync(b.store.file(rec.id), 'utf8'));
    if (!after.ok) throw new Error(after.error.message);
    expect(after.value.divergence).toBeNull();
    expect(after.value.markers.some((m) => m.kind === 'resume')).toBe(true);
    expect(after.value.lastTick).toBe(live.value.lastTick + 100);
    expect(after.value.end?.reason).toBe('ended');
    // A second resume of a session that ended is refused.
    expect(
      (await b.app.inject({ headers: TEACHER, method: 'POST', url: `/api/recordings/${rec.id}/resume`, payload: { hostKey: created.hostKey } })).json().error.code,
    ).toBe('NOT_INTERRUPTED');
  });

  it('server bots keep playing in a resumed session', async () => {
    const a = await server();
    const created = await newSession(a, { scenario: 'classroom', maxStudents: 3 });
    const room = created.room;
    expect(room.fillBots('random', undefined)).toMatchObject({ ok: true, data: { added: 3 } });
    room.start();
    room.runTicks(100);
    const rec = a.recorders.at(-1)!;
    const { b, resumed } = await crashAndResume(rec, created.hostKey);
    const host = resumed.attachHost('conn-host', created.hostKey);
    if (!host.ok) throw new Error(host.error.message);
    const bots = host.data.snapshot.participants!.filter((p) => p.bot);
    expect(bots).toHaveLength(3);
    expect(bots.every((p) => p.connected)).toBe(true); // played by the server, never "offline"
    const from = resumed.state.tick;
    resumed.start();
    resumed.runTicks(1200); // "random" changes something every 20–60 s
    await resumed.end('host');
    const after = loadRecording(readFileSync(b.store.file(rec.id), 'utf8'));
    if (!after.ok) throw new Error(after.error.message);
    const acted = new Set<string>();
    for (const [t, list] of after.value.commands) if (t > from) for (const c of list) acted.add(c.by);
    expect(bots.map((p) => p.id).filter((id) => acted.has(id))).toEqual(bots.map((p) => p.id));
    expect(after.value.divergence).toBeNull();
  });

  it('a resumed session comes back paused in its round: number, clock, scores, and the bots where their plans were', async () => {
    const a = await server();
    const created = await newSession(a, { scenario: 'classroom', maxStudents: 3, seed: 5 });
    const room = created.room;
    room.joinStudent('conn-ada', { nickname: 'Ada' });
    expect(room.fillBots('careful-guaranteed', undefined).ok).toBe(true);
    expect(room.startRound(undefined, 600).ok).toBe(true);
    room.runTicks(450); // long enough for the careful bots to size themselves, fix the leak and stream
    const rec = a.recorders.at(-1)!;
    await rec.flush(); // the file reaches tick 450 (a hash line), so the resume starts where this snapshot is
    const before = room.snapshotFor('nobody');
    const { b, resumed } = await crashAndResume(rec, created.hostKey);
    expect(resumed.status).toBe('paused');
    expect(resumed.state.tick).toBe(450);
    const after = resumed.snapshotFor('nobody');
    expect(after.game).toMatchObject({ phase: 'round', roundNo: 1, round: before.game!.round });
    expect(after.leaderboard.rows).toEqual(before.leaderboard.rows);
    expect(after.leaderboard.rows.some((row) => row.score > 0)).toBe(true);

    // The teacher resumes; the round runs on. The careful bots had done all three steps: none starts over.
    const from = resumed.state.tick;
    expect(resumed.resume().ok).toBe(true);
    resumed.runTicks(600);
    expect(resumed.lesson.phase).toBe('round');
    await resumed.end('host');
    const file = loadRecording(readFileSync(b.store.file(rec.id), 'utf8'));
    if (!file.ok) throw new Error(file.error.message);
    const again: string[] = [];
    for (const [t, list] of file.value.commands) if (t > from) for (const c of list) again.push(c.cmd.type);
    expect(again.filter((type) => type === 'set_resources')).toEqual([]);
    expect(file.value.divergence).toBeNull();
  });

  it('a crash while a question is open: the resumed round has its questions, the answers given, and the open one still open', async () => {
    const a = await server();
    const created = await newSession(a, { scenario: 'classroom', maxStudents: 3, seed: 8 });
    const room = created.room;
    room.joinStudent('conn-ada', { nickname: 'Ada' });
    room.joinStudent('conn-bob', { nickname: 'Bob' });
    expect(room.startRound(undefined, 600).ok).toBe(true);
    room.runTicks(200);
    // A live question (built from this moment's state), answered, revealed and closed; then a built-in one, left open.
    const live = room.askQuestion({ live: 'kubelet-adj' });
    if (!live.ok) throw new Error(live.error.message);
    const liveQ = live.data.question!;
    expect(room.answerQuestion('conn-ada', liveQ.id, liveQ.choices[0]!.id).ok).toBe(true);
    expect(room.revealQuestion().ok).toBe(true);
    expect(room.resumeRound().ok).toBe(true);
    room.runTicks(100);
    expect(room.askQuestion({ builtin: 'seed-exit-137-oomkilled' }).ok).toBe(true);
    expect(room.answerQuestion('conn-bob', 'seed-exit-137-oomkilled', 'b').ok).toBe(true);
    const rec = a.recorders.at(-1)!;
    await rec.flush();
    const before = { lesson: room.lesson, csv: room.resultsCsv() };
    const { b, resumed } = await crashAndResume(rec, created.hostKey);
    expect(resumed.status).toBe('paused');
    expect(resumed.lesson).toEqual(before.lesson);
    expect(resumed.lesson.phase).toBe('question');
    expect(resumed.resultsCsv()).toBe(before.csv);
    // The open question goes on: another answer, the reveal, and the round runs again.
    resumed.joinStudent('conn-ada-2', { nickname: 'Ada-2' });
    expect(resumed.revealQuestion().ok).toBe(true);
    expect(resumed.resumeRound().ok).toBe(true);
    expect(resumed.lesson.phase).toBe('round');
    // In the replay, the answers do not crowd the timeline: the question's marker stands for them.
    const file = loadRecording(readFileSync(b.store.file(rec.id), 'utf8'));
    if (!file.ok) throw new Error(file.error.message);
    expect(file.value.hostActions.filter((x) => x.action === 'answer')).toHaveLength(2);
    expect(file.value.markers.filter((m) => m.label === 'host: answer')).toEqual([]);
  });

  it('a session resumed after its round ended comes back at the results, with the podium', async () => {
    const a = await server();
    const created = await newSession(a, { scenario: 'classroom', maxStudents: 2, seed: 6 });
    const room = created.room;
    room.joinStudent('conn-ada', { nickname: 'Ada' });
    room.joinStudent('conn-bob', { nickname: 'Bob' });
    expect(room.startRound(undefined, 60).ok).toBe(true);
    room.runTicks(700); // the round ends at its length (600 ticks)
    expect(room.lesson.phase).toBe('results');
    const podium = room.snapshotFor('nobody').game!.podium;
    const { b, resumed } = await crashAndResume(a.recorders.at(-1)!, created.hostKey);
    expect(resumed.snapshotFor('nobody').game).toMatchObject({ phase: 'results', roundNo: 1, podium });
    expect(podium).toHaveLength(2);
    // The next round starts from here as it would have.
    expect(resumed.startRound('leak', 30).ok).toBe(true);
    expect(resumed.lesson).toMatchObject({ phase: 'round', roundNo: 2 });
    const csvOf = (s: TestApp, round: number) =>
      s.app.inject({ url: `/api/sessions/${created.code}/results.csv?round=${round}`, headers: { authorization: `Bearer ${created.hostKey}` } });
    // Round 1 ended in the file that was resumed, so its CSV came back with it.
    const round1 = await csvOf(b, 1);
    expect(round1.statusCode).toBe(200);
    expect(round1.body).toContain(',Ada,');
    // A second crash, in round 2: round 1 lives in another file now; the resume scores it again, so the dashboard
    // still has every round's CSV, byte for byte.
    resumed.runTicks(50);
    const again = await crashAndResume(b.recorders.at(-1)!, created.hostKey);
    expect(again.resumed.lesson).toMatchObject({ phase: 'round', roundNo: 2 });
    const kept = await csvOf(again.b, 1);
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.body).toBe(round1.body);
    expect((await csvOf(again.b, 2)).statusCode).toBe(200);
    // A round that never was still answers ROUND_NOT_FOUND, saying where lost rounds are.
    const never = await csvOf(again.b, 3);
    expect(never.statusCode).toBe(404);
    expect(never.json().error.code).toBe('ROUND_NOT_FOUND');
  });

  it('each round has its own recording, named in the session meta; a round from a scenario file replays without the file', async () => {
    const s = await server();
    const created = (
      await s.app.inject({ headers: TEACHER, method: 'POST', url: '/api/sessions', payload: { scenario: 'classroom', maxStudents: 2 } })
    ).json() as { code: string; hostKey: string };
    const room = s.rooms.get(created.code)!;
    const lobby = room.meta().recordingId;
    expect(lobby).toBe(s.recorders.at(-1)!.id);
    room.joinStudent('conn-ada', { nickname: 'Ada' });
    expect(room.startRound('round', 60).ok).toBe(true);
    // Another scenario than the lobby's: a fresh simulation, so a fresh recording; the lobby's, where no tick ran,
    // is dropped rather than listed as an empty replay.
    const first = room.meta().recordingId;
    expect(first).toBe(s.recorders.at(-1)!.id);
    expect(first).not.toBe(lobby);
    await s.store.settled();
    const ids = async () => ((await s.app.inject({ url: '/api/recordings', headers: TEACHER })).json().recordings as { id: string }[]).map((x) => x.id);
    // The drop is asynchronous (the recorder flushes first): wait for the condition, not for a time.
    await vi.waitFor(async () => expect(await ids()).not.toContain(lobby), { timeout: 20_000, interval: 20 });
    room.runTicks(50);
    expect(room.endRound().ok).toBe(true);
    expect(room.meta().recordingId).toBe(first);
    const round1Csv = room.resultsCsv()!;

    const file = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/examples/friday-deploy.json'), 'utf8')) as Record<string, unknown>;
    const r = await s.app.inject({
      method: 'POST',
      url: `/api/sessions/${created.code}/rounds`,
      headers: { authorization: `Bearer ${created.hostKey}` },
      payload: { scenarioFile: file, durationSec: 60 },
    });
    expect(r.statusCode, r.body).toBe(201);
    const second = room.meta().recordingId;
    expect(second).not.toBe(first);
    await s.store.settled();
    expect(await ids()).toContain(first); // round 1 ran: it stays
    expect(second).toBe(s.recorders.at(-1)!.id);
    room.runTicks(120);
    const hash = stateHash(room.state as never);
    await room.end('host');

    const served = await s.app.inject({ url: `/api/recordings/${second}`, headers: TEACHER });
    expect(served.statusCode).toBe(200);
    const rec = loadRecording(served.body);
    if (!rec.ok) throw new Error(rec.error.message);
    expect(rec.value.header.scenario).toMatchObject({ name: 'friday-deploy', title: file['title'] });
    expect(rec.value.divergence).toBeNull();
    expect(stateHash(seek(rec.value, 120))).toBe(hash);

    // Any round's results can be scored again from its recording: round 1's CSV, byte for byte as the room made it.
    const scored = await s.app.inject({ url: `/api/recordings/${first}/results.csv`, headers: TEACHER });
    expect(scored.statusCode, scored.body).toBe(200);
    expect(scored.headers['content-disposition']).toBe(`attachment; filename="oom-arena-${first}-round-1-results.csv"`);
    expect(scored.body).toBe(round1Csv);
    expect(scored.body).toContain(',Ada,');
    const fresh = (await s.app.inject({ headers: TEACHER, method: 'POST', url: '/api/sessions', payload: { scenario: 'leak' } })).json() as { code: string };
    const lobbyOnly = s.rooms.get(fresh.code)!.meta().recordingId;
    expect((await s.app.inject({ url: `/api/recordings/${lobbyOnly}/results.csv`, headers: TEACHER })).json().error.code).toBe('NO_ROUND');
    expect((await s.app.inject({ url: '/api/recordings/nope!/results.csv', headers: TEACHER })).statusCode).toBe(400);
    expect((await s.app.inject({ url: '/api/recordings/20260101-000000-NONE/results.csv', headers: TEACHER })).statusCode).toBe(404);
  });

  it('uploads through the app are not held to its small JSON body limit, and still capped', async () => {
    const s = await server();
    const { text } = recordSession({ students: 30, ticks: 2400, everyTicks: 50 });
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 64 * 1024);
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/recordings',
      headers: { 'content-type': 'application/x-ndjson', ...TEACHER },
      payload: text,
    });
    expect(r.statusCode, r.body).toBe(201);
    const big = await s.app.inject({
      method: 'POST',
      url: '/api/recordings',
      headers: { 'content-type': 'application/x-ndjson', ...TEACHER },
      payload: Buffer.alloc(40 * 1024 * 1024, 'x'),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('TOO_LARGE');
  });

  it('continue from here re-seats returning students on their pods, hands the rest to bots, and leaves no pod without a player', async () => {
    const s = await server();
    const created = await newSession(s, { scenario: 'classroom', maxStudents: 6, seed: 9 });
    const room = created.room;
    for (const name of ['Ayesha', 'Ben', 'Chen', 'Dana']) expect(room.joinStudent(`conn-${name}`, { nickname: name }).ok).toBe(true);
    expect(room.fillBots('careful-guaranteed', 1).ok).toBe(true);
    expect(room.startRound(undefined, 600).ok).toBe(true);
    room.runTicks(300);
    const source = s.recorders.at(-1)!;
    await source.flush();
    const before = room.snapshotFor('nobody');
    expect(room.attachHost('h0', created.hostKey).ok).toBe(true);
    const slotOf = (name: string): string => room.snapshotFor('h0').participants!.find((p) => p.nickname === name)!.slot!;
    const slots: Record<string, string> = Object.fromEntries(['Ayesha', 'Ben', 'Chen', 'Dana', 'careful bot 5'].map((n) => [n, slotOf(n)]));
    expect(before.tick).toBe(300);

    const r = await s.app.inject({ method: 'POST', url: `/api/recordings/${source.id}/continue`, payload: { tick: 250 }, headers: TEACHER });
    expect(r.statusCode, r.body).toBe(201);
    const { code, hostKey } = r.json().session as { code: string; hostKey: string };
    const next = s.rooms.get(code)!;
    // The host page shows the moment's students: four waiting for their students, the bot playing on.
    expect(next.meta().students).toBe(5);
    const host = next.attachHost('conn-host', hostKey);
    if (!host.ok) throw new Error(host.error.message);
    const people = () => next.snapshotFor('conn-host').participants!;
    expect(people().filter((p) => p.waiting).map((p) => p.nickname).sort()).toEqual(['Ayesha', 'Ben', 'Chen', 'Dana']);
    expect(people().find((p) => p.bot)).toMatchObject({ slot: slots['careful bot 5'], strategy: 'careful-guaranteed', waiting: false, connected: true });
    const podAt250 = (slot: string) => next.state.pods.find((p) => p.slot === slot && p.phase !== 'Failed')!.name;

    // Ayesha comes back under her name (case and accents ignored): her own pod, as it was at that moment.
    const ayesha = next.joinStudent('conn-a', { nickname: 'ayesha' });
    if (!ayesha.ok) throw new Error(ayesha.error.message);
    expect(ayesha.data).toMatchObject({ slot: slots['Ayesha'], nickname: 'Ayesha', rejoined: true });
    expect(Object.keys(ayesha.data.snapshot.pods)).toEqual([podAt250(slots['Ayesha']!)]);
    expect(ayesha.data.token).toBeTruthy();
    // Ben joins as "Benji" and gets a new pod; the teacher gives him his old one (the new one goes).
    const benji = next.joinStudent('conn-b', { nickname: 'Benji' });
    if (!benji.ok) throw new Error(benji.error.message);
    expect(benji.data.slot).not.toBe(slots['Ben']);
    expect(next.assignSeat(slots['Ben']!, benji.data.participantId)).toMatchObject({ ok: true });
    expect(next.assignSeat(slots['Ben']!, benji.data.participantId).ok).toBe(false); // taken now
    expect(next.assignSeat(slots['Chen']!, 'zz').ok).toBe(false); // nobody
    // Chen and Dana never come back: Start hands their pods to bots (a second room below removes them instead).
    const dana = people().find((p) => p.nickname === 'Dana')!;
    expect(next.snapshotFor('conn-host').participants!.filter((p) => p.waiting)).toHaveLength(2);
    expect(next.start().ok).toBe(true);
    next.runTicks(30);
    const after = people();
    expect(after.filter((p) => p.waiting)).toHaveLength(0);
    expect(after.find((p) => p.nickname === 'Chen')).toMatchObject({ bot: true, connected: true, slot: slots['Chen'] });
    expect(after.find((p) => p.id === dana.id)).toMatchObject({ bot: true, slot: slots['Dana'] });
    expect(typeof after.find((p) => p.nickname === 'Chen')!.strategy).toBe('string');
    expect(after.find((p) => p.nickname === 'Benji')).toMatchObject({ slot: slots['Ben'], bot: false });
    // No pod without a player: every student pod in the state has a participant who is there or a server bot.
    const live = next.state.pods.filter((p) => p.phase !== 'Failed' && p.phase !== 'Succeeded');
    expect(live.map((p) => p.slot).sort()).toEqual(Object.values(slots).sort());
    for (const p of live) {
      const who = after.find((x) => x.slot === p.slot);
      expect(who, p.slot).toBeDefined();
      expect(who!.connected || who!.bot, p.slot).toBe(true);
    }
    expect(next.state.pods.some((p) => p.slot === benji.data.slot)).toBe(false);
    await next.end('host');

    // The other choice: the pods nobody took back are removed.
    const r2 = await s.app.inject({ method: 'POST', url: `/api/recordings/${source.id}/continue`, payload: { tick: 250 }, headers: TEACHER });
    const third = s.rooms.get((r2.json().session as { code: string }).code)!;
    expect(third.joinStudent('conn-x', { nickname: 'Dana' }).ok).toBe(true);
    expect(third.releaseSeats('remove')).toMatchObject({ ok: true, data: { released: 3 } });
    expect(third.start().ok).toBe(true);
    third.runTicks(5);
    const left = third.state.pods.filter((p) => p.phase !== 'Failed').map((p) => p.slot).sort();
    expect(left).toEqual([slots['Dana'], slots['careful bot 5']].sort());
    await third.end('host');
  });
});
