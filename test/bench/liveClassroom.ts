/**
 * A real server with a classroom of bot students, for the client benchmark and the projector's browser test: each
 * bot leaks at its own rate, so kills and back-offs happen, and the presenter's page pays what a projector pays.
 */
import { io, type Socket } from 'socket.io-client';
import { buildApp } from '../../server/app.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol/events.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { DIST } from './clientShared.ts';

type BotSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The real server with a classroom of bots: returns the presenter's URL. */
export async function liveClassroom(pods: number): Promise<{ url: string; close: () => Promise<void> }> {
  const app = await buildApp({ logger: false, clientDir: DIST });
  const base = await app.app.listen({ port: 0, host: '127.0.0.1' });
  const res = await fetch(`${base}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: 'classroom', maxStudents: pods, speed: 1 }),
  });
  const { code, hostKey, presenterKey } = (await res.json()) as {
    code: string;
    hostKey: string;
    presenterKey: string;
  };
  const sockets: BotSocket[] = [];
  const connect = () => {
    const s: BotSocket = io(base, { transports: ['websocket'], forceNew: true });
    sockets.push(s);
    return s;
  };
  const ack = <T>(s: BotSocket, ev: string, payload: unknown) =>
    new Promise<T>((r) =>
      (s.emit as unknown as (e: string, p: unknown, cb: (x: T) => void) => void)(ev, payload, r),
    );
  const bots: BotSocket[] = [];
  for (let i = 0; i < pods; i++) {
    const s = connect();
    await ack(s, 'student:join', { v: PROTOCOL_VERSION, code, nickname: `Bot ${i + 1}`, bot: true });
    bots.push(s);
  }
  const host = connect();
  await ack(host, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey });
  await ack(host, 'session:start', {});
  // Every pod scheduled and its container started, before the bots change their workloads.
  const room = app.rooms.get(code)!;
  while (!(room.state.pods.length >= pods && room.state.pods.every((p) => p.cState === 'Running')))
    await new Promise((r) => setTimeout(r, 50));
  await Promise.all(
    bots.map((s, i) =>
      ack(s, 'pod:command', { command: { type: 'set_workload', workload: { leakMiBps: (i % 8) * 4 } } }),
    ),
  );
  return {
    // The projector's link carries its presenter key (a class's data is its teacher's).
    url: `${base}/present/${code}#key=${presenterKey}`,
    close: async () => {
      for (const s of sockets) s.disconnect();
      await app.app.close();
    },
  };
}
