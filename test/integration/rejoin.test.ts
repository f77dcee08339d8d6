import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { attachHost, call, client, createSession, joinStudent, next, ok, startServer, tick, type TestServer } from './helpers.ts';

describe('rejoin', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('a student who reloads comes back to the same pod and name with their token', async () => {
    const { code, hostKey, room } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    const first = await joinStudent(s, code, 'alice');
    ok(await call(host, 'session:start', {}));
    await tick(room, 2);
    first.c.disconnect(); // the page reloads: a brand-new socket, no recovery
    // The server sees the disconnect when it arrives (a condition, not a 20 ms sleep: it failed on a loaded machine).
    while (room.connectionCount !== 1) await new Promise((r) => setTimeout(r, 10));
    expect(room.connectionCount).toBe(1);

    const again = await client(s);
    const join = ok(await call(again, 'student:join', { v: PROTOCOL_VERSION, code, token: first.join.token }));
    expect(join).toMatchObject({ rejoined: true, participantId: first.join.participantId, nickname: 'alice', slot: 'alice', role: 'student' });
    expect(Object.values(join.snapshot.pods).map((p) => p.slot)).toEqual(['alice']);
    expect(room.state.pods.filter((p) => p.slot === 'alice')).toHaveLength(1);
    // And it can act on the pod again.
    ok(await call(again, 'pod:command', { command: { type: 'fix_leak' } }));
  });

  it('an unknown token without a nickname is refused; with a nickname the student joins afresh', async () => {
    const { code } = await createSession(s);
    const c = await client(s);
    const r = await call(c, 'student:join', { v: PROTOCOL_VERSION, code, token: 'x'.repeat(22) });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_TOKEN' } });
    const j = ok(await call(c, 'student:join', { v: PROTOCOL_VERSION, code, token: 'x'.repeat(22), nickname: 'carol' }));
    expect(j).toMatchObject({ rejoined: false, slot: 'carol' });
  });

  it('a dropped connection is recovered (connection state recovery) and keeps its role', async () => {
    const { code, hostKey, room } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    ok(await call(host, 'session:start', {}));
    const c = await client(s, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 50 });
    ok(await call(c, 'student:join', { v: PROTOCOL_VERSION, code, nickname: 'dora' }));
    await tick(room, 1);
    // The socket's own connect (the namespace's CONNECT packet carries the recovery), not the manager's reconnect,
    // which fires when the transport opens and may come before it on a loaded machine.
    const reconnected = new Promise<void>((resolve) => c.once('connect', () => resolve()));
    // Simulate Wi-Fi loss: close the underlying transport without a socket.io disconnect.
    (c.io.engine as unknown as { close(): void }).close();
    await reconnected;
    expect(c.recovered).toBe(true);
    ok(await call(c, 'pod:command', { command: { type: 'set_oom_score_adj', value: 500 } }));
    const frame = next(c, 'state:frame', (f) => f.p?.ao === 500);
    await tick(room, 1);
    await frame;
  });

  it('a host who refreshes gets the host role back with the host key; a wrong key gets nothing', async () => {
    const { code, hostKey } = await createSession(s);
    const h1 = await attachHost(s, code, hostKey);
    h1.disconnect();
    const h2 = await client(s);
    const j = ok(await call(h2, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey }));
    expect(j.role).toBe('host');
    expect(j.snapshot.participants).toEqual([]);
    ok(await call(h2, 'session:start', {}));
    const intruder = await client(s);
    const bad = await call(intruder, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey: 'A'.repeat(22) });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_HOST_KEY' } });
  });
});
