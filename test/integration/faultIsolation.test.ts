/**
 * A failing room fails alone (issue 10, fault isolation): a room that throws in its tick (its game) or in a handler,
 * injected among running ones, ends with ROOM_FAILED to its own participants and a readable recording; the process,
 * the server's routes and every other room go on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomGame } from '../../server/game/RoomGame.ts';
import { recordingRoutes, RecordingStore } from '../../server/recording/index.ts';
import type { Room } from '../../server/room/Room.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { loadRecording } from '../../shared/recording/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { attachHost, bearer, call, client, createSession, joinStudent, next, ok, startServer, tick, type Client, type TestServer } from './helpers.ts';

/** A game that breaks after `after` ticks, as a bug in the game layer would. */
class BrokenGame extends RoomGame {
  #left: number;
  constructor(after: number) {
    super();
    this.#left = after;
  }
  override afterTick(state: SimState) {
    if (--this.#left < 0) throw new TypeError("Cannot read properties of undefined (reading 'push')");
    return super.afterTick(state);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'oom-fault-'));
let s: TestServer;
let store: RecordingStore;
beforeAll(async () => {
  store = new RecordingStore({ dataDir });
  s = await startServer({ recorderFactory: store, plugins: [(a) => a.register(recordingRoutes, { store })], config: { roomCreations: { burst: 100, perSec: 100 } } });
});
afterAll(async () => {
  await s?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Healthy classes, each with a host and a student who watch their frames. */
async function healthyRooms(n: number) {
  const out: { room: Room; student: Client }[] = [];
  for (let i = 0; i < n; i++) {
    const created = await createSession(s);
    const student = (await joinStudent(s, created.code, `ok${i}`)).c;
    ok(await call(await attachHost(s, created.code, created.hostKey), 'session:start', {}));
    out.push({ room: created.room, student });
  }
  return out;
}

async function stillPlaying(rooms: { room: Room; student: Client }[]) {
  for (const { room, student } of rooms) {
    const from = room.state.tick;
    const frame = next(student, 'state:frame', (d) => d.t > from);
    await tick(room, 2);
    expect((await frame).t).toBeGreaterThan(from);
    expect(room.status).toBe('running');
  }
  const res = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(201);
}

describe('a room that throws ends alone', () => {
  it('in its tick: ROOM_FAILED to its people, a readable recording, the other rooms play on', async () => {
    const others = await healthyRooms(3);
    const broken = s.rooms.create({ scenario: builtinScenario('classroom')!, speed: 1, lateJoin: true, game: new BrokenGame(15) })!;
    const host = await client(s);
    ok(await call(host, 'host:attach', { v: PROTOCOL_VERSION, code: broken.code, hostKey: broken.hostKey }));
    const victim = (await joinStudent(s, broken.code, 'victim')).c;
    const endedForStudent = next(victim, 'session:ended');
    const endedForHost = next(host, 'session:ended');
    ok(await call(host, 'session:start', {}));
    // The rooms tick side by side, as the server's loop would run them.
    for (let i = 0; i < 30; i++) for (const r of [broken, ...others.map((o) => o.room)]) r.runTicks(1);
    expect((await endedForStudent).reason).toBe('error');
    expect((await endedForHost).reason).toBe('error');
    expect(broken.status).toBe('ended');
    expect(broken.loop.running).toBe(false);
    // Anything more from its people is refused with a code, never a crash.
    expect(await call(victim, 'pod:command', { command: { type: 'fix_leak' } })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    await stillPlaying(others);

    // Its recording is readable up to the fault and listed as interrupted (the teacher may resume it).
    const id = broken.meta().recordingId!;
    await store.settled();
    const loaded = loadRecording(readFileSync(store.file(id), 'utf8'));
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.value.lastTick).toBeGreaterThanOrEqual(14);
    // A room made without a teacher key is owned by its host key.
    const listed = ((await (await fetch(`${s.url}/api/recordings`, { headers: bearer(broken.hostKey) })).json()) as { recordings: { id: string; state: string }[] }).recordings;
    expect(listed.find((r) => r.id === id)?.state).toBe('interrupted');
  });

  it('in a handler: the sender gets ROOM_FAILED, the room ends, the other rooms play on', async () => {
    const others = await healthyRooms(2);
    const created = await createSession(s);
    const host = await attachHost(s, created.code, created.hostKey);
    const student = (await joinStudent(s, created.code, 'zed')).c;
    const ended = next(student, 'session:ended');
    ok(await call(host, 'session:start', {}));
    await tick(created.room, 3);
    // A bug in one host control (an own property shadows the method, as a bad deploy would).
    Object.assign(created.room, {
      setLocked: () => {
        throw new RangeError('internal detail that must not reach the client');
      },
    });
    const r = await call(host, 'room:lock', { locked: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'ROOM_FAILED' } });
    if (!r.ok) expect(r.error.message).not.toMatch(/internal detail/);
    expect((await ended).reason).toBe('error');
    expect(created.room.status).toBe('ended');
    await stillPlaying(others);
  });
});
