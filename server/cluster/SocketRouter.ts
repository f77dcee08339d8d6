import { ErrorCode, fail, type Ack } from '../../shared/protocol/errors.ts';
import { normaliseRoomCode, ROOM_CODE_PATTERN } from '../../shared/protocol/roomCode.ts';
import type { Role } from '../../shared/protocol/views.ts';
import type { RoomLog } from '../room/port.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import type { RemoteSockets } from '../socket/attachSocket.ts';
import type { ConnContext } from '../socket/handlers.ts';
import type { IoSocket } from '../socket/types.ts';
import type { AddressLimit } from './addressLimit.ts';
import type { NodeBus } from './NodeBus.ts';
import type { Bound, EventAnswer, OwnerCall } from './RemoteConnections.ts';
import type { RoomDirectory } from './RoomDirectory.ts';

/** Events a guest sends with a room code: they decide where the connection's room lives. */
const ROUTED = new Set(['host:attach', 'student:join', 'presenter:attach', 'name:suggest']);

interface Binding {
  socket: IoSocket;
  ctx: ConnContext;
  code: string;
  node: string;
  role: Role;
  participantId: string;
  /** Forwarded events of one connection stay in order. */
  chain: Promise<unknown>;
}

export interface SocketRouterOptions {
  rooms: RoomRegistry;
  bus: NodeBus;
  dir: RoomDirectory;
  limit: AddressLimit;
  log: RoomLog;
  /** Take over an orphaned room here; true once it runs in this process. */
  takeOver(code: string): Promise<boolean>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const moving = () =>
  fail(
    ErrorCode.SHUTTING_DOWN,
    "This session's server stopped: the session is moving to another one. Try again in a few seconds.",
  );

/**
 * The front side of a clustered process: a connection whose room runs in another process is bound to that owner,
 * and its events are forwarded there (the owner runs the checkpoint and the room; socket.io's adapter carries the
 * room's messages back). When the owner dies, the process that takes the room over announces it and the bound
 * connections are re-attached there without the client noticing more than a fresh snapshot.
 */
export class SocketRouter implements RemoteSockets {
  readonly #o: SocketRouterOptions;
  readonly #bound = new Map<string, Binding>();

  constructor(o: SocketRouterOptions) {
    this.#o = o;
    o.bus.onMoved((code, node) => this.#moved(code, node));
  }

  get boundCount(): number {
    return this.#bound.size;
  }

  admit(ip: string): Promise<boolean> {
    return this.#o.limit.admit(ip);
  }

  closed(socket: IoSocket, ip: string, admitted: boolean): void {
    if (admitted) this.#o.limit.release(ip);
    const b = this.#bound.get(socket.id);
    if (!b) return;
    this.#bound.delete(socket.id);
    this.#o.bus.tell(b.node, { k: 'detach', conn: socket.id } satisfies OwnerCall);
  }

  intercept(
    socket: IoSocket,
    ctx: ConnContext,
    event: string,
    args: unknown[],
  ): Promise<Ack<unknown> | null> | null {
    const b = this.#bound.get(socket.id);
    if (b) {
      const next = b.chain.then(() => this.#forward(b, event, args));
      b.chain = next.catch(() => {});
      return next;
    }
    if (ctx.room || !ROUTED.has(event)) return null;
    const raw = (args[0] as { code?: unknown } | undefined)?.code;
    if (typeof raw !== 'string') return null;
    const code = normaliseRoomCode(raw);
    if (!ROOM_CODE_PATTERN.test(code) || this.#o.rooms.get(code)) return null;
    return this.#route(
      code,
      (node) => this.#call(node, { k: 'event', conn: socket.id, node: this.#o.bus.node, event, args, ip: socket.handshake.address }),
      socket,
      ctx,
    );
  }

  /** A connection restored by socket.io's recovery whose room is not here: attach it to the room's owner. */
  recovered(socket: IoSocket, ctx: ConnContext): void {
    const d = socket.data;
    if (!d.roomCode || !d.participantId || !d.role) return;
    const bound: Bound = { code: d.roomCode, role: d.role as Role, participantId: d.participantId };
    void this.#route(
      bound.code,
      async (node) => {
        const r = await this.#o.bus.call(node, {
          k: 'reattach',
          conn: socket.id,
          node: this.#o.bus.node,
          ...bound,
        } satisfies OwnerCall);
        if (!r.delivered) return null;
        const ok = (r.value as { ok: boolean }).ok;
        return {
          res: ok ? { ok: true, data: null } : fail(ErrorCode.SESSION_NOT_FOUND, 'The session is gone.'),
          bound: ok ? bound : null,
        };
      },
      socket,
      ctx,
    ).then((res) => {
      // Here after all (this process took the room over): bind as a local recovery does.
      if (res === null) this.#adoptLocal(socket, ctx, bound);
    });
  }

