import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { mibToPages } from '../../shared/sim/units.ts';
import { NullRecorder } from '../../server/recording/NullRecorder.ts';
import { attachHost, call, client, collect, createSession, joinStudent, next, ok, startServer, tick, type TestServer } from './helpers.ts';

describe('a classroom session end to end', () => {
  let s: TestServer;
  const recorders: NullRecorder[] = [];
  beforeAll(async () => {
    s = await startServer({ recorderFactory: { create: () => { const r = new NullRecorder(); recorders.push(r); return r; } } });
  });
  afterAll(() => s.close());

  it('create → join → command → the change appears in the broadcast, recorded with its tick', async () => {
    const { code, hostKey, room, joinUrls } = await createSession(s, { scenario: 'classroom' });
    expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/);
    expect(joinUrls.at(-1)).toBe(`${s.url}/join/${code}`);
    const host = await attachHost(s, code, hostKey);
    const { c, join } = await joinStudent(s, code, '  Zoë   B. ');
    expect(join).toMatchObject({ role: 'student', nickname: 'Zoë B.', slot: 'zoe-b', rejoined: false, protocolVersion: PROTOCOL_VERSION });
    expect(join.token).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    ok(await call(host, 'session:start', {}));
    // A student's pod arrives whole in the frame that first shows it; later frames carry only what changed.
    const firstFrame = next(c, 'state:frame', (f) => f.P?.slot === 'zoe-b');
    room.runTicks(1);
    const frame = await firstFrame;
    const podName = frame.P!.name;
    expect(frame.P).toMatchObject({ slot: 'zoe-b', owner: 'Zoë B.', limitPages: mibToPages(384) });

    const ack = ok(await call(c, 'pod:command', { command: { type: 'set_resources', requestMiB: 256, limitMiB: 512 } }));
    expect(ack.tick).toBe(room.state.tick + 1);
    // Without in-place resize the pod is recreated under a new name: the frame names the old one as gone.
    const changed = next(c, 'state:frame', (f) => f.P?.limitPages === mibToPages(512));
    room.runTicks(1);
    const d = await changed;
    expect(d.t).toBe(ack.tick);
    expect(d.s).toBe(ack.tick - 1);
    expect(d.g).toBe(podName);
    expect(d.P).toMatchObject({ slot: 'zoe-b', requestPages: mibToPages(256), limitPages: mibToPages(512) });
    const rec = recorders.at(-1)!;
    expect(rec.commands.at(-1)).toEqual({ tick: ack.tick, by: join.participantId, command: { type: 'set_resources', requestMiB: 256, limitMiB: 512, pod: 'zoe-b' } });
    expect(rec.lastTick).toBe(room.state.tick);
    expect(rec.hostActions.map((a) => a.action)).toContain('start');
  });

  it('students get only their own pod; the presenter gets every pod', async () => {
    const { code, hostKey, presenterKey, room } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    const a = await joinStudent(s, code, 'alice');
    const b = await joinStudent(s, code, 'bob');
    const presenter = await client(s);
    ok(await call(presenter, 'presenter:attach', { v: PROTOCOL_VERSION, code, key: presenterKey }));
    ok(await call(host, 'session:start', {}));
    const aFrames = collect(a.c, 'state:frame');
    const pFrame = next(presenter, 'state:delta', (d) => Object.keys(d.pods ?? {}).length === 2);
    const aLast = next(a.c, 'state:frame', (f) => f.t === 3);
    await tick(room, 3);
    await pFrame;
    await aLast;
    const namesSeen = new Set(aFrames.flatMap((f) => (f.P ? [f.P.name] : [])));
    const slotOf = (name: string) => room.state.pods.find((p) => p.name === name)?.slot;
    expect([...namesSeen].map(slotOf)).toEqual(['alice']);
    // A steady-state student frame is small (the budget is ≤ 2 KB/s at 10 Hz, leaderboard included).
    const steady = aFrames.at(-1)!;
    expect(JSON.stringify(steady).length).toBeLessThan(160);
    const snap = ok(await call(b.c, 'state:sync', {}));
    expect(Object.values(snap.pods).map((p) => p.slot)).toEqual(['bob']);
    expect(snap.tick).toBe(3);
  });

  it('perMessageDeflate is off, and the HTTP side sends security headers and serves the SPA routes', async () => {
    expect(s.io.engine.opts.perMessageDeflate).toBe(false);
    const res = await fetch(`${s.url}/join/ABCDEF`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const health = await fetch(`${s.url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true });
    const missing = await fetch(`${s.url}/api/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('a browser from another origin cannot open a socket', async () => {
    const res = await fetch(`${s.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    const same = await fetch(`${s.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: s.url } });
    expect(same.status).toBe(200);
  });

  it('lists the built-in scenarios and refuses an unknown one', async () => {
    const list = (await (await fetch(`${s.url}/api/scenarios`)).json()) as { scenarios: { name: string }[] };
    expect(list.scenarios.map((x) => x.name)).toContain('classroom');
    const res = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'nope' }) });
    expect(res.status).toBe(404);
    const bad = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ speed: 50 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
  });
});
