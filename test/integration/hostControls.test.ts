import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { attachHost, call, client, createSession, joinStudent, next, ok, sleep, startServer, tick, type TestServer } from './helpers.ts';

describe('host controls', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  const join = async (code: string, nickname: string, token?: string) => {
    const c = await client(s);
    return { c, res: await call(c, 'student:join', { v: PROTOCOL_VERSION, code, nickname, ...(token ? { token } : {}) }) };
  };

  it('kick disconnects but the student may rejoin to the same pod; ban removes the pod and refuses token and name', async () => {
    const { code, hostKey, room } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    const a = await joinStudent(s, code, 'alice');
    const b = await joinStudent(s, code, 'bob');
    ok(await call(host, 'session:start', {}));
    await tick(room, 2);

    const removed = next(a.c, 'participant:removed');
    const gone = new Promise((r) => a.c.once('disconnect', r));
    expect(ok(await call(host, 'participant:kick', { id: a.join.participantId }))).toEqual({ id: a.join.participantId });
    expect(await removed).toMatchObject({ reason: 'kicked' });
    await gone;
    const back = await join(code, 'alice', a.join.token!);
    expect(back.res).toMatchObject({ ok: true, data: { rejoined: true, slot: 'alice' } });

    const bRemoved = next(b.c, 'participant:removed');
    ok(await call(host, 'participant:ban', { id: b.join.participantId }));
    expect(await bRemoved).toMatchObject({ reason: 'banned' });
    await tick(room, 1);
    expect(room.state.pods.some((p) => p.slot === 'bob' && p.phase !== 'Failed' && p.phase !== 'Succeeded')).toBe(false);
    expect((await join(code, 'bob', b.join.token!)).res).toMatchObject({ ok: false, error: { code: 'BANNED' } });
    expect((await join(code, 'BOB')).res).toMatchObject({ ok: false, error: { code: 'BANNED' } });
    // Enforced by the server, not a cookie: a fresh connection without any token gets the same answer.
    expect((await join(code, 'bob')).res).toMatchObject({ ok: false, error: { code: 'BANNED' } });
  });

  it('lock refuses newcomers but not rejoins; late joins can be refused once running', async () => {
    const { code, hostKey, room } = await createSession(s, { lateJoin: false });
    const host = await attachHost(s, code, hostKey);
    const a = await joinStudent(s, code, 'alice');
    ok(await call(host, 'room:lock', { locked: true }));
    expect((await join(code, 'carol')).res).toMatchObject({ ok: false, error: { code: 'ROOM_LOCKED' } });
    a.c.disconnect();
    expect((await join(code, 'alice', a.join.token!)).res).toMatchObject({ ok: true, data: { rejoined: true } });
    ok(await call(host, 'room:lock', { locked: false }));
    expect((await join(code, 'carol')).res.ok).toBe(true);

    ok(await call(host, 'session:start', {}));
    expect((await join(code, 'dave')).res).toMatchObject({ ok: false, error: { code: 'LATE_JOIN_CLOSED' } });
    const meta = ok(await call(host, 'room:lateJoin', { allowed: true }));
    expect(meta.lateJoin).toBe(true);
    expect((await join(code, 'dave')).res.ok).toBe(true);
    expect(room.meta().students).toBe(3);
  });

  it('beyond the pod slots newcomers join as spectators without a pod', async () => {
    const { code, hostKey, room } = await createSession(s, { maxStudents: 2 });
    const host = await attachHost(s, code, hostKey);
    await joinStudent(s, code, 'a1');
    await joinStudent(s, code, 'a2');
    const third = await joinStudent(s, code, 'a3');
    expect(third.join).toMatchObject({ role: 'spectator', slot: null });
    const r = await call(third.c, 'pod:command', { command: { type: 'kill' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    ok(await call(host, 'session:start', {}));
    await tick(room, 1);
    expect(room.state.pods.map((p) => p.slot).sort()).toEqual(['a1', 'a2']);
  });

  it('start, pause, resume, speed, inject, reset and end', async () => {
    const { code, hostKey, room } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    const a = await joinStudent(s, code, 'alice');
    expect(await call(host, 'session:pause', {})).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });
    expect(await call(host, 'scenario:inject', { kind: 'traffic_spike' })).toMatchObject({ ok: false, error: { code: 'BAD_STATE' } });
    const update = next(a.c, 'session:update', (m) => m.status === 'running');
    ok(await call(host, 'session:start', {}));
    await update;
    expect(room.loop.running).toBe(true);
    expect(ok(await call(host, 'session:pause', {})).status).toBe('paused');
    expect(room.loop.running).toBe(false);
    expect(ok(await call(host, 'session:resume', {})).status).toBe('running');
    expect(ok(await call(host, 'session:speed', { speed: 10 })).speed).toBe(10);
    expect(room.loop.maxCatchUp).toBe(100);
    await tick(room, 1);

    const batch = ok(await call(host, 'scenario:inject', { kind: 'batch', slot: 'alice' }));
    ok(await call(host, 'scenario:inject', { kind: 'noisy_neighbour' }));
    ok(await call(host, 'scenario:inject', { kind: 'traffic_spike' }));
    const events = next(a.c, 'sim:events', (m) => m.events.some((e) => e.type === 'traffic'));
    await tick(room, 1);
    expect(room.state.tick).toBe(batch.tick);
    expect(room.state.pods.some((p) => p.slot === 'noisy-neighbour')).toBe(true);
    expect(room.state.node.trafficMilli).toBe(3000);
    await events;

    const snap = next(a.c, 'state:snapshot');
    expect(ok(await call(host, 'session:reset', {})).status).toBe('lobby');
    const fresh = await snap;
    expect(fresh.tick).toBe(0);
    ok(await call(host, 'session:start', {}));
    await tick(room, 1);
    expect(room.state.pods.map((p) => p.slot)).toEqual(['alice']);

    const ended = next(a.c, 'session:ended');
    expect(ok(await call(host, 'session:end', {})).status).toBe('ended');
    expect(await ended).toMatchObject({ reason: 'host' });
    expect(room.loop.running).toBe(false);
    expect(await call(a.c, 'pod:command', { command: { type: 'kill' } })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    expect((await join(code, 'zed')).res).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
  });

  it('the real loop runs ticks at 1× and stops costing anything when paused', async () => {
    const real = await startServer({ clock: undefined });
    try {
      const { code, hostKey, room } = await createSession(real);
      const host = await (async () => {
        const c = await client(real);
        ok(await call(c, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey }));
        return c;
      })();
      ok(await call(host, 'session:start', {}));
      await sleep(450);
      ok(await call(host, 'session:pause', {}));
      const t = room.state.tick;
      // About 4 ticks in 450 ms; wide bounds because a busy CI machine delays timers (catch-up is clamped at 10).
      expect(t).toBeGreaterThanOrEqual(2);
      expect(t).toBeLessThanOrEqual(10);
      await sleep(250);
      expect(room.state.tick).toBe(t);
    } finally {
      await real.close();
    }
  });
});
