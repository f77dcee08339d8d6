/**
 * A teacher's scenario file through the real server (docs/scenarios.md, docs/game.md): a session created from a
 * file, and the next round started from a file after a round's results. A file that does not fit the schema is
 * refused with a coded error naming the field, and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room } from '../../server/room/Room.ts';
import type { GameView } from '../../shared/protocol/gameViews.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { attachHost, call, createSession, joinStudent, next, ok, startServer, tick, keepRecordings, type KeptRecording, type TestServer } from './helpers.ts';

const EXAMPLE = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/examples/friday-deploy.json'), 'utf8')) as Record<string, unknown>;
/** The example with one field broken: a limit below the request. */
const BROKEN = { ...EXAMPLE, student: { ...(EXAMPLE['student'] as object), requestMiB: 512, limitMiB: 256 } };
const BROKEN_POD = { ...EXAMPLE, pods: [{ name: 'cache', requestMiB: 512, limitMiB: 256, workload: {} }] };

const podOf = (room: Room, slot: string) => Object.values(room.state.pods).find((p) => p.slot === slot)!;

describe('scenario files', () => {
  let s: TestServer;
  const recordings: KeptRecording[] = [];
  beforeAll(async () => {
    // More sessions than a teacher creates in a minute: the tests below make a dozen.
    s = await startServer({ recorderFactory: keepRecordings(recordings), config: { roomCreations: { burst: 100, perSec: 100 } } });
  });
  afterAll(() => s.close());

  const post = (path: string, body: unknown, hostKey?: string) =>
    fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(hostKey ? { authorization: `Bearer ${hostKey}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  it('creates a session from a file: its node, its pods, its student template, its recording', async () => {
    const res = await post('/api/sessions', { scenarioFile: EXAMPLE, seed: 3 });
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    const room = s.rooms.get(code)!;
    expect(room.meta()).toMatchObject({ scenario: { name: 'friday-deploy', title: EXAMPLE['title'] }, podSlots: 30, durationSec: 600 });
    expect(room.state.node.capacityPages).toBe(8192 * 256);
    expect(Object.values(room.state.pods).map((p) => p.slot)).toEqual(['cache']);

    const ada = await joinStudent(s, code, 'ada');
    room.runTicks(1);
    expect(podOf(room, ada.join.slot!).spec).toMatchObject({ requestPages: 192 * 256, limitPages: 384 * 256 });
    expect(recordings.find((r) => r.start.code === code)?.start.scenario.timeline).toHaveLength(2);
  });

  it("a round without a length takes the file's own, within what a round may last (10 s to 2 h)", async () => {
    for (const [own, round] of [[5, 10], [600, 600], [24 * 3600, 7200]] as const) {
      const res = await post('/api/sessions', { scenarioFile: { ...EXAMPLE, durationSec: own } });
      const room = s.rooms.get(((await res.json()) as { code: string }).code)!;
      expect(room.startRound(undefined, undefined).ok).toBe(true);
      expect(room.lesson.round?.durationSec).toBe(round);
      // session:start (scripts, the API) starts the same round 1.
      const res2 = await post('/api/sessions', { scenarioFile: { ...EXAMPLE, durationSec: own } });
      const room2 = s.rooms.get(((await res2.json()) as { code: string }).code)!;
      expect(room2.start().ok).toBe(true);
      expect([room2.lesson.phase, room2.lesson.round?.durationSec]).toEqual(['round', round]);
    }
  });

  it('refuses a bad file at creation, naming the field, and creates nothing', async () => {
    const before = s.rooms.liveCount;
    const bad = await post('/api/sessions', { scenarioFile: BROKEN });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toEqual({ code: 'BAD_SCENARIO', message: 'scenarioFile: student.limitMiB: must be at least requestMiB' });
    const badPod = await post('/api/sessions', { scenarioFile: BROKEN_POD });
    expect(await errorOf(badPod)).toEqual({
      code: 'BAD_SCENARIO',
      message: 'scenarioFile: pods[0].limitMiB: must be at least requestMiB',
    });
    const both = await post('/api/sessions', { scenario: 'leak', scenarioFile: EXAMPLE });
    expect([both.status, (await errorOf(both)).code]).toEqual([400, 'BAD_REQUEST']);
    const notObject = await post('/api/sessions', { scenarioFile: [EXAMPLE] });
    expect([notObject.status, (await errorOf(notObject)).code]).toEqual([400, 'BAD_REQUEST']);
    const poisoned = await post('/api/sessions', `{"scenarioFile":{"__proto__":{"x":1},"name":"p"}}`);
    expect(poisoned.status).toBe(400);
    expect(s.rooms.liveCount).toBe(before);
  });

  it('starts the next round from a file after results; a bad file changes nothing', async () => {
    const { code, hostKey, room } = await createSession(s, { maxStudents: 3, seed: 11 });
    const host = await attachHost(s, code, hostKey);
    const bea = await joinStudent(s, code, 'bea');
    ok(await call(host, 'round:start', { scenario: 'round', durationSec: 600 }));
    await tick(room, 20);

    // Only between rounds, and only for the host.
    const during = await post(`/api/sessions/${code}/rounds`, { scenarioFile: EXAMPLE }, hostKey);
    expect([during.status, (await errorOf(during)).code]).toEqual([409, 'BAD_STATE']);
    ok(await call(host, 'round:end', {}));
    const notHost = await post(`/api/sessions/${code}/rounds`, { scenarioFile: EXAMPLE }, 'x'.repeat(32));
    expect([notHost.status, (await errorOf(notHost)).code]).toEqual([403, 'BAD_HOST_KEY']);
    const noSession = await post(`/api/sessions/ZZZZZZ/rounds`, { scenarioFile: EXAMPLE }, hostKey);
    expect(noSession.status).toBe(404);

    // A bad file: coded, names the field; the results, the simulation and the recordings stay as they were.
    const hash = stateHash(room.state as never);
    const recs = recordings.length;
    const bad = await post(`/api/sessions/${code}/rounds`, { scenarioFile: BROKEN_POD, durationSec: 120 }, hostKey);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toBe('scenarioFile: pods[0].limitMiB: must be at least requestMiB');
    const tooShort = await post(`/api/sessions/${code}/rounds`, { scenarioFile: EXAMPLE, durationSec: 1 }, hostKey);
    expect([tooShort.status, (await errorOf(tooShort)).code]).toEqual([400, 'BAD_REQUEST']);
    const tooBig = await post(`/api/sessions/${code}/rounds`, { scenarioFile: { ...EXAMPLE, description: 'x'.repeat(70_000) } }, hostKey);
    expect(tooBig.status).toBe(413);
    expect(room.lesson.phase).toBe('results');
    expect(stateHash(room.state as never)).toBe(hash);
    expect(recordings.length).toBe(recs);

    // A good file: round 2 on the file's node and pods; the student keeps their seat with the file's template.
    const started = next(bea.c, 'game:update', (g) => g.phase === 'round' && g.roundNo === 2);
    const snap = next(bea.c, 'state:snapshot', (x) => x.session.scenario.name === 'friday-deploy');
    const res = await post(`/api/sessions/${code}/rounds`, { scenarioFile: EXAMPLE, durationSec: 120 }, hostKey);
    expect(res.status).toBe(201);
    expect((await res.json()) as GameView).toMatchObject({ phase: 'round', roundNo: 2, round: { scenario: 'friday-deploy', durationSec: 120 } });
    await started;
    const after = await snap;
    expect(after.session.scenario.title).toBe(EXAMPLE['title']);
    expect(after.node.capacityPages).toBe(8192 * 256);
    room.runTicks(1);
    expect(Object.values(room.state.pods).map((p) => p.slot).sort()).toEqual(['cache', bea.join.slot].sort());
    expect(podOf(room, bea.join.slot!).spec).toMatchObject({ requestPages: 192 * 256, limitPages: 384 * 256 });
    const rec = recordings.at(-1)!;
    expect(rec.start.scenario.name).toBe('friday-deploy');
    expect(rec.rec.hostActions.at(-1)).toMatchObject({ action: 'round_start', detail: { round: 2, scenario: 'friday-deploy', source: 'file' } });

    // The file's workloads run: its cache leaks 6 MiB/s on top of its 256 MiB.
    const cache = () => podOf(room, 'cache').anonPages / 256;
    room.runTicks(100);
    expect(cache()).toBeGreaterThan(256 + 6 * 8);
    expect(room.lesson.phase).toBe('round');
  });
});
