/**
 * Load hygiene (issue #10, defects 7–10): one room budget per address across every route that makes a room;
 * look-ups limited, with a guessing budget shared by HTTP and sockets that a reconnect does not refill; message
 * limits keyed by the participant, not the connection; the per-address connection cap counts recovered
 * connections; sockets that never join are closed; refused messages logged as counts; padded uploads refused.
 * Nothing here waits on time: limits are configured small and refill slowly, deadlines tiny, and the tests wait
 * for the condition (a refusal, a disconnect).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppOptions } from '../../server/app.ts';
import { recordingRoutes, RecordingStore } from '../../server/recording/index.ts';
import { recordingSessionHooks } from '../../server/sessions/sessionHooks.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { recordSession } from '../unit/recordingHelpers.ts';
import { bearer, call, callRaw, client, collect, createSession, joinStudent, next, ok, startServer, TEACHER_KEY, type Client, type TestServer } from './helpers.ts';

const dirs: string[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A server with the recording routes (continue, resume, upload) on a fresh data folder. */
async function serverWithRecordings(o: AppOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-hygiene-'));
  dirs.push(dataDir);
  const store = new RecordingStore({ dataDir });
  let rooms: TestServer['rooms'] | null = null;
  const hooks = recordingSessionHooks(store, () => rooms!);
  const s = await startServer({
    ...o,
    recorderFactory: hooks.recorderFactory,
    plugins: [(a, ctx) => a.register(recordingRoutes, { store, continueSession: hooks.continueSession, resumeSession: hooks.resumeSession, resultsCsv: hooks.resultsCsv, guards: ctx.guards })],
  });
  rooms = s.rooms;
  servers.push(s);
  return { s, store };
}

/** A socket.io client that has not joined anything. */
function rawClient(s: TestServer, opts: Parameters<typeof connect>[1] = {}): Client {
  const c = connect(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts }) as unknown as Client;
  s.clients.push(c);
  return c;
}
const connected = (c: Client) =>
  new Promise<string | null>((resolve) => {
    c.once('connect', () => resolve(null));
    c.once('connect_error', (e) => resolve(e.message));
  });
const disconnected = (c: Client) => new Promise<string>((resolve) => c.once('disconnect', (reason) => resolve(reason)));

/** Resolve once `cond` holds (checked every few milliseconds; the test's own timeout bounds it). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

/** A clock the test moves: timers fire only when `advance` passes them. */
function fakeClock() {
  let t = 1_000_000;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    schedule(fn: () => void, ms: number) {
      const timer = { at: t + ms, fn };
      timers.push(timer);
      return () => {
        timers = timers.filter((x) => x !== timer);
      };
    },
    advance(ms: number) {
      t += ms;
      const due = timers.filter((x) => x.at <= t);
      timers = timers.filter((x) => x.at > t);
      for (const x of due) x.fn();
    },
  };
}

/** Practically no refill: a test spends a budget and it stays spent. */
const slow = 1e-6;

