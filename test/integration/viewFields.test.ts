import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import { runScenario } from '../../shared/scenario/run.ts';
import { podView } from '../../shared/protocol/viewBuilders.ts';
import { bearer, createSession, joinStudent, startServer, type TestServer } from './helpers.ts';

describe('view fields clients rely on', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it("the session meta carries the scenario's engineering times", async () => {
    const { code } = await createSession(s, { scenario: 'classroom' });
    const { join } = await joinStudent(s, code, 'Ada');
    expect(join.snapshot.session.engineeringSec).toEqual({ fix_leak: 60, add_backpressure: 20, stream_batch: 30 });
    // A scenario's own figures, not the defaults, reach the students.
    const base = builtinScenario('classroom')!;
    const custom = { ...base, node: { ...base.node, engineeringSec: { fix_leak: 5, stream_batch: 12 } } };
    const room = s.rooms.create({ scenario: custom, speed: 1, lateJoin: true })!;
    expect(room.meta().engineeringSec).toEqual({ fix_leak: 5, add_backpressure: 20, stream_batch: 12 });
  });

  it("the session endpoint lists who joined, in order, for the projector's lobby (its presenter key only)", async () => {
    const { code, presenterKey } = await createSession(s, { scenario: 'classroom' });
    await joinStudent(s, code, 'Grace');
    await joinStudent(s, code, 'Linus');
    const info = (await (await fetch(`${s.url}/api/sessions/${code}`, { headers: bearer(presenterKey) })).json()) as { names: string[]; students: number };
    expect(info.names).toEqual(['Grace', 'Linus']);
    expect(info.students).toBe(2);
    // Anyone else with the code learns that the room exists, not who is in it.
    const open = (await (await fetch(`${s.url}/api/sessions/${code}`)).json()) as { names?: string[]; students: number };
    expect(open.students).toBe(2);
    expect(open.names).toBeUndefined();
  });

  it("a pod view's score is the game's score, the one the leaderboard ranks", async () => {
    const { code, room } = await createSession(s, { scenario: 'classroom' });
    const { c } = await joinStudent(s, code, 'Hopper');
    room.start();
    room.runTicks(1500); // past the first batch, which the default pod cannot hold: a kill, then a warm-up
    const snap = room.snapshotFor(c.id!);
    const pod = Object.values(snap.pods)[0]!;
    const row = snap.leaderboard.rows.find((r) => r.slot === pod.slot)!;
    expect(pod.score).toBeGreaterThan(0);
    expect(pod.score).toBe(row.score);
    expect(pod.restarts).toBeGreaterThan(0);
    expect(pod.score).toBeLessThan(pod.served); // requests served while warming up after a restart score nothing (G4)
  });

  it('the demo page deep-links like the other client routes', async () => {
    const res = await fetch(`${s.url}/demo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('PodView.lastFinishedTick', () => {
  it('is when the last terminated container finished, for RESTARTS "N (Xs ago)"', () => {
    let seen: { finished: number | null; restarts: number } | null = null;
    runScenario(builtinScenario('worked-example')!, { durationSec: 20 }, (st) => {
      const v = podView(st, st.pods[0]!, null, 0);
      if (v.restarts === 1 && !seen) seen = { finished: v.lastFinishedTick, restarts: v.restarts };
    });
    expect(seen).not.toBeNull();
    expect(seen!.finished).toBe(81); // the first OOM kill, at 8.1 s
  });
});
