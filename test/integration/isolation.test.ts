import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { attachHost, call, client, collect, createSession, joinStudent, ok, startServer, tick, type TestServer } from './helpers.ts';

describe('sessions are isolated', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('two sessions never see each other’s pods, events, participants or commands', async () => {
    const one = await createSession(s);
    const two = await createSession(s);
    const h1 = await attachHost(s, one.code, one.hostKey);
    const h2 = await attachHost(s, two.code, two.hostKey);
    const p2 = await client(s);
    ok(await call(p2, 'presenter:attach', { v: PROTOCOL_VERSION, code: two.code, key: two.presenterKey }));
    const a = await joinStudent(s, one.code, 'zed');
    await joinStudent(s, one.code, 'alice');
    // The same nickname is fine in another room: rooms share nothing.
    const a2 = await joinStudent(s, two.code, 'alice');
    await joinStudent(s, two.code, 'bob');
    const deltas2 = collect(p2, 'state:delta');
    const events2 = collect(p2, 'sim:events');
    const parts2 = collect(h2, 'participants:patch');
    const aFrames = collect(a.c, 'state:frame');
    ok(await call(h1, 'session:start', {}));
    ok(await call(h2, 'session:start', {}));
    await tick(one.room, 2);
    ok(await call(a.c, 'pod:command', { command: { type: 'kill' } }));
    ok(await call(h1, 'scenario:inject', { kind: 'noisy_neighbour' }));
    await tick(one.room, 3);
    await tick(two.room, 3);

    // Pod names derive from the seed, so 'alice' has the same pod name in both rooms: compare the pods only room
    // one has (zed's, the noisy neighbour's).
    const onlyOne = new Set(one.room.state.pods.filter((p) => p.slot !== 'alice').map((p) => p.name));
    expect(onlyOne.size).toBeGreaterThanOrEqual(2);
    const seenByTwo = deltas2.flatMap((d) => [...Object.keys(d.pods ?? {}), ...(d.gone ?? [])]);
    expect(seenByTwo.length).toBeGreaterThan(0);
    expect(seenByTwo.filter((n) => onlyOne.has(n))).toEqual([]);
    const slots2 = new Set(events2.flatMap((m) => m.events).map((e) => ('slot' in e ? e.slot : null)));
    expect(slots2.has('zed') || slots2.has('noisy-neighbour')).toBe(false);
    expect(slots2.has('bob')).toBe(true);
    expect(parts2.flatMap((p) => p.set).some((p) => p.nickname === 'zed')).toBe(false);
    const hostView = ok(await call(h2, 'state:sync', {}));
    expect(hostView.participants!.map((p) => p.nickname).sort()).toEqual(['alice', 'bob']);
    expect(hostView.participants!.find((p) => p.nickname === 'alice')!.id).toBe(a2.join.participantId);
    expect(two.room.state.pods.some((p) => p.slot === 'noisy-neighbour')).toBe(false);
    expect(aFrames.every((d) => d.t <= one.room.state.tick)).toBe(true);
    // Room two's ticks never reached room one's student (at most one frame per tick of room one).
    expect(aFrames.length).toBeGreaterThan(0);
    expect(aFrames.length).toBeLessThanOrEqual(5);
  });
});
