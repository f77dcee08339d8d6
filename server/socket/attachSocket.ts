import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { Ack } from '../../shared/protocol/errors.ts';
import type { ServerConfig } from '../config.ts';
import type { HttpGuards } from '../http/guards.ts';
import type { LimitStore } from '../limits/LimitStore.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomLog } from '../room/port.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { checkpoint } from './checkpoint.ts';
import { ConnectionHooks, type SharedHooks } from './ConnectionHooks.ts';
import { holdAck } from './ownFrames.ts';
import type { ConnContext } from './handlers.ts';
import { RefusalLog } from './RefusalLog.ts';
import type { IoServer, IoSocket } from './types.ts';
import type { Role } from '../../shared/protocol/views.ts';

/**
 * Browsers send Origin on socket.io requests; only the server's own origin (and configured extras) may connect.
 * Non-browser clients (the bots) send none and are allowed: the origin check protects students' browsers, not the
 * server.
 */
export function originAllowed(req: IncomingMessage, extra: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (extra.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * What a clustered process adds to its sockets (server/cluster/SocketRouter.ts): a per-address cap across the
 * cluster, and connections whose room runs in another process, whose events go to that owner.
 */
export interface RemoteSockets {
  /** The cluster-wide per-address cap (this process's own cap is checked first). */
  admit(ip: string): Promise<boolean>;
  closed(socket: IoSocket, ip: string, admitted: boolean): void;
  /** The answer to an event whose room is elsewhere, or null when this process handles it. */
  intercept(
    socket: IoSocket,
    ctx: ConnContext,
    event: string,
    args: unknown[],
  ): Promise<Ack<unknown> | null> | null;
  /** A connection restored by socket.io's recovery whose room is not in this process. */
  recovered(socket: IoSocket, ctx: ConnContext): void;
}

/**
 * Open transport connections per address, counted where every connection starts (the engine's handshake), so
 * connections restored by state recovery count like any other (they skip socket.io's middlewares).
 */
export class ConnectionCounter {
  readonly #perIp = new Map<string, number>();
  count(ip: string): number {
    return this.#perIp.get(ip) ?? 0;
  }
  add(ip: string): void {
    this.#perIp.set(ip, this.count(ip) + 1);
  }
  remove(ip: string): void {
    const n = this.count(ip) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
  }
}

/** The handshake's own cap: the configured one plus a margin in which refusals are coded (TOO_MANY_CONNECTIONS). */
const hardCap = (config: ServerConfig) => config.maxConnectionsPerIp + Math.max(5, Math.ceil(config.maxConnectionsPerIp / 10));

/**
 * Create the socket.io server on fastify's HTTP server; every message goes through the checkpoint. A cluster
 * passes socket.io's Redis Streams adapter, which keeps connection state recovery working across processes.
 */
export function createIo(
  server: HttpServer,
  config: ServerConfig,
  adapter?: ServerOptions['adapter'],
  counter = new ConnectionCounter(),
): IoServer {
  const io: IoServer = new Server(server, {
    ...(adapter ? { adapter } : {}),
    // Compression costs CPU per frame for small JSON; keep it off (a test asserts it).
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: config.maxHttpBufferSize,
    serveClient: false,
    // Every new transport connection (a first connect, a reconnect, a recovery) counts; past the cap and a margin
    // the handshake itself is refused. Up to the margin, the namespace refuses with a coded error people can read.
    allowRequest: (req, cb) => {
      if (!originAllowed(req, config.allowedOrigins)) return cb('origin not allowed', false);
      if (counter.count(req.socket.remoteAddress ?? '') >= hardCap(config)) return cb('too many connections from your network', false);
      cb(null, true);
    },
    // A transport that never connects to the namespace is closed as a socket that never joins would be.
    connectTimeout: Math.min(45_000, config.joinTimeoutMs),
    connectionStateRecovery: { maxDisconnectionDuration: config.recoveryMs, skipMiddlewares: true },
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });
  // socket.io answers its own HTTP requests (polling, handshakes, refusals) outside fastify, so helmet never sees
  // them: the same protections go on here, before engine.io writes anything, error replies included.
  io.engine.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
    for (const [name, value] of Object.entries(SOCKET_HEADERS)) res.setHeader(name, value);
    next();
  });
  io.engine.on('connection', (raw: { request: IncomingMessage; once(e: 'close', f: () => void): void }) => {
    const ip = raw.request.socket.remoteAddress ?? '';
    counter.add(ip);
    raw.once('close', () => counter.remove(ip));
  });
  return io;
}

