import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPodPatch,
  decodeLeaderboard,
  decodeNodePatch,
  leaderboardWireSchema,
  studentFrameSchema,
  type LeaderboardWire,
  type StudentFrame,
} from '../../shared/protocol/frames.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { Delta, NodeView, PodView } from '../../shared/protocol/views.ts';
import {
  attachHost,
  call,
  client,
  collect,
  createSession,
  joinStudent,
  next,
  ok,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * What each role receives each tick (docs/protocol.md, "Frames"): host and presenter one readable delta of every pod;
 * a student one compact frame of the node and their own pod; a spectator the node only; everyone the same leaderboard.
 * A student who applies their frames to their join snapshot holds exactly what a fresh snapshot says.
 */
describe('framing per role', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('each role gets its own frame, and a student rebuilt from frames matches the server', async () => {
    const { code, hostKey, presenterKey, room } = await createSession(s, { maxStudents: 2 });
    const host = await attachHost(s, code, hostKey);
    const presenter = await client(s);
    ok(await call(presenter, 'presenter:attach', { v: PROTOCOL_VERSION, code, key: presenterKey }));
    const a = await joinStudent(s, code, 'alice');
    const b = await joinStudent(s, code, 'bob');
    const watcher = await joinStudent(s, code, 'carol');
    expect(watcher.join.role).toBe('spectator');
    ok(await call(host, 'session:start', {}));
    // The start's snapshot is where alice's chain begins.
    let node: NodeView = ok(await call(a.c, 'state:sync', {})).node;
    const start = ok(await call(a.c, 'state:sync', {}));
    let pod: PodView | null = Object.values(start.pods)[0] ?? null;
    let tick = start.tick;

    const aFrames = collect(a.c, 'state:frame');
    const specFrames = collect(watcher.c, 'state:frame');
    const viewerDeltas = collect(presenter, 'state:delta');
    const hostFrames = collect(host, 'state:frame');
    const playerBoards = [a.c, b.c, watcher.c].map((c) => collect(c, 'leaderboard:update'));
    const viewerBoards = [presenter, host].map((c) => collect(c, 'leaderboard:update'));

    for (let i = 1; i <= 25; i++) {
      if (i === 8) ok(await call(a.c, 'pod:command', { command: { type: 'set_oom_score_adj', value: 321 } }));
      const t = room.state.tick + 1;
      // Frames are volatile: wait for each role's frame of this tick before the next, as a phone would keep up.
      const waits = [
        next(a.c, 'state:frame', (f) => f.t === t).catch(() => {
          throw new Error('student ' + t);
        }),
        next(watcher.c, 'state:frame', (f) => f.t === t).catch(() => {
          throw new Error('spectator ' + t);
        }),
        next(presenter, 'state:delta', (d) => d.t === t),
      ];
      room.runTicks(1);
      await Promise.all(waits);
    }

    for (const f of aFrames) {
      expect(studentFrameSchema.safeParse(f).success).toBe(true);
      expect(f.s).toBe(tick);
      tick = f.t;
      if (f.n) node = { ...node, ...decodeNodePatch(f.n) };
      if (f.P) pod = f.P;
      else if (f.p) pod = applyPodPatch(pod!, f.p);
      // Only alice's own pod ever reaches alice.
      if (f.P) expect(f.P.slot).toBe('alice');
    }
    const truth = ok(await call(a.c, 'state:sync', {}));
    expect(truth.tick).toBe(tick);
    expect(node).toEqual(truth.node);
    expect(pod).toEqual(Object.values(truth.pods)[0]);
    expect(pod!.adjOverride).toBe(321);
    // A steady frame is small: short keys, no name, no derived fields.
    const steady = aFrames.at(-1)!;
    expect(JSON.stringify(steady).length).toBeLessThan(160);
    expect(JSON.stringify(steady.p ?? {})).not.toMatch(/usage|workingSet|"name"|"slot"|owner/);

    // The spectator: the node, never a pod or a place.
    expect(specFrames.length).toBeGreaterThan(0);
    for (const f of specFrames as StudentFrame[]) {
      expect(studentFrameSchema.safeParse(f).success).toBe(true);
      expect(f.p ?? f.P ?? f.y).toBeUndefined();
    }
    // Host and presenter: readable deltas of every pod, never the students' frames.
    const names = new Set((viewerDeltas as Delta[]).flatMap((d) => [...Object.keys(d.pods ?? {}), ...Object.keys(d.p ?? {})]));
    expect([...names].map((n) => room.state.pods.find((p) => p.name === n)?.slot).sort()).toEqual([
      'alice',
      'bob',
    ]);
    expect(hostFrames).toEqual([]);

    // The leaderboard: one compact board, the same for host and projector; a phone gets no board as it changes (it
    // shows its own place, from its frames), so no message a second to every phone.
    for (const got of playerBoards) expect(got).toEqual([]);
    for (const got of viewerBoards) expect(got.length).toBeGreaterThan(0);
    const last = viewerBoards.map((got) => got.at(-1) as LeaderboardWire);
    expect(leaderboardWireSchema.safeParse(last[0]).success).toBe(true);
    for (const l of last) expect(l).toEqual(last[0]);
    expect(
      decodeLeaderboard(last[0]!)
        .rows.map((r) => r.slot)
        .sort(),
    ).toEqual(['alice', 'bob']);
  });

  it('a host who comes back after ticks nobody viewed starts from a snapshot, and the deltas after it stay true', async () => {
    // That no viewers' delta is built meanwhile is roomAudiences.test.ts's to show.
    const { code, hostKey, room } = await createSession(s, { maxStudents: 2 });
    const first = await attachHost(s, code, hostKey);
    const a = await joinStudent(s, code, 'alice');
    ok(await call(first, 'session:start', {}));
    first.disconnect();
    while (room.connectionCount !== 1) await new Promise((r) => setTimeout(r, 10));
    // Ticks that nobody views: alice's frames go on.
    for (let i = 0; i < 5; i++) {
      const t = room.state.tick + 1;
      const frame = next(a.c, 'state:frame', (f) => f.t === t);
      room.runTicks(1);
      await frame;
    }

    // The teacher comes back: a snapshot, then deltas that chain from it and add up to what the server holds.
    const host = await attachHost(s, code, hostKey);
    const snap = ok(await call(host, 'state:sync', {}));
    let tick = snap.tick;
    let node: NodeView = snap.node;
    const pods = new Map(Object.entries(snap.pods));
    const deltas = collect(host, 'state:delta');
    for (let i = 1; i <= 10; i++) {
      if (i === 4) ok(await call(a.c, 'pod:command', { command: { type: 'set_oom_score_adj', value: 123 } }));
      const t = room.state.tick + 1;
      const delta = next(host, 'state:delta', (d) => d.t === t);
      room.runTicks(1);
      await delta;
    }
    expect(deltas.length).toBe(10);
    for (const d of deltas as Delta[]) {
      expect(d.since).toBe(tick);
      tick = d.t;
      if (d.node) node = { ...node, ...d.node };
      // As RoomMirror does: new pods in full, changes as a student's patches (short keys).
      for (const [name, pod] of Object.entries(d.pods ?? {})) pods.set(name, pod);
      for (const [name, patch] of Object.entries(d.p ?? {})) pods.set(name, applyPodPatch(pods.get(name)!, patch));
      for (const name of d.gone ?? []) pods.delete(name);
    }
    const truth = ok(await call(host, 'state:sync', {}));
    expect(truth.tick).toBe(tick);
    expect(node).toEqual(truth.node);
    expect(Object.fromEntries(pods)).toEqual({ ...truth.pods });
    expect(Object.values(truth.pods)[0]!.adjOverride).toBe(123);
  });
});
