import type { FastifyInstance, InjectOptions } from 'fastify';
import { dict, type Dict } from '../../shared/util/dict.ts';
import type { Ack } from '../../shared/protocol/errors.ts';
import { normaliseRoomCode } from '../../shared/protocol/roomCode.ts';
import type { Role } from '../../shared/protocol/views.ts';
import type { ServerConfig } from '../config.ts';
import type { RoomLog } from '../room/port.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import type { HttpGuards } from '../http/guards.ts';
import { checkpoint } from '../socket/checkpoint.ts';
import type { ConnContext } from '../socket/handlers.ts';
import { RefusalLog } from '../socket/RefusalLog.ts';
import { TokenBucket } from '../socket/TokenBucket.ts';
import type { ClusterPort } from './ClusterPort.ts';

/** Where a forwarded connection ended up after a call: the front process keeps it for socket.io's recovery. */
export interface Bound {
  code: string;
  role: Role;
  participantId: string;
}

/** What a front process asks of a room's owner. */
export type OwnerCall =
  | { k: 'event'; conn: string; node: string; event: string; args: unknown[]; ip?: string }
  | { k: 'reattach'; conn: string; node: string; code: string; role: Role; participantId: string }
  | { k: 'detach'; conn: string }
  | { k: 'http'; request: InjectOptions };

/** A path about one room (its code is the first segment after /api/sessions/). */
export const SESSION_PATH = /^\/api\/sessions\/([^/?#]+)(?:[/?#]|$)/;

/** The room a call from another process is about, when it names one. */
export function roomOfCall(call: OwnerCall): string | null {
  let raw: unknown;
  if (call.k === 'event') raw = (call.args[0] as { code?: unknown } | undefined)?.code;
  else if (call.k === 'reattach') raw = call.code;
  else if (call.k === 'http') {
    const m = SESSION_PATH.exec(typeof call.request.url === 'string' ? call.request.url : '');
    try {
      raw = m ? decodeURIComponent(m[1]!) : null;
    } catch {
      raw = null;
    }
  }
  return typeof raw === 'string' ? normaliseRoomCode(raw) : null;
}

export interface EventAnswer {
  res: Ack<unknown>;
  bound: Bound | null;
}

export interface HttpAnswer {
  status: number;
  headers: Dict<string>;
  body: string;
}

export interface RemoteConnectionsOptions {
  rooms: RoomRegistry;
  port: ClusterPort;
  config: ServerConfig;
  log: RoomLog;
  app: () => FastifyInstance;
  /**
   * The app's look-up budgets (guessing codes and keys), keyed by the client's address. With the cluster's shared
   * store, a join forwarded here draws on the same budget as one made anywhere else. Without: not limited here.
   */
  lookups?: Pick<HttpGuards, 'mayLookUp' | 'lookupMissed'>;
}

interface Remote {
  ctx: ConnContext;
  node: string;
  messages: TokenBucket;
  offences: TokenBucket;
}

/**
 * The owner's side of connections that live on another process: each gets a ConnContext and its own buckets, and
 * every event goes through the same checkpoint as a local socket's. HTTP requests about a room are answered with
 * `app.inject`, so they pass the same routes, schemas and limits.
 */
export class RemoteConnections {
  readonly #remotes = new Map<string, Remote>();
  readonly #o: RemoteConnectionsOptions;
  readonly #refusals: RefusalLog;

  constructor(o: RemoteConnectionsOptions) {
    this.#o = o;
    this.#refusals = new RefusalLog(o.log, o.config.refusalLogMs);
  }

  async handle(call: OwnerCall): Promise<EventAnswer | HttpAnswer | { ok: boolean } | null> {
    switch (call.k) {
      case 'event':
        return this.#event(call.conn, call.node, call.event, call.args, call.ip);
      case 'reattach':
        return { ok: this.#reattach(call) };
      case 'detach':
        this.detach(call.conn);
        return null;
      case 'http':
        return this.#http(call.request);
    }
  }

  #remote(conn: string, node: string): Remote {
    let r = this.#remotes.get(conn);
    if (!r) {
      const now = performance.now();
      const c = this.#o.config;
      r = {
        ctx: { id: conn, room: null, role: null, participantId: null },
        node,
        messages: new TokenBucket(c.messageBurst, c.messagesPerSec, now),
        offences: new TokenBucket(c.offenceBurst, c.offencesPerSec, now),
      };
      this.#remotes.set(conn, r);
    }
    return r;
  }

  async #event(conn: string, node: string, event: string, args: unknown[], ip?: string): Promise<EventAnswer> {
    const r = this.#remote(conn, node);
    const res = await checkpoint(r.ctx, event, args, {
      rooms: this.#o.rooms,
      log: this.#o.log,
      refusals: this.#refusals,
      takeMessage: () => r.messages.take(performance.now()),
      takeOffence: () => r.offences.take(performance.now()),
      // A code no process owns is answered where the socket is; a wrong key for a room here is charged here, to
      // the client's address, on the budget every process shares.
      mayLookUp: async () => (ip !== undefined && this.#o.lookups ? this.#o.lookups.mayLookUp(ip) : true),
      lookupMissed: async () => (ip !== undefined && this.#o.lookups ? this.#o.lookups.lookupMissed(ip) : undefined),
      onOffender: () => setImmediate(() => this.#o.port.disconnect(conn)),
    });
    const { room, role, participantId } = r.ctx;
    // A guest that did not join (a refused join, a name suggestion) leaves nothing behind here.
    if (!room) this.#remotes.delete(conn);
    return { res, bound: room && role && participantId ? { code: room.code, role, participantId } : null };
  }

  /** A connection whose room moved here (a takeover): bind it again as recovery does, and send it the room. */
  #reattach(c: Extract<OwnerCall, { k: 'reattach' }>): boolean {
    const room = this.#o.rooms.get(c.code);
    if (!room || room.status === 'ended') return false;
    const r = this.#remote(c.conn, c.node);
    if (!room.reattach(c.conn, c.participantId, c.role)) {
      this.#remotes.delete(c.conn);
      return false;
    }
    r.ctx.room = room;
    r.ctx.role = c.role;
    r.ctx.participantId = c.participantId;
    this.#o.port.send(c.conn, 'state:snapshot', room.snapshotFor(c.conn));
    return true;
  }

  detach(conn: string): void {
    const r = this.#remotes.get(conn);
    this.#remotes.delete(conn);
    r?.ctx.room?.detach(conn);
    this.#o.port.forget(conn);
  }

  /** Nodes that hold connections to rooms here (the sweep checks they are alive). */
  nodes(): Set<string> {
    return new Set([...this.#remotes.values()].map((r) => r.node));
  }

  /** A front process died: its connections are gone (their clients reconnect elsewhere). */
  dropNode(node: string): number {
    let n = 0;
    for (const [conn, r] of this.#remotes) {
      if (r.node !== node) continue;
      this.detach(conn);
      n++;
    }
    return n;
  }

  async #http(request: InjectOptions): Promise<HttpAnswer> {
    const res = await this.#o.app().inject(request);
    const headers = dict<string>();
    for (const [k, v] of Object.entries(res.headers)) {
      if (
        v === undefined ||
        k === 'content-length' ||
        k === 'connection' ||
        k === 'transfer-encoding' ||
        k === 'keep-alive'
      )
        continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    return { status: res.statusCode, headers, body: res.body };
  }
}
