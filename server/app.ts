import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { ServerOptions } from 'socket.io';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { listeningUrls } from './net/joinAddress.ts';
import { DEFAULT_CONFIG, type ServerConfig } from './config.ts';
import { clientRoutes } from './http/clientRoutes.ts';
import { httpGuards, type HttpGuards } from './http/guards.ts';
import { sessionRoutes } from './http/sessionRoutes.ts';
import { MemoryLimitStore, type LimitStore } from './limits/LimitStore.ts';
import { Metrics } from './metrics.ts';
import { realClock, type LoopClock } from './room/LoopDriver.ts';
import { nullRecorderFactory, type RecorderFactory } from './room/recorderPort.ts';
import type { RoomPort } from './room/port.ts';
import { RoomRegistry, type RoomClaims } from './room/RoomRegistry.ts';
import { ConnectionCounter, createIo, wireSockets, type RemoteSockets } from './socket/attachSocket.ts';
import { SocketPort } from './socket/SocketPort.ts';
import type { IoServer } from './socket/types.ts';

/** What plugins registered through `buildApp({ plugins })` receive besides the fastify instance. */
export interface AppContext {
  rooms: RoomRegistry;
  io: IoServer;
  config: ServerConfig;
  /** Who is asking, and the per-address budgets every route shares (room creation, look-ups). */
  guards: HttpGuards;
}

export interface AppOptions {
  config?: Partial<ServerConfig>;
  /**
   * Makes each session's recorder. Default: nothing on disk (NullRecorder). Production passes the file-backed
   * store from server/recording (`createFileRecorderFactory({ dataDir })`).
   */
  recorderFactory?: RecorderFactory;
  /**
   * Extra routes, registered after the API routes and before the client's SPA fallback, e.g. the recording routes:
   * `plugins: [(app, { rooms }) => app.register(recordingRoutes, { store, continueSession })]`.
   */
  plugins?: Array<(app: FastifyInstance, ctx: AppContext) => unknown>;
  /** The loop's clock; tests pass a hand-stepped one. */
  clock?: LoopClock;
  /** fastify's logger option (false in tests). */
  logger?: FastifyServerOptions['logger'];
  /** Where the built client is. Default dist/client. */
  clientDir?: string;
  /**
   * Base URLs the server can be reached on. Default: worked out from the listening address (every LAN address when
   * it listens on all interfaces); tests pass their own.
   */
  publicUrls?: () => string[];
  /** The machine's network interfaces (default os.networkInterfaces()); tests pass a fake LAN. */
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Membership of a cluster on Redis (server/cluster/Cluster.ts); without it the process is alone, as `npm start`. */
  cluster?: AppCluster;
  /**
   * Where the per-address budgets keep their buckets (room creations, look-ups, guessing codes and keys). Default:
   * the cluster's Redis store when clustered, so an address spends one budget whichever process it reaches; else
   * this process's memory. Per-participant message buckets always stay in memory (a room has one owner).
   */
  limits?: LimitStore;
}

/** What a cluster plugs into the app: socket.io's adapter, the rooms' port, code claims, routing of sockets and HTTP. */
export interface AppCluster {
  readonly adapter: NonNullable<ServerOptions['adapter']>;
  port(io: IoServer): RoomPort;
  readonly claims: RoomClaims;
  sockets(rooms: RoomRegistry): RemoteSockets;
  /** A preHandler hook: requests about a room that runs in another process are answered there. */
  readonly httpGate: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Per-address budgets shared by every process of the cluster (server/cluster/RedisLimitStore.ts). */
  readonly limits?: LimitStore;
}

export interface App {
  app: FastifyInstance;
  /** The base URLs the server is reachable on, once listening (LAN addresses first). */
  publicUrls: () => string[];
  io: IoServer;
  rooms: RoomRegistry;
  metrics: Metrics;
  config: ServerConfig;
  guards: HttpGuards;
  limits: LimitStore;
}

const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../dist/client', import.meta.url));

/**
 * Build the whole server without listening: HTTP routes, security headers, rate limits, socket.io and the rooms.
 * Tests call `app.listen({ port: 0 })`; main.ts listens on PORT. Closing the app ends every session first.
 */
