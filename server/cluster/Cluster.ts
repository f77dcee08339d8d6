import { createAdapter } from '@socket.io/redis-streams-adapter';
import { dict } from '../../shared/util/dict.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest, InjectOptions } from 'fastify';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ServerOptions } from 'socket.io';
import { normaliseRoomCode, ROOM_CODE_PATTERN } from '../../shared/protocol/roomCode.ts';
import type { ServerConfig } from '../config.ts';
import type { RoomLog } from '../room/port.ts';
import type { Room } from '../room/Room.ts';
import type { RoomClaims, RoomRegistry } from '../room/RoomRegistry.ts';
import type { IoServer } from '../socket/types.ts';
import { AddressLimit } from './addressLimit.ts';
import { ClusterPort } from './ClusterPort.ts';
import { NodeBus } from './NodeBus.ts';
import { RedisLimitStore } from './RedisLimitStore.ts';
import { RemoteConnections, roomOfCall, SESSION_PATH, type HttpAnswer, type OwnerCall, type RemoteConnectionsOptions } from './RemoteConnections.ts';
import { MissingNodes } from './missingNodes.ts';
import { leaseTimings, RoomDirectory, type OwnedRoom } from './RoomDirectory.ts';
import { SocketRouter } from './SocketRouter.ts';

export interface ClusterOptions {
  redisUrl: string;
  /** How long a room's lease lives (CLUSTER_LEASE_MS; tests use short ones). */
  leaseMs?: number;
  log: RoomLog;
  config: ServerConfig;
  /**
   * Resume an interrupted session from its recording under its old code and host key (the takeover); `wasRunning`:
   * the recording says it was running (started, not paused) when the file stopped.
   */
  resume: (recording: string, hostKey: string) => Promise<{ wasRunning: boolean }>;
}

/** ioredis settings for the cluster's own commands: fail fast while Redis is away, reconnect on its own. */
function client(url: string): Redis {
  const r = new Redis(url, {
    maxRetriesPerRequest: 2,
    connectTimeout: 2000,
    retryStrategy: (n) => Math.min(100 * n, 1000),
  });
  r.on('error', () => {}); // reconnects by itself; the loops log what fails
  return r;
}

/**
 * One server process's membership of a cluster on Redis. It composes: socket.io's Redis Streams adapter (messages
 * to sockets of other processes, connection state recovery across them), the room directory (a renewed lease per
 * room this process owns, codes unique cluster-wide), the bus (calls to other processes), the socket router and
 * the owner side of forwarded connections, the cluster-wide per-address cap, and the takeover of rooms whose owner
 * died (resumed from their recording in the shared DATA_DIR).
 */
export class Cluster {
  readonly node: string;
  readonly dir: RoomDirectory;
  readonly bus: NodeBus;
  readonly #o: ClusterOptions;
  readonly #cmd: Redis;
  readonly #adapterClient: Redis;
  readonly #sub: Redis;
  #io: IoServer | null = null;
  #port: ClusterPort | null = null;
  #rooms: RoomRegistry | null = null;
  #router: SocketRouter | null = null;
  #remotes: RemoteConnections | null = null;
  readonly #taking = new Map<string, Promise<boolean>>();
  readonly #missing: MissingNodes;
  readonly #released = new Set<string>();
  #timers: NodeJS.Timeout[] = [];
  #closed = false;
  /** Milliseconds from a lease's expiry to the room running here again, per takeover (the docs' figure). */
  readonly takeovers: { code: string; ms: number }[] = [];

