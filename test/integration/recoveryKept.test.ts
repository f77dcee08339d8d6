/**
 * What socket.io keeps for connection-state recovery (issue 14, "memory that stays flat"): it stores every reliable
 * packet for the recovery window, once per emit. Frames are volatile (a recovered client resyncs from a snapshot), a
 * student's own events ride in them, and what host and projector rebuild from their snapshot when they attach again
 * (the leaderboard, every event) is not kept at all, so the buffer holds nothing per socket and little per room.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { markForRecovery } from '../../server/socket/attachSocket.ts';
import { attachHost, attachPresenter, call, collect, createSession, joinStudent, next, ok, startServer, type TestServer } from './helpers.ts';

interface KeptPacket {
  data: unknown[];
  opts: { rooms: Set<string> };
}

describe('what connection-state recovery keeps', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('no frames, nothing per socket, nothing of what host and projector rebuild on attaching', async () => {
    const { code, hostKey, presenterKey, room } = await createSession(s, { scenario: 'classroom' });
    const host = await attachHost(s, code, hostKey);
    const projector = await attachPresenter(s, code, presenterKey);
    const students = await Promise.all(['ana', 'bo', 'cy', 'di'].map((n) => joinStudent(s, code, n)));
    ok(await call(host, 'session:start', {}));
    room.runTicks(20); // the pods are scheduled
    // Something to score and rank: the students' pods leak at different rates.
    for (const [i, st] of students.entries()) ok(await call(st.c, 'pod:command', { command: { type: 'set_workload', workload: { leakMiBps: 8 * (i + 1) } } }));

    const kept = () => ((s.io.of('/').adapter as unknown as { packets: KeptPacket[] }).packets ?? []).slice();
    const socketIds = new Set([host.id, projector.id, ...students.map((st) => st.c.id)]);
    const hostBoards = collect(host, 'leaderboard:update');
    const hostEvents = collect(host, 'sim:events');
    const projectorEvents = collect(projector, 'sim:events');
    // Listeners of what goes out (tests, debugging) still see these messages.
    const outgoing: string[] = [];
    s.io.sockets.sockets.get(host.id!)!.onAnyOutgoing((e: string) => outgoing.push(e));
    const toProjector: string[] = [];
    s.io.sockets.sockets.get(projector.id!)!.onAnyOutgoing((e: string) => toProjector.push(e));
    const before = kept().length;
    const frames = 300;
    for (let i = 0; i < frames; i++) room.runTicks(1);
    const added = kept().slice(before);
    const event = (p: KeptPacket) => p.data[0] as string;
    const perSocket = (p: KeptPacket) => p.opts.rooms.size === 1 && socketIds.has([...p.opts.rooms][0]!);

    // 300 frames went to 6 connections; none of them is kept.
    expect(added.filter((p) => event(p) === 'state:frame' || event(p) === 'state:delta')).toHaveLength(0);
    // The leaderboard changed (scores moved) and the leaks made events: the host got the boards and the projector
    // the events, reliably and in order, and none was kept (host and projector attach again on every connect, and
    // their snapshot carries both). The host's page shows no events: none are sent to it.
    await vi.waitFor(() => expect(hostBoards.length > 0 && projectorEvents.length > 0).toBe(true));
    expect(hostBoards.length).toBeLessThanOrEqual(frames / 10);
    expect(outgoing.filter((e) => e === 'leaderboard:update')).toHaveLength(hostBoards.length);
    expect(toProjector.filter((e) => e === 'sim:events')).toHaveLength(projectorEvents.length);
    expect(hostEvents).toEqual([]);
    expect(outgoing.filter((e) => e === 'sim:events')).toEqual([]);
    expect(added.filter((p) => event(p) === 'leaderboard:update')).toEqual([]);
    // What is kept of the events is the node-wide ones to the phones, once per room.
    const keptEvents = added.filter((p) => event(p) === 'sim:events');
    expect(keptEvents.every((p) => [...p.opts.rooms].every((r) => r.endsWith('/players')))).toBe(true);
    // Nothing is kept per socket: a student's own events ride in their frames (`e`).
    expect(added.filter(perSocket).map(event)).toEqual([]);
    expect(added.length).toBeLessThan(frames / 10);
  });

  it('a mark for recovery: one per connection as it joins, then one a half window for everyone, kept once', async () => {
    const { code } = await createSession(s, { scenario: 'classroom' });
    const kept = () => ((s.io.of('/').adapter as unknown as { packets: KeptPacket[] }).packets ?? []).slice();
    const before = kept().length;
    // Written right after the join's answer: kept by the time the student has it.
    const ana = await joinStudent(s, code, 'ana');
    const bo = await joinStudent(s, code, 'bo');
    const marks = () => kept().slice(before).filter((p) => p.data[0] === 'connection:mark');
    expect(marks().map((p) => [...p.opts.rooms])).toEqual([[ana.c.id], [bo.c.id]]);
    // The periodic mark (a 2 s window here: every second) reaches both, and is kept once, for no room in particular.
    const stop = markForRecovery(s.io, 2000);
    try {
      await Promise.all([next(ana.c, 'connection:mark', undefined, 10_000), next(bo.c, 'connection:mark', undefined, 10_000)]);
    } finally {
      stop();
    }
    const forAll = marks().filter((p) => p.opts.rooms.size === 0);
    expect(forAll.length).toBeGreaterThanOrEqual(1);
    expect(marks().length).toBe(2 + forAll.length);
  });
});
