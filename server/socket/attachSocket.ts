import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ServerConfig } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import type { RoomLog } from '../room/port.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { checkpoint } from './checkpoint.ts';
import type { ConnContext } from './handlers.ts';
import { TokenBucket } from './TokenBucket.ts';
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

/** Create the socket.io server on fastify's HTTP server; every message goes through the checkpoint. */
export function createIo(server: HttpServer, config: ServerConfig): IoServer {
  return new Server(server, {
    // Compression costs CPU per frame for small JSON; keep it off (a test asserts it).
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: config.maxHttpBufferSize,
    serveClient: false,
    allowRequest: (req, cb) => cb(originAllowed(req, config.allowedOrigins) ? null : 'origin not allowed', originAllowed(req, config.allowedOrigins)),
    connectionStateRecovery: { maxDisconnectionDuration: config.recoveryMs, skipMiddlewares: true },
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });
}

export function wireSockets(io: IoServer, deps: { rooms: RoomRegistry; config: ServerConfig; log: RoomLog; metrics: Metrics }): void {
  const { rooms, config, log, metrics } = deps;
  const perIp = new Map<string, number>();

  io.use((socket, next) => {
    const ip = socket.handshake.address;
    if ((perIp.get(ip) ?? 0) >= config.maxConnectionsPerIp) {
      log.warn({ ip }, 'connection refused: too many from one address');
      const err = new Error('Too many connections from your network.') as Error & { data: unknown };
      err.data = { code: 'TOO_MANY_CONNECTIONS' };
      return next(err);
    }
    next();
  });

  io.on('connection', (socket: IoSocket) => {
    const ip = socket.handshake.address;
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    const ctx: ConnContext = { id: socket.id, room: null, role: null, participantId: null };

    // A short drop restored by connection state recovery keeps socket.data: re-bind the connection to its room.
    if (socket.recovered && socket.data.roomCode && socket.data.participantId && socket.data.role) {
      const room = rooms.get(socket.data.roomCode);
      if (room && room.reattach(socket.id, socket.data.participantId, socket.data.role as Role)) {
        ctx.room = room;
        ctx.role = socket.data.role as Role;
        ctx.participantId = socket.data.participantId;
      }
    } else {
      socket.data = { roomCode: null, participantId: null, role: null };
    }

    const now = () => performance.now();
    const messages = new TokenBucket(config.messageBurst, config.messagesPerSec, now());
    const offences = new TokenBucket(config.offenceBurst, config.offencesPerSec, now());
    let offender = false;

    socket.onAny((event: string, ...args: unknown[]) => {
      if (offender) return;
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: unknown) => void) : null;
      const t0 = performance.now();
      const done = checkpoint(ctx, event, args, {
        rooms,
        log,
        now,
        messages,
        offences,
        onOffender: () => {
          offender = true;
          // Let the refusal ack go out first, then close.
          setImmediate(() => socket.disconnect(true));
        },
        onMessage: () => metrics.messages++,
        onRejected: () => metrics.rejected++,
      });
      // The synchronous part: validation and the handler up to its first wait (the recording's fsync is not CPU).
      metrics.handlerMicros += (performance.now() - t0) * 1000;
      void done.then((res) => {
        if (ctx.room && socket.data.roomCode === null) {
          socket.data = { roomCode: ctx.room.code, participantId: ctx.participantId, role: ctx.role };
        }
        if (ack) ack(res);
        else if (!res.ok) socket.emit('client:error', { event: String(event).slice(0, 40), code: res.error.code, message: res.error.message });
      });
    });

    socket.on('disconnect', () => {
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
      ctx.room?.detach(socket.id);
    });
  });
}