export async function buildApp(o: AppOptions = {}): Promise<App> {
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...o.config };
  // Per-request logs would drown the session events a teacher needs to see; errors are still logged.
  const app = Fastify({
    logger: o.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    trustProxy: false,
  });
  const metrics = new Metrics({ loopDelay: config.metrics });
  const counter = new ConnectionCounter();
  const io = createIo(app.server, config, o.cluster?.adapter, counter);
  const clock = o.clock ?? realClock;
  const limits = o.limits ?? o.cluster?.limits ?? new MemoryLimitStore();
  const guards = httpGuards(config, limits, () => clock.now());
  const rooms = new RoomRegistry({
    port: o.cluster ? o.cluster.port(io) : new SocketPort(io, app.log),
    clock,
    recorders: o.recorderFactory ?? nullRecorderFactory,
    log: app.log,
    maxSessions: config.maxSessions,
    endedTtlMs: config.endedTtlMs,
    idleMs: config.idleMs,
    unjoinedTtlMs: config.unjoinedTtlMs,
    roomLimits: { maxSpectators: config.maxSpectatorsPerRoom, joins: config.roomJoins, rosterFlushMs: config.rosterFlushMs },
    onLateness: (ms) => metrics.lateness.add(ms),
    claims: o.cluster?.claims,
  });
  const sockets = wireSockets(io, {
    rooms,
    config,
    log: app.log,
    metrics,
    remote: o.cluster?.sockets(rooms),
    counter,
    // Every message of a participant draws on this: memory, never a round trip to Redis on a command's path.
    limits: new MemoryLimitStore(),
    guards,
    now: () => clock.now(),
  });
  if (o.cluster) app.addHook('preHandler', o.cluster.httpGate);
  rooms.startSweeping();

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Svelte sets inline style attributes (transitions, bar widths); no inline scripts are allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        workerSrc: ["'self'", 'blob:'],
      },
    },
    // Classrooms reach the server over plain http on the LAN: never ask browsers to upgrade to https.
    hsts: false,
  });
  await app.register(rateLimit, { global: false });
  // A 500 says what kind of failure it was (a stable code), never the internal message or stack: those go to the log.
  app.setErrorHandler((err: { statusCode?: number; status?: unknown; code?: unknown; message?: string }, req, reply) => {
    // A coded failure of the server's own (a full disk refusing a new recording: 507 RECORDING_UNAVAILABLE).
    if (typeof err.status === 'number' && err.status >= 400 && typeof err.code === 'string' && /^[A-Z][A-Z_]+$/.test(err.code)) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message ?? err.code } });
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status < 500) return reply.send(err);
    req.log.error({ err, url: req.url, method: req.method }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'Something went wrong on the server. Try again; if it keeps happening, tell whoever runs it.' } });
  });

  const publicUrls = o.publicUrls ?? (() => listeningUrls(app.server.address(), (o.networkInterfaces ?? networkInterfaces)()));
  await app.register(sessionRoutes, { rooms, config, guards, publicUrls });
  if (config.metrics) {
    app.get('/api/metrics', async (req, reply) => {
      if (req.ip !== '127.0.0.1' && req.ip !== '::1' && req.ip !== '::ffff:127.0.0.1')
        return reply.code(404).send();
      // With node --expose-gc the benchmark can ask for a collection first, to measure live memory, not garbage.
      const gc = (globalThis as { gc?: () => void }).gc;
      if ((req.query as { gc?: string }).gc === '1' && gc) gc();
      // What socket.io keeps for connection-state recovery (its in-memory adapter's packet buffer), to see it stay flat.
      const kept = (io.of('/').adapter as { packets?: unknown[] }).packets?.length ?? null;
      return metrics.snapshot({ sessions: rooms.liveCount, connections: io.engine.clientsCount, recoveryPackets: kept });
    });
    app.post('/api/metrics/reset', async () => {
      metrics.reset();
      return { ok: true };
    });
  }
  const ctx: AppContext = { rooms, io, config, guards };
  for (const plugin of o.plugins ?? []) await plugin(app, ctx);
  await app.register(clientRoutes, { dir: o.clientDir ?? DEFAULT_CLIENT_DIR });

  // Shutdown order: end sessions (clients told, recordings closed), then drop sockets, then the HTTP server.
  app.addHook('preClose', async () => {
    await rooms.closeAll();
    io.local.disconnectSockets(true);
  });
  app.addHook('onClose', async () => {
    metrics.close();
    sockets.close();
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
    });
  });
  return { app, publicUrls, io, rooms, metrics, config, guards, limits };
}