describe('load hygiene', () => {
  it('defect 7: one room budget per address across create, continue and resume', async () => {
    const { s } = await serverWithRecordings({ config: { roomCreations: { burst: 3, perSec: slow } } });
    const first = await createSession(s);
    await createSession(s);
    first.room.start();
    first.room.runTicks(20);
    const id = first.room.meta().recordingId!;
    const cont = await s.app.inject({ method: 'POST', url: `/api/recordings/${id}/continue`, payload: { tick: 10 }, headers: bearer(TEACHER_KEY) });
    expect(cont.statusCode, cont.body).toBe(201);
    // The budget is spent, whichever route asks next.
    const create = await s.app.inject({ method: 'POST', url: '/api/sessions', payload: {}, headers: bearer(TEACHER_KEY) });
    expect(create.statusCode).toBe(429);
    expect(create.json().error.code).toBe('ROOM_BUDGET');
    const again = await s.app.inject({ method: 'POST', url: `/api/recordings/${id}/continue`, payload: { tick: 10 }, headers: bearer(TEACHER_KEY) });
    expect(again.statusCode).toBe(429);
    await first.room.end('shutdown');
    const resume = await s.app.inject({ method: 'POST', url: `/api/recordings/${id}/resume`, payload: {}, headers: bearer(TEACHER_KEY) });
    expect(resume.statusCode).toBe(429);
    expect(resume.json().error.code).toBe('ROOM_BUDGET');
  });

  it('defect 10: guessing codes spends one budget per address, over HTTP and sockets, that reconnecting does not refill', async () => {
    const s = await startServer({ config: { failedLookups: { burst: 4, perSec: slow }, offenceBurst: 100 } });
    servers.push(s);
    const { code } = await createSession(s);
    const guesser = await client(s);
    for (let i = 0; i < 3; i++) {
      expect(await callRaw(guesser, 'student:join', { v: PROTOCOL_VERSION, code: `ZZZZ${i}${i}`, nickname: 'x' })).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_FOUND' } });
    }
    expect((await s.app.inject('/api/sessions/QQQQQQ')).statusCode).toBe(404);
    // Spent: the right code is refused too, on this socket, on a new one, and over HTTP.
    expect(await callRaw(guesser, 'student:join', { v: PROTOCOL_VERSION, code, nickname: 'x' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    guesser.disconnect();
    const fresh = await client(s);
    expect(await callRaw(fresh, 'student:join', { v: PROTOCOL_VERSION, code, nickname: 'x' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const http = await s.app.inject(`/api/sessions/${code}`);
    expect(http.statusCode).toBe(429);
    expect(http.json().error.code).toBe('RATE_LIMITED');
  });

  it('defect 10: HTTP look-ups are limited per address', async () => {
    const s = await startServer({ config: { lookups: { burst: 5, perSec: slow } } });
    servers.push(s);
    const { code } = await createSession(s);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await s.app.inject(`/api/sessions/${code}`)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect((await s.app.inject(`/api/sessions/${code}/qr.svg`)).statusCode).toBe(429);
  });

  it('defect 10: a participant’s message limit survives a reconnect', async () => {
    const s = await startServer({ config: { messageBurst: 6, messagesPerSec: slow, offenceBurst: 100 } });
    servers.push(s);
    const { code } = await createSession(s);
    const { c, join: joined } = await joinStudent(s, code, 'flooder');
    const acks = [];
    for (let i = 0; i < 8; i++) acks.push(await callRaw(c, 'state:sync', {}));
    expect(acks.filter((a) => a.ok).length).toBe(6);
    expect(acks.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    c.disconnect();
    // Back with the session token: the same participant, the same (spent) bucket.
    const again = await client(s);
    ok(await call(again, 'student:join', { v: PROTOCOL_VERSION, code, token: joined.token! }));
    expect(await callRaw(again, 'state:sync', {})).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // Another student is not affected.
    const other = await joinStudent(s, code, 'calm');
    expect((await callRaw(other.c, 'state:sync', {})).ok).toBe(true);
  });

  it('defect 8: the per-address connection cap counts connections restored by state recovery', async () => {
    const s = await startServer({ config: { maxConnectionsPerIp: 3 } });
    servers.push(s);
    const engines = (n: number) => until(() => s.io.engine.clientsCount === n);
    const { code, hostKey, room } = await createSession(s);
    const host = rawClient(s);
    expect(await connected(host)).toBeNull();
    ok(await call(host, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey }));
    ok(await call(host, 'session:start', {}));
    // No automatic reconnection: the test says when the dropped socket comes back (with its recovery id).
    const dropper = rawClient(s);
    expect(await connected(dropper)).toBeNull();
    ok(await call(dropper, 'student:join', { v: PROTOCOL_VERSION, code, nickname: 'dropper' }));
    const frame = new Promise((r) => dropper.once('state:frame', r));
    room.runTicks(1); // a broadcast gives the socket an offset to recover from
    await frame;
    const third = rawClient(s);
    expect(await connected(third)).toBeNull();
    // A fourth is refused with a code people can read.
    const fourth = rawClient(s);
    expect(await connected(fourth)).toMatch(/Too many connections/);
    fourth.disconnect();
    await engines(3);

    // The dropper's Wi-Fi blips; while it is away another connection takes its place.
    const away = disconnected(dropper);
    (dropper.io.engine as unknown as { close(): void }).close();
    await away;
    await engines(2);
    const taker = rawClient(s);
    expect(await connected(taker)).toBeNull();
    // Its recovery is counted like any new connection: refused, not a fourth connection held.
    const back = new Promise<boolean>((resolve) => dropper.once('connect', () => resolve(dropper.recovered)));
    const refused = disconnected(dropper);
    dropper.connect();
    expect(await back).toBe(true); // it was a recovery (it skips socket.io's middlewares)…
    expect(await refused).toBe('io server disconnect'); // …and it was closed all the same
    await engines(3);
    expect(s.io.sockets.sockets.size).toBe(3);
  });

  it('defect 8: a socket that never joins is closed after the join deadline; one that joined stays', async () => {
    const s = await startServer({ config: { joinTimeoutMs: 300 } });
    servers.push(s);
    const { code } = await createSession(s);
    const student = await joinStudent(s, code, 'prompt');
    const idle = rawClient(s);
    expect(await connected(idle)).toBeNull();
    expect(await disconnected(idle)).toBe('io server disconnect');
    // The idle socket was created after the student joined: the student's deadline passed too.
    expect(student.c.connected).toBe(true);
    expect((await callRaw(student.c, 'state:sync', {})).ok).toBe(true);
  });

  it('defect 10: refused messages are logged as counts per interval, not a warning each', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const s = await startServer({ logger: { level: 'warn', stream }, config: { offenceBurst: 1000, messageBurst: 1000 } });
    const c = await client(s);
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => callRaw(c, i % 2 ? 'no:such:event' : 'pod:command', { junk: i })));
    expect(acks.every((a) => !a.ok)).toBe(true);
    await s.close(); // the interval's counts are written when the server closes
    const refusals = lines.filter((l) => /refused/.test(String(l['msg'])));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ msg: 'client messages refused', refused: 40, codes: { UNKNOWN_EVENT: 20, BAD_REQUEST: 20 } });
  });

  it('defect 9: a recording whose host actions carry padded details is refused', async () => {
    const { s } = await serverWithRecordings();
    const { text } = recordSession({ students: 2, ticks: 100 });
    const lines = text.trimEnd().split('\n');
    const at = lines.findIndex((l) => l.includes('"k":"h","t":50,'));
    lines.splice(at + 1, 0, JSON.stringify({ k: 'a', t: 50, action: 'join', detail: { participant: 'p', name: 'x', pad: 'x'.repeat(64 * 1024) } }));
    const r = await s.app.inject({ method: 'POST', url: '/api/recordings', headers: { 'content-type': 'application/x-ndjson', ...bearer(TEACHER_KEY) }, payload: lines.join('\n') + '\n' });
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toMatchObject({ code: 'DETAIL_TOO_LARGE', line: at + 2 });
    // The same file without the padding is fine.
    const good = await s.app.inject({ method: 'POST', url: '/api/recordings', headers: { 'content-type': 'application/x-ndjson', ...bearer(TEACHER_KEY) }, payload: text });
    expect(good.statusCode, good.body).toBe(201);
  });

  it('defect 6: a room caps its spectators and its joins; the host gets roster changes coalesced, as changes', async () => {
    const clock = fakeClock();
    const s = await startServer({ clock, config: { maxSpectatorsPerRoom: 3, roomJoins: { burst: 100, perSec: slow } } });
    servers.push(s);
    const { code, hostKey, room } = await createSession(s, { maxStudents: 2 });
    const host = await client(s);
    ok(await call(host, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey }));
    const patches = collect(host, 'participants:patch');
    const wholeRosters = collect(host, 'participants:update' as never);
    const joined = [];
    for (const name of ['ann', 'ben', 'cal', 'dee', 'eve']) joined.push(await joinStudent(s, code, name));
    expect(joined.map((j) => j.join.role)).toEqual(['student', 'student', 'spectator', 'spectator', 'spectator']);
    const full = await client(s);
    expect(await call(full, 'student:join', { v: PROTOCOL_VERSION, code, nickname: 'fay' })).toMatchObject({ ok: false, error: { code: 'ROOM_FULL' } });

    // Five joins, one patch: sent when the interval ends, naming the five.
    const first = next(host, 'participants:patch');
    clock.advance(250);
    expect((await first).set.map((p) => p.nickname)).toEqual(['ann', 'ben', 'cal', 'dee', 'eve']);
    // One leaves: the next patch names only her.
    joined[3]!.c.disconnect();
    await until(() => room.connectionCount === 5); // the host and four students
    const second = next(host, 'participants:patch');
    clock.advance(250);
    expect(await second).toEqual({ set: [expect.objectContaining({ nickname: 'dee', connected: false })], gone: [] });
    expect(patches).toHaveLength(2);
    expect(wholeRosters).toHaveLength(0);
  });

  it('defect 6: joins a room takes are limited per room (a token rejoin is not a join)', async () => {
    const s = await startServer({ clock: fakeClock(), config: { roomJoins: { burst: 3, perSec: slow } } });
    servers.push(s);
    const { code } = await createSession(s);
    const first = await joinStudent(s, code, 'one');
    await joinStudent(s, code, 'two');
    await joinStudent(s, code, 'three');
    const late = await client(s);
    expect(await call(late, 'student:join', { v: PROTOCOL_VERSION, code, nickname: 'four' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    first.c.disconnect();
    const back = await client(s);
    expect(ok(await call(back, 'student:join', { v: PROTOCOL_VERSION, code, token: first.join.token! })).rejoined).toBe(true);
  });

  it('defect 7: a room nobody attached to ends after about ten minutes and frees its place; an attended one stays', async () => {
    const clock = fakeClock();
    const s = await startServer({ clock, config: { maxSessions: 2 } });
    servers.push(s);
    const abandoned = await createSession(s);
    const attended = await createSession(s);
    const host = await client(s);
    ok(await call(host, 'host:attach', { v: PROTOCOL_VERSION, code: attended.code, hostKey: attended.hostKey }));
    const full = await s.app.inject({ method: 'POST', url: '/api/sessions', payload: {}, headers: bearer(TEACHER_KEY) });
    expect(full.json().error.code).toBe('TOO_MANY_SESSIONS');
    clock.advance(9 * 60_000);
    await s.rooms.sweep();
    expect(abandoned.room.status).toBe('lobby');
    clock.advance(60_001);
    await s.rooms.sweep();
    expect(abandoned.room.status).toBe('ended');
    expect(attended.room.status).toBe('lobby');
    expect((await s.app.inject({ method: 'POST', url: '/api/sessions', payload: {}, headers: bearer(TEACHER_KEY) })).statusCode).toBe(201);
  });
});