/** Security headers on socket.io's HTTP replies (they carry JSON or engine.io packets, never a page). */
export const SOCKET_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

export interface SocketDeps {
  rooms: RoomRegistry;
  config: ServerConfig;
  log: RoomLog;
  metrics: Metrics;
  remote?: RemoteSockets;
  /** The per-address transport counts (createIo's). */
  counter: ConnectionCounter;
  /** Rate-limit buckets, keyed by who pays (a participant, an address), so a reconnect refills nothing. */
  limits: LimitStore;
  guards: HttpGuards;
  now(): number;
}

/**
 * socket.io's connection-state recovery resumes a dropped connection only from the last kept (reliable) message it
 * received, and keeps those for `recoveryMs`. Frames are volatile, a student's own events ride in them, and what host
 * and projector get as a round runs is not kept, so a quiet connection could go minutes without one and would have
 * to join again after a Wi-Fi blip: each connection gets a mark as it joins (wireSockets), and everyone one every
 * half recovery window, kept once for all (one message a minute).
 * (A cluster keeps what goes through Redis, and a process's local messages never do: there marks change nothing.)
 */
export function markForRecovery(io: IoServer, recoveryMs: number): () => void {
  const timer = setInterval(() => io.local.emit('connection:mark'), Math.max(1000, recoveryMs / 2));
  timer.unref();
  return () => clearInterval(timer);
}

/** Every connection: its join deadline, its flood control (keyed by participant), its messages through the checkpoint. */
export function wireSockets(io: IoServer, deps: SocketDeps): { close(): void } {
  const { rooms, config, log, metrics, remote, limits, guards, now, counter } = deps;
  const stopMarks = markForRecovery(io, config.recoveryMs);
  const refusals = new RefusalLog(log, config.refusalLogMs);
  // Connections the cluster-wide cap counted (their count is given back when they close).
  const admitted = new WeakSet<object>();
  const shared: SharedHooks = {
    rooms,
    log,
    refusals,
    limits,
    guards,
    metrics,
    now,
    messageRule: { burst: config.messageBurst, perSec: config.messagesPerSec },
    offenceRule: { burst: config.offenceBurst, perSec: config.offencesPerSec },
  };

  io.use((socket, next) => {
    const ip = socket.handshake.address;
    const refuse = () => {
      // Counted with the refused messages: a flood of connections must not write a line each.
      refusals.note('TOO_MANY_CONNECTIONS', 'connect', undefined, ip);
      const err = new Error('Too many connections from your network.') as Error & { data: unknown };
      err.data = { code: 'TOO_MANY_CONNECTIONS' };
      next(err);
    };
    // This connection's transport is already counted (at the handshake): over the cap, refuse with a code.
    if (counter.count(ip) > config.maxConnectionsPerIp) return refuse();
    if (!remote) return next();
    void remote.admit(ip).then((ok) => {
      if (!ok) return refuse();
      admitted.add(socket);
      next();
    });
  });

  io.on('connection', (socket: IoSocket) => {
    const ip = socket.handshake.address;
    // A connection restored by state recovery skips the middleware above: it is held to the same cap here.
    if (socket.recovered && counter.count(ip) > config.maxConnectionsPerIp) {
      socket.emit('client:error', { event: 'connect', code: 'TOO_MANY_CONNECTIONS', message: 'Too many connections from your network.' });
      socket.disconnect(true);
      return;
    }
    const ctx: ConnContext = { id: socket.id, room: null, role: null, participantId: null };

    // A short drop restored by connection state recovery keeps socket.data: re-bind the connection to its room.
    if (socket.recovered && socket.data.roomCode && socket.data.participantId && socket.data.role) {
      const room = rooms.get(socket.data.roomCode);
      if (room && room.reattach(socket.id, socket.data.participantId, socket.data.role as Role)) {
        ctx.room = room;
        ctx.role = socket.data.role as Role;
        ctx.participantId = socket.data.participantId;
      } else if (!room && remote) {
        remote.recovered(socket, ctx);
      }
    } else {
      socket.data = { roomCode: null, participantId: null, role: null };
    }

    // A connection that joins nothing within the deadline is closed: idle sockets cost memory and the address's cap.
    // (A connection bound to a room in another process of a cluster has a role but no local room.)
    const joinDeadline =
      ctx.room || ctx.role
        ? null
        : setTimeout(() => {
            if (!ctx.room && !ctx.role) socket.disconnect(true);
          }, config.joinTimeoutMs);
    joinDeadline?.unref();

    // The checkpoint's side of this connection: one object, its behaviour shared (ConnectionHooks).
    const hooks = new ConnectionHooks(socket, ctx, ip, shared);

    numberAcks(socket);
    socket.onAny((event: string, ...args: unknown[]) => {
      if (hooks.offender) return;
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: unknown) => void) : null;
      // Clustered: an event whose room runs in another process goes there (and is checked there).
      const routed = remote && !ctx.room ? remote.intercept(socket, ctx, event, args) : null;
      if (routed) {
        void routed.then((res) => (res ? reply(hooks, event, ack, res) : handleHere(hooks, event, args, ack)));
        return;
      }
      handleHere(hooks, event, args, ack);
    });

    socket.on('disconnect', () => {
      if (joinDeadline) clearTimeout(joinDeadline);
      ctx.room?.detach(socket.id);
      remote?.closed(socket, ip, admitted.has(socket));
    });
  });
  return {
    close: () => {
      stopMarks();
      refusals.close();
    },
  };
}

