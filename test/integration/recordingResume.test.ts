/**
 * Resume after a crash through the server's real app with the recording hooks (RS2): a fresh server lists the session
 * as interrupted and brings it back as it was (its round, clock, scores, questions, bots, results).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecording } from '../../shared/recording/index.ts';
import { TEACHER, newSession, recordingApps, type TestApp } from './recordingApp.ts';

const { server, crashAndResume, close } = recordingApps('oom-rec-resume-');
afterAll(close);

describe('resume after a crash through the real app (RS2)', () => {
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
});
