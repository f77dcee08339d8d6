/**
 * "Continue from here" through the server's real app with the recording hooks (RS2), rounds with recordings of their
 * own, and uploads through the app. Resume after a crash: recordingResume.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadRecording, seek } from '../../shared/recording/index.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { recordSession } from '../unit/recordingHelpers.ts';
import { TEACHER, newSession, recordingApps } from './recordingApp.ts';

const { server, close } = recordingApps('oom-rec-sessions-');
afterAll(close);

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
