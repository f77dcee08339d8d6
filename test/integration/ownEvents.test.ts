/**
 * A student's own events come in their own frame (`e`), not as a reliable message of their own: socket.io keeps every
 * reliable per-socket packet for its recovery window, and under a class's load those were most of what it kept. A
 * frame is volatile; one a student misses breaks the chain, and the resync's snapshot carries the events again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { studentFrameSchema, type StudentFrame } from '../../shared/protocol/frames.ts';
import type { SimEvent } from '../../shared/sim/types.ts';
import { attachHost, attachPresenter, call, collect, createSession, joinStudent, next, ok, startServer, type Client, type TestServer } from './helpers.ts';

const slotOf = (e: SimEvent) => ('slot' in e ? e.slot : null);

describe("a student's own events", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('ride in their frame, reach nobody else, and come back with a resync', async () => {
    const { code, hostKey, presenterKey, room } = await createSession(s, { scenario: 'classroom' });
    const host = await attachHost(s, code, hostKey);
    const projector = await attachPresenter(s, code, presenterKey);
    const ana = await joinStudent(s, code, 'ana');
    const bo = await joinStudent(s, code, 'bo');
    const anaFrames = collect(ana.c, 'state:frame');
    const boFrames = collect(bo.c, 'state:frame');
    const anaMessages = collect(ana.c, 'sim:events');
    const projectorEvents = collect(projector, 'sim:events');
    ok(await call(host, 'session:start', {}));
    // One tick at a time, each frame awaited: a volatile frame is skipped while the last one is still being written.
    const step = async (clients: Client[]) => {
      const t = room.state.tick + 1;
      const arrived = clients.map((c) => next(c, 'state:frame', (f) => f.t === t));
      room.runTicks(1);
      await Promise.all(arrived);
    };
    const running = () => room.state.pods.find((p) => p.slot === ana.join.slot)?.cState === 'Running';
    for (let i = 0; i < 200 && !running(); i++) await step([ana.c, bo.c]);
    expect(running()).toBe(true);

    const killed = ok(await call(ana.c, 'pod:command', { command: { type: 'kill' } }));
    for (let i = 0; i < 3; i++) await step([ana.c, bo.c]);

    const ownEvents = (frames: StudentFrame[]) => frames.flatMap((f) => f.e ?? []).filter((e) => slotOf(e) === ana.join.slot);
    const terminated = ownEvents(anaFrames).find((e) => e.type === 'terminated');
    expect(terminated).toMatchObject({ type: 'terminated', slot: ana.join.slot, reason: 'Error', exitCode: 137 });
    expect(terminated!.tick).toBeGreaterThanOrEqual(killed.tick);
    expect(anaFrames.every((f) => studentFrameSchema.safeParse(f).success)).toBe(true);
    // The frame that carries it is the frame of its tick.
    expect(anaFrames.find((f) => f.e?.includes(terminated!))?.t).toBe(terminated!.tick);
    // Nobody else's frame carries ana's events, and ana gets no message of her own for them.
    expect(ownEvents(boFrames)).toEqual([]);
    expect(anaMessages.flatMap((m) => m.events).filter((e) => slotOf(e) === ana.join.slot)).toEqual([]);
    // The projector still gets every event, in the room's broadcast.
    await vi.waitFor(() =>
      expect(projectorEvents.flatMap((m) => m.events).some((e) => e.type === 'terminated' && slotOf(e) === ana.join.slot)).toBe(true),
    );
    // socket.io kept no events for ana alone: only her join's mark (connection:mark) and the round's start.
    const kept = (s.io.of('/').adapter as unknown as { packets: { data: unknown[]; opts: { rooms: Set<string> } }[] }).packets;
    const hers = kept.filter((p) => p.opts.rooms.size === 1 && p.opts.rooms.has(ana.c.id!)).map((p) => p.data[0]);
    expect(hers.sort()).toEqual(['connection:mark', 'game:update']);

    // A student who missed that frame resyncs: the snapshot holds the event.
    const snap = ok(await call(ana.c, 'state:sync', {}));
    expect(snap.recentEvents.some((e) => e.type === 'terminated' && slotOf(e) === ana.join.slot && e.tick === terminated!.tick)).toBe(true);
    expect(snap.recentEvents.filter((e) => slotOf(e) !== null && slotOf(e) !== ana.join.slot)).toEqual([]);
  });
});