  constructor(o: ClusterOptions) {
    this.#o = o;
    this.node = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
    this.#cmd = client(o.redisUrl);
    this.#sub = client(o.redisUrl);
    // The adapter's client queues while Redis is away (its stream reader waits rather than spins).
    this.#adapterClient = new Redis(o.redisUrl, { retryStrategy: (n) => Math.min(100 * n, 1000) });
    this.#adapterClient.on('error', () => {});
    this.dir = new RoomDirectory(this.#cmd, this.node, leaseTimings(o.leaseMs));
    this.#missing = new MissingNodes(this.dir.timings.leaseMs);
    this.bus = new NodeBus(this.#cmd, this.#sub, this.node);
    this.limits = new RedisLimitStore(this.#cmd);
  }

  /** Per-address rate-limit buckets shared by the whole cluster (the shape of the server's LimitStore). */
  readonly limits: RedisLimitStore;

  /** socket.io's Redis Streams adapter, for `new Server(..., { adapter })`. */
  get adapter(): NonNullable<ServerOptions['adapter']> {
    return createAdapter(this.#adapterClient) as NonNullable<ServerOptions['adapter']>;
  }

  port(io: IoServer): ClusterPort {
    this.#io = io;
    this.#port = new ClusterPort(io, this.#o.log);
    return this.#port;
  }

  /** Room codes claimed in Redis before a room opens; the record (recording, host key) follows at once. */
  readonly claims: RoomClaims = {
    claim: (code, hostKey) => this.dir.claim({ code, recording: '', hostKey, status: 'lobby' }),
    opened: (room) => {
      this.#released.delete(room.code);
      this.dir
        .renew([owned(room)])
        .catch((e: unknown) => this.#o.log.warn({ room: room.code, err: e }, 'publishing a room failed'));
    },
    unclaim: (code) => void this.dir.release(code).catch(() => {}),
    changed: (code) => this.#publish(code),
  };

  /** What Redis last heard of each room from here (status and recording), so unchanged meta costs nothing. */
  readonly #published = new Map<string, string>();

  /**
   * A room's status or recording changed (started, paused, a new round's recording): tell Redis now. A process
   * that takes the room over reads both — waiting for the next renewal would let it resume a stale recording, or
   * leave a running class paused.
   */
  #publish(code: string): void {
    const room = this.#rooms?.get(code);
    if (!room || room.status === 'ended' || this.#closed) return;
    const r = owned(room);
    const said = `${r.status}|${r.recording}`;
    if (this.#published.get(code) === said) return;
    this.#published.set(code, said);
    this.dir
      .renew([r])
      .then((lost) => (lost.length > 0 ? this.#lose(code) : undefined))
      .catch((e: unknown) => this.#o.log.warn({ room: code, err: e }, 'publishing a room failed'));
  }

  sockets(rooms: RoomRegistry): SocketRouter {
    this.#rooms = rooms;
    this.#router = new SocketRouter({
      rooms,
      bus: this.bus,
      dir: this.dir,
      limit: new AddressLimit(this.#cmd, this.node, this.#o.config.maxConnectionsPerIp),
      log: this.#o.log,
      takeOver: (code) => this.takeOver(code),
    });
    return this.#router;
  }

  /**
   * HTTP requests about a room that runs elsewhere (its page's look-up, QR code, CSV, next round from a file) are
   * answered by the owner through `app.inject`; a fastify preHandler hook.
   */
  readonly httpGate = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const m = SESSION_PATH.exec(req.url);
    if (!m || !this.#rooms) return;
    let code: string;
    try {
      code = normaliseRoomCode(decodeURIComponent(m[1]!));
    } catch {
      return; // a malformed escape: not a room code; the route answers it
    }
    if (!ROOM_CODE_PATTERN.test(code) || this.#rooms.get(code)) return;
    const request: InjectOptions = {
      method: req.method as InjectOptions['method'],
      url: req.url,
      // Header names come from the client: a prototype-free table, so a `__proto__` header is just a header.
      headers: dict(
        Object.entries(req.headers).filter(([k]) => k !== 'content-length' && k !== 'connection') as [string, string][],
      ),
      remoteAddress: req.ip,
      ...(req.body !== undefined ? { payload: req.body as InjectOptions['payload'] } : {}),
    };
    const deadline = performance.now() + this.dir.timings.leaseMs * 2 + 5000;
    while (performance.now() < deadline) {
      if (this.#rooms.get(code)) return;
      const owner = await this.dir.owner(code);
      if (owner && owner !== this.node) {
        const r = await this.bus.call(owner, { k: 'http', request } satisfies OwnerCall);
        if (r.delivered) {
          const a = r.value as HttpAnswer;
          return reply.code(a.status).headers(a.headers).send(a.body);
        }
      } else if (!owner) {
        if (!(await this.dir.known(code))) return; // unknown everywhere: the local route answers 404
        if (await this.takeOver(code)) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /**
   * A resume by hand (the recordings page) in a cluster: the room's code is claimed first, so a recording that
   * another process is writing, or is about to take over, is never reopened here.
   */
  guardResume<A, R>(
    summary: (id: string) => Promise<{ code: string } | null>,
    resume: (id: string, auth: A & { hostKey?: string }) => Promise<R>,
  ) {
    return async (id: string, auth: A & { hostKey?: string }): Promise<R> => {
      const s = await summary(id).catch(() => null);
      if (s && !(await this.claims.claim(s.code, auth.hostKey ?? ''))) {
        throw Object.assign(
          new Error(
            `session ${s.code} is running on another server of this cluster (or is moving there): join it instead`,
          ),
          { code: 'RECORDING_LIVE' },
        );
      }
      try {
        return await resume(id, auth);
      } catch (e) {
        if (s && !this.#rooms?.get(s.code)) this.claims.unclaim(s.code);
        throw e;
      }
    };
  }

  /** Start the loops once the app is built: answer calls, renew leases, look for orphans. */
  async start(o: { rooms: RoomRegistry; app: FastifyInstance; lookups?: RemoteConnectionsOptions['lookups'] }): Promise<void> {
    this.#rooms = o.rooms;
    this.#remotes = new RemoteConnections({
      rooms: o.rooms,
      port: this.#port!,
      config: this.#o.config,
      log: this.#o.log,
      app: () => o.app,
      lookups: o.lookups,
    });
    this.bus.onCall(async (body) => {
      const call = body as OwnerCall;
      // This process holds the lease of a room it is still resuming, so the others send its clients here already: a
      // call about it waits for the room rather than answering "no such session" (which sends a student away).
      const code = roomOfCall(call);
      const taking = code ? this.#taking.get(code) : undefined;
      if (taking) await taking;
      return this.#remotes!.handle(call);
    });
    await this.bus.start();
    // A sid names the process that made it, so the one-machine launcher can send a polling request home.
    const tag = process.env.CLUSTER_WORKER;
    if (tag && this.#io) {
      const engine = this.#io.engine as unknown as { generateId: (req: unknown) => string };
      const base = engine.generateId.bind(engine);
      engine.generateId = (req) => `w${tag}-${base(req)}`;
    }
    await this.#renew();
    const every = (ms: number, f: () => Promise<void>) => {
      const run = () => {
        if (this.#closed) return;
        void f()
          .catch((e: unknown) => this.#o.log.warn({ err: e }, 'cluster upkeep failed'))
          .finally(() => {
            if (!this.#closed) this.#timers.push(setTimeout(run, ms));
          });
      };
      this.#timers.push(setTimeout(run, ms));
    };
    every(this.dir.timings.renewMs, () => this.#renew());
    every(this.dir.timings.scanMs, () => this.#scan());
  }

  /** Renew this process's leases; give up rooms another process holds now; forget ended ones. */
  async #renew(): Promise<void> {
    const rooms = this.#rooms;
    if (!rooms) return;
    for (const room of [...rooms.rooms()]) {
      if (room.status === 'ended' && !this.#released.has(room.code)) {
        this.#released.add(room.code);
        this.#published.delete(room.code);
        await this.dir.release(room.code);
      }
    }
    for (const code of this.#taking.keys()) await this.dir.hold(code);
    // Read the rooms only now, after the awaits above: a change published meanwhile must not be overwritten.
    const live: OwnedRoom[] = [];
    for (const room of rooms.rooms()) if (room.status !== 'ended') live.push(owned(room));
    const lost = await this.dir.renew(live);
    for (const code of lost) await this.#lose(code);
    // Connections forwarded from a process that died will never say goodbye (but a Redis restarted empty has
    // forgotten every live process too, until they renew: see MissingNodes).
    for (const node of this.#remotes?.nodes() ?? []) {
      if (!this.#missing.gone(node, await this.dir.alive(node), performance.now())) continue;
      const n = this.#remotes!.dropNode(node);
      this.#o.log.warn({ node, connections: n }, 'a front process is gone: its connections are dropped');
    }
  }

  /** Another process holds this room's lease now: stop running it here without writing its recording again. */
  async #lose(code: string): Promise<void> {
    this.#published.delete(code);
    const room = this.#rooms?.drop(code);
    if (!room) return;
    this.#o.log.error({ room: code }, 'lease lost to another process: the room stops here');
    await room.abandon();
  }

  /** Take over every orphaned room this process can get the lease of. */
  async #scan(): Promise<void> {
    for (const code of await this.dir.orphans()) await this.takeOver(code);
  }

  /** Resume an orphaned room here. Exactly one process wins each orphan's lease; the others answer false. */
  takeOver(code: string): Promise<boolean> {
    const running = this.#taking.get(code);
    if (running) return running;
    const p = this.#takeOver(code).finally(() => this.#taking.delete(code));
    this.#taking.set(code, p);
    return p;
  }

  async #takeOver(code: string): Promise<boolean> {
    if (this.#closed || this.#rooms?.get(code)) return false;
    const t0 = performance.now();
    if (!(await this.dir.takeLease(code))) return false;
    const rec = await this.dir.record(code);
    if (!rec?.recording) {
      this.#o.log.warn({ room: code }, 'an orphaned room kept no recording: it cannot be resumed');
      await this.dir.release(code);
      return false;
    }
    let wasRunning: boolean;
    try {
      ({ wasRunning } = await this.#o.resume(rec.recording, rec.hostKey));
    } catch (e) {
      this.#o.log.error(
        { room: code, recording: rec.recording, err: e },
        'taking over a room failed: it is closed',
      );
      await this.dir.release(code);
      return false;
    }
    const room = this.#rooms?.get(code);
    if (!room) return false;
    // It was running when its owner died: the class goes on at once (a resume by hand waits for the teacher). The
    // recording decides, not the record in Redis: a start acknowledged just before the crash is in the file, while
    // the record may not have heard of it.
    if (wasRunning && room.status === 'paused') room.resume();
    const ms = Math.round(performance.now() - t0);
    this.takeovers.push({ code, ms });
    this.#o.log.info(
      { room: code, recording: rec.recording, ms, status: room.status },
      'room taken over from a process that died',
    );
    await this.bus.announceMoved(code, this.node);
    return true;
  }

  /**
   * Leaving the cluster on purpose (SIGTERM, a rolling restart): this process's rooms are not ended but handed
   * over. Each stops here without an end line and its lease is dropped, so another process resumes it at its next
   * look for orphans; the clients reconnect there by themselves.
   */
  async handOver(): Promise<void> {
    const rooms = this.#rooms;
    if (!rooms || this.#closed) return;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    for (const room of [...rooms.rooms()]) {
      if (room.status === 'ended') continue;
      rooms.drop(room.code);
      await this.dir.renew([owned(room)]).catch(() => {});
      await room.abandon();
      await this.dir.expire(room.code).catch(() => {});
      this.#o.log.info({ room: room.code }, 'room handed over to the cluster');
    }
    // Dropped transports (not a server disconnect) make clients reconnect by themselves, to another process.
    for (const socket of this.#io?.sockets.sockets.values() ?? []) socket.conn.close();
  }

  /** Clean shutdown: rooms were ended (their leases released by the last renewal or here); stop the loops. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    for (const room of this.#rooms?.rooms() ?? [])
      if (room.status === 'ended') await this.dir.release(room.code).catch(() => {});
    await this.dir.leave().catch(() => {});
    this.bus.close();
    this.#sub.disconnect();
    this.#cmd.disconnect();
    this.#adapterClient.disconnect();
  }
}

function owned(room: Room): OwnedRoom {
  return {
    code: room.code,
    recording: room.meta().recordingId ?? '',
    hostKey: room.hostKey,
    status: room.status,
  };
}
