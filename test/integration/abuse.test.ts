import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { attachHost, call, callRaw, createSession, joinStudent, ok, startServer, type TestServer } from './helpers.ts';

describe('abuse and limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ config: { messageBurst: 10, messagesPerSec: 5, offenceBurst: 15, offencesPerSec: 0.5, maxConnectionsPerIp: 12, roomCreations: { burst: 8, perSec: 8 / 60 } } });
  });
  afterAll(() => s.close());

  it('a flood of commands gets RATE_LIMITED, and a socket that keeps flooding is disconnected', async () => {
    const { code, hostKey, room } = await createSession(s);
    const host = await attachHost(s, code, hostKey);
    ok(await call(host, 'session:start', {}));
    const { c } = await joinStudent(s, code, 'flood');
    room.runTicks(1); // the pod is created at the first tick after joining
    const acks = await Promise.all(Array.from({ length: 20 }, () => call(c, 'pod:command', { command: { type: 'fix_leak' } })));
    const codes = acks.map((a) => (a.ok ? 'ok' : a.error.code));
    expect(codes.filter((x) => x === 'ok').length).toBeGreaterThanOrEqual(8);
    expect(codes.filter((x) => x === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(8);

    const closed = new Promise<string>((resolve) => c.once('disconnect', (reason) => resolve(reason)));
    for (let i = 0; i < 30 && c.connected; i++) c.emit('pod:command', { command: { type: 'kill' } } as never, () => {});
    expect(await closed).toBe('io server disconnect');
  });

  it('connections from one address are capped', async () => {
    const sockets = [];
    let refused: Error | null = null;
    for (let i = 0; i < 14 && !refused; i++) {
      const c = connect(s.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      s.clients.push(c as never);
      sockets.push(c);
      refused = await new Promise<Error | null>((resolve) => {
        c.once('connect', () => resolve(null));
        c.once('connect_error', (e) => resolve(e));
      });
    }
    expect(refused?.message).toMatch(/Too many connections/);
    for (const c of sockets) c.disconnect();
  });

  it('session creation is rate-limited per address, and oversized messages are refused', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${s.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      statuses.push(r.status);
    }
    expect(statuses).toContain(429);
    expect(s.io.engine.opts.maxHttpBufferSize).toBeLessThanOrEqual(16 * 1024);
  });

  it('a message bigger than maxHttpBufferSize closes the connection without touching any session', async () => {
    await new Promise((r) => setTimeout(r, 100)); // let the previous test's sockets close
    const c = connect(s.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((r) => c.once('connect', () => r()));
    const closed = new Promise<void>((r) => c.once('disconnect', () => r()));
    c.emit('student:join' as never, { v: PROTOCOL_VERSION, code: 'AAAAAA', nickname: 'x'.repeat(40_000) } as never);
    await closed;
    expect(c.connected).toBe(false);
    // The server itself is fine: a new connection is served.
    const again = connect(s.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    s.clients.push(again as never);
    await new Promise<void>((r) => again.once('connect', () => r()));
    expect(await callRaw(again as never, 'name:suggest', { code: 'ZZZZZZ' })).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_FOUND' } });
  });

  it('the server runs at most maxSessions live sessions; an ended one frees its place', async () => {
    const small = await startServer({ config: { maxSessions: 1 } });
    try {
      const post = () => fetch(`${small.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const first = await post();
      expect(first.status).toBe(201);
      const second = await post();
      expect(second.status).toBe(503);
      expect(((await second.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_SESSIONS');
      const { code } = (await first.json()) as { code: string };
      await small.rooms.get(code)!.end('host');
      expect((await post()).status).toBe(201);
    } finally {
      await small.close();
    }
  });
});
