import { io as connect, type Socket } from 'socket.io-client';
import { buildApp, type App, type AppOptions } from '../../server/app.ts';
import { NullRecorder } from '../../server/recording/NullRecorder.ts';
import type { LoopClock } from '../../server/room/LoopDriver.ts';
import type { RecorderFactory, RecorderStart } from '../../server/room/recorderPort.ts';
import type { Room } from '../../server/room/Room.ts';
import type { Ack } from '../../shared/protocol/errors.ts';
import type { ClientEventResults, ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol/events.ts';
import type { CreateSessionRequest, CreateSessionResponse } from '../../shared/protocol/schemas.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { JoinResult } from '../../shared/protocol/views.ts';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Wait until `check` answers something truthy (conditions, not time); fail with `what` after `ms`. */
export async function until<T>(what: string, check: () => Promise<T> | T, ms = 20_000): Promise<NonNullable<T>> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A clock whose timers never fire on their own: tests step rooms by hand with `room.runTicks(n)`. */
export const manualClock: LoopClock = { now: () => performance.now(), schedule: () => () => {} };

export interface TestServer extends App {
  url: string;
  close(): Promise<void>;
  clients: Client[];
}

export async function startServer(o: AppOptions = {}): Promise<TestServer> {
  const built = await buildApp({ clock: manualClock, ...o });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = built.app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const clients: Client[] = [];
  return {
    ...built,
    url,
    clients,
    close: async () => {
      for (const c of clients) c.disconnect();
      await built.app.close();
    },
  };
}

/** What a room told its recorder, and the in-memory recorder it got (one per simulation: a round may start another). */
export interface KeptRecording {
  start: RecorderStart;
  rec: NullRecorder;
}

/** A recorder factory keeping every recording in `into`, each holding up to `keep` commands and host actions. */
export function keepRecordings(into: KeptRecording[], keep = 100_000): RecorderFactory {
  return {
    create: (start) => {
      const rec = new NullRecorder(keep, start.initialState.tick);
      into.push({ start, rec });
      return rec;
    },
  };
}

/** The teacher key the tests' sessions are made with (a teacher's browser makes its own). */
export const TEACHER_KEY = 'test-teacher-key-0123456789';
/** Headers that carry a key: `Authorization: Bearer <key>`. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export async function createSession(
  s: TestServer,
  body: CreateSessionRequest = {},
  teacherKey: string | null = TEACHER_KEY,
): Promise<CreateSessionResponse & { room: Room }> {
  const res = await fetch(`${s.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(teacherKey ? bearer(teacherKey) : {}) },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${await res.text()}`);
  const data = (await res.json()) as CreateSessionResponse;
  return { ...data, room: s.rooms.get(data.code)! };
}

export async function client(s: TestServer, opts: Parameters<typeof connect>[1] = {}): Promise<Client> {
  const c: Client = connect(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  s.clients.push(c);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  return c;
}

/** Emit with an ack, typed by the event map, untyped escape hatch for bad-input tests. */
export function call<E extends keyof ClientEventResults>(c: Client, event: E, payload: unknown): Promise<Ack<ClientEventResults[E]>> {
  return (c.timeout(5000).emitWithAck as (e: string, p: unknown) => Promise<Ack<ClientEventResults[E]>>)(event, payload);
}

/** Emit anything (unknown events, several arguments) and wait for the ack. */
export function callRaw(c: Client, event: string, ...args: unknown[]): Promise<Ack<unknown>> {
  return (c.timeout(5000).emitWithAck as (e: string, ...a: unknown[]) => Promise<Ack<unknown>>)(event, ...args);
}

export function ok<T>(a: Ack<T>): T {
  if (!a.ok) throw new Error(`expected ok, got ${a.error.code}: ${a.error.message}`);
  return a.data;
}

export async function joinStudent(s: TestServer, code: string, nickname: string, extra: Record<string, unknown> = {}): Promise<{ c: Client; join: JoinResult }> {
  const c = await client(s);
  const join = ok(await call(c, 'student:join', { v: PROTOCOL_VERSION, code, nickname, ...extra }));
  return { c, join };
}

/** The projector: it attaches with the room's presenter key (the host page's "Open presenter" link carries it). */
export async function attachPresenter(s: TestServer, code: string, presenterKey: string): Promise<Client> {
  const c = await client(s);
  ok(await call(c, 'presenter:attach', { v: PROTOCOL_VERSION, code, key: presenterKey }));
  return c;
}

export async function attachHost(s: TestServer, code: string, hostKey: string): Promise<Client> {
  const c = await client(s);
  ok(await call(c, 'host:attach', { v: PROTOCOL_VERSION, code, hostKey }));
  return c;
}

/** Resolve with the next `event` matching `pred`; reject after `ms`. */
export function next<E extends keyof ServerToClientEvents>(
  c: Client,
  event: E,
  pred: (p: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  ms = 3000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off(event, handler as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const handler = (p: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      c.off(event, handler as never);
      resolve(p);
    };
    c.on(event, handler as never);
  });
}

/** Collect every `event` a client receives (for "never sees" assertions). */
export function collect<E extends keyof ServerToClientEvents>(c: Client, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const out: Parameters<ServerToClientEvents[E]>[0][] = [];
  c.on(event, ((p: Parameters<ServerToClientEvents[E]>[0]) => out.push(p)) as never);
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run `n` ticks one broadcast at a time, letting the sockets drain in between: state frames are volatile, and
 * socket.io drops a volatile frame while the previous write is still in flight (as it would for a slow phone).
 */
export async function tick(room: Room, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    room.runTicks(1);
    await sleep(25);
  }
}
