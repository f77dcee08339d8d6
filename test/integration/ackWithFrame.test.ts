/**
 * A student's command is acknowledged in the same write as the frame that shows it (server/socket/ownFrames.ts,
 * holdAck), on a server whose room loops run on the real clock: the ack does not go through engine.io on its own,
 * and by the time the client has the ack it already has that frame. Where the loop does not pump (a hand-stepped
 * clock, as in the other integration tests) acks go at once, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../server/room/LoopDriver.ts';
import { POD_KEYS, type StudentFrame } from '../../shared/protocol/frames.ts';
import { attachHost, call, collect, createSession, joinStudent, next, ok, startServer, type TestServer } from './helpers.ts';

/** The engine.io packets a server socket sent as messages of its own (what socket.io handed engine.io). */
function engineMessages(s: TestServer, conn: string): string[] {
  const sent: string[] = [];
  const socket = s.io.sockets.sockets.get(conn) as unknown as { conn: { on(e: 'packetCreate', f: (p: { type: string; data?: unknown }) => void): void } };
  socket.conn.on('packetCreate', (p) => {
    if (p.type === 'message' && typeof p.data === 'string') sent.push(p.data);
  });
  return sent;
}

describe("a command's ack rides with the frame that shows it", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ clock: realClock });
  });
  afterAll(() => s.close());

  it('arrives with that frame, in one write, while the room runs', async () => {
    const { code, hostKey, room } = await createSession(s, { scenario: 'classroom' });
    const host = await attachHost(s, code, hostKey);
    const { c } = await joinStudent(s, code, 'ada');
    const frames = collect(c, 'state:frame') as StudentFrame[];
    ok(await call(host, 'session:start', {}));
    // The loop pumps on its own: frames come.
    await next(c, 'state:frame', (f) => f.t >= 3);
    expect(room.loop.pumping).toBe(true);
    const viaEngine = engineMessages(s, c.id!);

    for (const value of [100, -100, 250]) {
      const ack = ok(await call(c, 'pod:command', { command: { type: 'set_oom_score_adj', value } }));
      // The ack's continuation runs once the client has read the whole write: the frame of the ack's tick is in.
      expect(frames.some((f) => f.t >= ack.tick)).toBe(true);
      // And it shows the change (the pod's adj in its patch, or the pod in full if it was replaced).
      const shown = frames.find((f) => f.t >= ack.tick)!;
      expect(shown.p?.[POD_KEYS.adj] ?? shown.P?.adj).toBe(value);
    }
    // None of the three acks went through engine.io on its own.
    expect(viaEngine.filter((m) => m.startsWith('3'))).toEqual([]);
  });

  it('a refused command is answered at once, through engine.io', async () => {
    const { code, hostKey } = await createSession(s, { scenario: 'classroom' });
    const host = await attachHost(s, code, hostKey);
    const { c } = await joinStudent(s, code, 'grace');
    ok(await call(host, 'session:start', {}));
    await next(c, 'state:frame', (f) => f.t >= 2);
    const viaEngine = engineMessages(s, c.id!);
    const res = await call(c, 'pod:command', { command: { type: 'set_oom_score_adj', value: 5000 } });
    expect(res.ok).toBe(false);
    expect(viaEngine.filter((m) => m.startsWith('3'))).toHaveLength(1);
  });
});