  /**
   * Find the owner of `code` and ask it. Null: the room is (now) in this process, or unknown to the cluster —
   * either way the local handlers answer. Waits out a dead owner's lease, taking the room over when it expires.
   */
  async #route(
    code: string,
    ask: (node: string) => Promise<EventAnswer | null>,
    socket: IoSocket,
    ctx: ConnContext,
  ): Promise<Ack<unknown> | null> {
    const { dir, rooms } = this.#o;
    const deadline = performance.now() + dir.timings.leaseMs * 2 + 5000;
    try {
      while (performance.now() < deadline) {
        if (rooms.get(code)) return null;
        const owner = await dir.owner(code);
        if (owner === dir.node) {
          await sleep(50); // being resumed here: it is in the registry in a moment
          continue;
        }
        if (owner) {
          const answer = await ask(owner);
          if (answer) {
            if (answer.bound) this.#bind(socket, ctx, owner, answer.bound);
            return answer.res;
          }
          await sleep(Math.min(250, dir.timings.renewMs)); // the owner died: its lease runs out soon
          continue;
        }
        if (!(await dir.known(code))) return null;
        if (await this.#o.takeOver(code)) return null;
        await sleep(50);
      }
    } catch (e) {
      this.#o.log.warn({ room: code, err: e }, 'routing to a room owner failed');
      return moving();
    }
    return moving();
  }

  async #call(node: string, call: OwnerCall): Promise<EventAnswer | null> {
    const r = await this.#o.bus.call(node, call);
    return r.delivered ? (r.value as EventAnswer) : null;
  }

  #bind(socket: IoSocket, ctx: ConnContext, node: string, bound: Bound): void {
    if (!socket.connected) {
      this.#o.bus.tell(node, { k: 'detach', conn: socket.id } satisfies OwnerCall);
      return;
    }
    ctx.role = bound.role;
    ctx.participantId = bound.participantId;
    socket.data = { roomCode: bound.code, participantId: bound.participantId, role: bound.role };
    this.#bound.set(socket.id, { socket, ctx, node, ...bound, chain: Promise.resolve() });
  }

  async #forward(b: Binding, event: string, args: unknown[]): Promise<Ack<unknown>> {
    const answer = await this.#call(b.node, {
      k: 'event',
      conn: b.socket.id,
      node: this.#o.bus.node,
      event,
      args,
    }).catch(() => null);
    return answer ? answer.res : moving();
  }

  /** A process took `code` over: re-attach this process's connections of that room to it. */
  #moved(code: string, node: string): void {
    for (const b of [...this.#bound.values()]) {
      if (b.code !== code) continue;
      b.node = node;
      if (node === this.#o.bus.node) {
        this.#bound.delete(b.socket.id);
        this.#adoptLocal(b.socket, b.ctx, b);
        continue;
      }
      b.chain = b.chain
        .then(() =>
          this.#o.bus.call(node, {
            k: 'reattach',
            conn: b.socket.id,
            node: this.#o.bus.node,
            code,
            role: b.role,
            participantId: b.participantId,
          }),
        )
        .catch((e: unknown) => this.#o.log.warn({ room: code, err: e }, 're-attaching a connection failed'));
    }
  }

  #adoptLocal(socket: IoSocket, ctx: ConnContext, bound: Bound): void {
    const room = this.#o.rooms.get(bound.code);
    if (!room || !socket.connected || !room.reattach(socket.id, bound.participantId, bound.role)) return;
    ctx.room = room;
    ctx.role = bound.role;
    ctx.participantId = bound.participantId;
    socket.emit('state:snapshot', room.snapshotFor(socket.id));
  }
}
