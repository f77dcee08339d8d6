/** The recording routes on a real fastify instance (inject): list, download, upload and its refusals, continue. */
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_VERSION, loadRecording } from '../../shared/recording/index.ts';
import { roundScenario, studentPod } from '../../shared/game/roundScenario.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { stateHash } from '../../shared/sim/hash.ts';
import { advance } from '../../shared/sim/step.ts';
import { recordingRoutes, RecordingStore, type FileRecorder } from '../../server/recording/index.ts';
import { recordSession } from '../unit/recordingHelpers.ts';
import { secretHash } from '../../server/util/secrets.ts';

/** The teacher whose recordings these are (Authorization: Bearer <teacher key>). */
const TEACHER = 'teacher-key-of-the-routes-test';
const auth = { authorization: `Bearer ${TEACHER}` };
const owner = { ownerSha256: secretHash(TEACHER) };
const get = (url: string) => app.inject({ url, headers: auth });

const dataDir = mkdtempSync(join(tmpdir(), 'oom-rec-routes-'));
let app: FastifyInstance;
let store: RecordingStore;
const continued: { tick: number; hash: string; origin: unknown }[] = [];
const continuedOwners: string[] = [];
let endedId = '';
let live: FileRecorder;

beforeAll(async () => {
  store = new RecordingStore({ dataDir, maxUploadBytes: 2 * 1024 * 1024 });
  app = Fastify();
  await app.register(recordingRoutes, {
    store,
    continueSession: async ({ state, origin, ownerHash }) => {
      continued.push({ tick: state.tick, hash: stateHash(state), origin });
      continuedOwners.push(ownerHash);
      return { code: 'NEWX', hostKey: 'k', hostPath: '/host/NEWX' };
    },
  });
  // One ended session and one live one.
  const scenario = roundScenario({ seats: 4, seed: 3 });
  const s = createSimulation(scenario);
  const rec = store.create({
    code: 'ENDD',
    scenario,
    seed: s.seed,
    initialState: s,
    participants: [{ id: 'h', name: 'Teacher', role: 'host' }],
    options: owner,
  });
  endedId = rec.id;
  for (let t = 1; t <= 400; t++) {
    const cmds =
      t === 1 ? [0, 1, 2].map((i) => ({ type: 'add_pod' as const, pod: studentPod(`s${i}`) })) : [];
    await Promise.all(cmds.map((c, i) => rec.command({ tick: t, by: `s${i}`, command: c })));
    advance(s, cmds);
    rec.afterTick(s);
  }
  await rec.hostAction({ tick: 400, action: 'end' });
  await rec.end('ended');
  const s2 = createSimulation(scenario);
  live = store.create({ code: 'LIVE', scenario, seed: s2.seed, initialState: s2, options: owner });
});
afterAll(async () => {
  await live.end('shutdown');
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const upload = (payload: string | Buffer, type = 'application/x-ndjson') =>
  app.inject({ method: 'POST', url: '/api/recordings', headers: { 'content-type': type, ...auth }, payload });

describe('recording routes (RR1)', () => {
  it('lists recordings with their state', async () => {
    const r = await get('/api/recordings');
    expect(r.statusCode).toBe(200);
    const list = r.json().recordings as {
      id: string;
      state: string;
      durationSec: number;
      participants: number;
      scenario: string;
    }[];
    expect(list.find((x) => x.id === endedId)).toMatchObject({
      state: 'ended',
      durationSec: 40,
      participants: 3,
      scenario: 'round',
    });
    expect(list.find((x) => x.id === live.id)).toMatchObject({ state: 'live' });
  });

  it('downloads the file, which replays', async () => {
    const r = await get(`/api/recordings/${endedId}?download`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/x-ndjson/);
    expect(r.headers['content-disposition']).toMatch(/attachment/);
    const rec = loadRecording(r.body);
    expect(rec.ok && rec.value.divergence === null && rec.value.lastTick).toBe(400);
  });

  it('404 and 400 with codes', async () => {
    expect((await get('/api/recordings/nope')).json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const bad = await get('/api/recordings/..%2F..%2Fetc%2Fpasswd');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('BAD_ID');
  });

  it('accepts a valid upload and lists it', async () => {
    const { text } = recordSession({ students: 4, ticks: 600 });
    const r = await upload(text);
    expect(r.statusCode).toBe(201);
    const id = r.json().recording.id as string;
    expect(id).toMatch(/^upload-/);
    const listed = (await get('/api/recordings'))
      .json()
      .recordings.find((x: { id: string }) => x.id === id);
    expect(listed).toMatchObject({ state: 'ended', source: 'upload', lastTick: 600 });
    expect((await get(`/api/recordings/${id}`)).body).toBe(text);
  });

  it('refuses bad uploads with clear coded errors and keeps nothing', async () => {
    const { text } = recordSession({ students: 4, ticks: 300 });
    const before = readdirSync(join(dataDir, 'recordings')).length;
    const lines = text.trimEnd().split('\n');
    const header = JSON.parse(lines[0]!);
    const tamperedHash =
      lines
        .map((l) => (l.includes('"k":"h","t":200,') ? '{"k":"h","t":200,"hash":"00000000deadbeef"}' : l))
        .join('\n') + '\n';
    const cases: [string | Buffer, number, string, RegExp][] = [
      ['not a recording', 422, 'NOT_A_RECORDING', /not an OOM Arena recording/],
      [
        [JSON.stringify({ ...header, formatVersion: FORMAT_VERSION + 1 }), ...lines.slice(1)].join('\n'),
        422,
        'FORMAT_TOO_NEW',
        /Update OOM Arena/,
      ],
      [
        [JSON.stringify({ ...header, simVersion: 999 }), ...lines.slice(1)].join('\n'),
        422,
        'SIM_VERSION_MISMATCH',
        /rules version 999/,
      ],
      [tamperedHash, 422, 'DIVERGED', /tick 200.*changed after it was recorded/],
      [
        [lines[0], lines[1], '{"k":"c","t":1,"by":"x"', ...lines.slice(2)].join('\n'),
        422,
        'INVALID_LINE',
        /Line 3/,
      ],
      [Buffer.alloc(3 * 1024 * 1024, 'a'), 413, 'TOO_LARGE', /larger than 2 MB/],
    ];
    for (const [payload, status, code, message] of cases) {
      const r = await upload(payload);
      expect(r.statusCode, code).toBe(status);
      expect(r.json().error.code).toBe(code);
      expect(r.json().error.message).toMatch(message);
    }
    const json = await upload('{"a":1}', 'application/json');
    expect(json.statusCode).toBe(415);
    expect(readdirSync(join(dataDir, 'recordings')).length).toBe(before);
  });

  it('a tampered hash is reported with its line', async () => {
    const { text } = recordSession({ students: 2, ticks: 100 });
    const lines = text.trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"k":"h","t":50,'));
    lines[i] = '{"k":"h","t":50,"hash":"00000000deadbeef"}';
    expect((await upload(lines.join('\n'))).json().error).toMatchObject({ code: 'DIVERGED', line: i + 1 });
  });

  it('continues from a moment with the replayed state at that tick', async () => {
    const text = readFileSync(store.file(endedId), 'utf8');
    const rec = loadRecording(text);
    if (!rec.ok) throw new Error(rec.error.message);
    const r = await app.inject({
      method: 'POST',
      url: `/api/recordings/${endedId}/continue`,
      headers: auth,
      payload: { tick: 123 },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().session).toEqual({ code: 'NEWX', hostKey: 'k', hostPath: '/host/NEWX' });
    expect(continuedOwners.at(-1)).toBe(secretHash(TEACHER));
    const { seek } = await import('../../shared/recording/index.ts');
    expect(continued.at(-1)).toEqual({
      tick: 123,
      hash: stateHash(seek(rec.value, 123)),
      origin: { recording: endedId, tick: 123 },
    });
    const out = await app.inject({
      method: 'POST',
      url: `/api/recordings/${endedId}/continue`,
      headers: auth,
      payload: { tick: 99999 },
    });
    expect(out.json().error.code).toBe('TICK_OUT_OF_RANGE');
    const zero = await app.inject({
      method: 'POST',
      url: `/api/recordings/${endedId}/continue`,
      headers: auth,
      payload: { tick: 0 },
    });
    expect(zero.statusCode).toBe(201);
    expect(continued.at(-1)!.tick).toBe(0);
  });

  it('resume without a server hook is 501; resuming an ended or live session is refused', async () => {
    expect((await app.inject({ method: 'POST', url: `/api/recordings/${endedId}/resume`, headers: auth })).statusCode).toBe(
      501,
    );
    await expect(store.resume(endedId)).rejects.toMatchObject({ code: 'NOT_INTERRUPTED' });
    await expect(store.resume(live.id)).rejects.toMatchObject({ code: 'RECORDING_LIVE' });
  });

  it('a session closed by a server shutdown lists as interrupted and resumes', async () => {
    const scenario = roundScenario({ seats: 2, seed: 5 });
    const s = createSimulation(scenario);
    const rec = store.create({ code: 'SHUT', scenario, seed: s.seed, initialState: s, options: owner });
    await rec.command({ tick: 1, by: 's0', command: { type: 'add_pod', pod: studentPod('s0') } });
    for (let t = 1; t <= 55; t++) {
      advance(s, t === 1 ? [{ type: 'add_pod', pod: studentPod('s0') }] : []);
      rec.afterTick(s);
    }
    await rec.end('shutdown');
    const listed = (await get('/api/recordings'))
      .json()
      .recordings.find((x: { id: string }) => x.id === rec.id);
    expect(listed).toMatchObject({ state: 'interrupted', lastTick: 55 });
    const r = await store.resume(rec.id, { owner: true });
    expect(r.state.tick).toBe(55);
    expect(stateHash(r.state)).toBe(stateHash(s));
    expect((await store.summary(rec.id))?.state).toBe('live');
    await r.recorder.end('ended');
    expect((await store.summary(rec.id))?.state).toBe('ended');
  });
});