/** An event's answer: its ack (a command's held for the frame that shows it: holdForFrame), or a client:error. */
function reply(hooks: ConnectionHooks, event: string, ack: ((r: unknown) => void) | null, res: Ack<unknown>): void {
  if (ack) {
    if (!holdForFrame(hooks.socket, hooks.ctx, event, ack, res)) ack(res);
  } else if (!res.ok)
    hooks.socket.emit('client:error', {
      event: String(event).slice(0, 40),
      code: res.error.code,
      message: res.error.message,
    });
}

/** An event this process handles: through the checkpoint, then answered. */
function handleHere(hooks: ConnectionHooks, event: string, args: unknown[], ack: ((r: unknown) => void) | null): void {
  const { socket, ctx } = hooks;
  const metrics = hooks.shared.metrics;
  const t0 = performance.now();
  const done = checkpoint(ctx, event, args, hooks);
  // The synchronous part: validation and the handler up to its first wait (the recording's fsync is not CPU).
  metrics.handlerMicros += (performance.now() - t0) * 1000;
  void done.then((res) => {
    const joined = ctx.room !== null && socket.data.roomCode === null;
    if (joined) socket.data = { roomCode: ctx.room!.code, participantId: ctx.participantId, role: ctx.role };
    reply(hooks, event, ack, res);
    // Its first kept message: from here on a short drop resumes this connection (see markForRecovery).
    if (joined) socket.emit('connection:mark');
  });
}

/** Each ack function socket.io makes for an event, with the packet id it answers (see numberAcks). */
const ackIds = new WeakMap<object, number>();

/**
 * socket.io makes an ack function per event that asks for one (`Socket.ack(id)`, the packet's id inside it). Each
 * socket's maker is wrapped so the id is known here: an ack can then ride in the same write as a frame (holdForFrame).
 */
function numberAcks(socket: IoSocket): void {
  const s = socket as unknown as { ack?: (id: number) => (...args: unknown[]) => void };
  const make = s.ack;
  if (typeof make !== 'function') return;
  s.ack = function (this: unknown, id: number) {
    const fn = make.call(this, id);
    ackIds.set(fn, id);
    return fn;
  };
}

/**
 * A command's ack waits for the frame that shows it and goes in the same write (one write a command fewer): when the
 * command is not applied yet and the room's loop runs, that frame comes within a tick, and the student needs both.
 * Otherwise (its tick already framed, a paused room, no link of ours) the ack goes at once.
 */
function holdForFrame(socket: IoSocket, ctx: ConnContext, event: string, ack: (r: unknown) => void, res: Ack<unknown>): boolean {
  if (event !== 'pod:command' || !res.ok || ctx.room === null) return false;
  const id = ackIds.get(ack);
  const tick = (res.data as { tick?: unknown }).tick;
  if (id === undefined || typeof tick !== 'number' || !ctx.room.framesSoon(tick)) return false;
  return holdAck(socket, `3${id}${JSON.stringify([res])}`, () => ack(res));
}
