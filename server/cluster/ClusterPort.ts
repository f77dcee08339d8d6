import type { FrameBatch } from '../room/FrameBatch.ts';
import type { Delivery, RoomLog, RoomPort, ServerEvent, ServerPayload } from '../room/port.ts';
import { FrameQueue } from '../socket/FrameQueue.ts';
import { broadcastLive } from '../socket/liveEmit.ts';
import { heldFramesWriter, writeOwnFrames } from '../socket/ownFrames.ts';
import type { IoServer } from '../socket/types.ts';

type Emit = (e: string, p: unknown) => boolean;

/**
 * The RoomPort of a clustered process. A room's connections are socket ids: most are sockets of this process (the
 * launcher routes a room's clients to its owner), the others live on another process and are reached through
 * socket.io's Redis Streams adapter. A room's broadcasts stay in this process (no Redis round trip, no other
 * process decoding them) until one of its connections is remote. Frames are written at the end of the event loop's
 * turn, as SocketPort writes them (FrameQueue), with the `live` messages of the turn in their place behind them.
 */
export class ClusterPort implements RoomPort {
  readonly #io: IoServer;
  /** Remote connections per room code (a channel is `<code>` or `<code>/<group>`). */
  readonly #remote = new Map<string, Set<string>>();
  readonly #roomOf = new Map<string, string>();
  readonly #frames: FrameQueue;
  readonly #writeOwn: (io: IoServer, batch: FrameBatch) => number[];

  /**
   * `writeFrames`: how a batch reaches this process's sockets; returns the places it could not reach (tests replace
   * it). With the default, frames that carry a command's ack go as the room hands the batch over, as in SocketPort.
   */
  constructor(
    io: IoServer,
    log: Pick<RoomLog, 'error'>,
    writeFrames: (io: IoServer, batch: FrameBatch) => number[] = writeOwnFrames,
  ) {
    this.#io = io;
    this.#writeOwn = writeFrames;
    this.#frames = new FrameQueue((batch) => this.#writeFrames(batch), log, heldFramesWriter(io, writeFrames));
  }

  #local(conn: string) {
    return this.#io.sockets.sockets.get(conn);
  }

  send<E extends ServerEvent>(conn: string, event: E, payload: ServerPayload<E>, volatile = false): void {
    this.#frames.flush();
    if (this.#local(conn)) {
      // Local, not socket.emit: on the Redis Streams adapter every emit is first written to the stream, and every
      // other process reads and decodes it, for a socket that lives here.
      const to = this.#io.local.to(conn);
      ((volatile ? to.volatile : to).emit as Emit)(event, payload);
    } else if (this.#roomOf.has(conn)) {
      const to = this.#io.to(conn);
      ((volatile ? to.volatile : to).emit as Emit)(event, payload);
    }
  }

  sendFrames(batch: FrameBatch): void {
    this.#frames.add(batch);
  }

  #writeFrames(batch: FrameBatch): void {
    const elsewhere = this.#writeOwn(this.#io, batch);
    // A remote connection's frame goes through the adapter as an object (rare: clients are routed to their room's owner).
    for (const i of elsewhere) {
      const conn = batch.conns[i]!;
      if (this.#roomOf.has(conn)) (this.#io.to(conn).volatile.emit as Emit)(batch.events[i]!, JSON.parse(batch.text(i)));
    }
  }

  broadcast<E extends ServerEvent>(
    channel: string,
    event: E,
    payload: ServerPayload<E>,
    delivery: Delivery = 'kept',
  ): void {
    const code = channel.split('/', 1)[0]!;
    const remote = this.#remote.get(code)?.size;
    // `live` to this process's sockets when the room has no remote connection, waiting behind the frames as in
    // SocketPort; through the adapter (kept) otherwise.
    if (delivery === 'live' && !remote) return this.#frames.after(() => broadcastLive(this.#io, channel, event, payload));
    this.#frames.flush();
    const volatile = delivery === 'volatile';
    // As in SocketPort: a volatile message to nobody is not encoded; a reliable one is kept for recovery.
    if (volatile && !remote && !this.#io.sockets.adapter.rooms.get(channel)?.size) return;
    const to = remote ? this.#io.to(channel) : this.#io.local.to(channel);
    ((volatile ? to.volatile : to).emit as Emit)(event, payload);
  }

  join(conn: string, channel: string): void {
    // A message waiting behind the frames goes to the channel's members as they were when it was sent.
    this.#frames.flush();
    const socket = this.#local(conn);
    if (socket) {
      void socket.join(channel);
      return;
    }
    const code = channel.split('/', 1)[0]!;
    let set = this.#remote.get(code);
    if (!set) this.#remote.set(code, (set = new Set()));
    set.add(conn);
    this.#roomOf.set(conn, code);
    this.#io.in(conn).socketsJoin(channel);
  }

  leave(conn: string, channel: string): void {
    this.#frames.flush();
    const socket = this.#local(conn);
    if (socket) void socket.leave(channel);
    else if (this.#roomOf.has(conn)) this.#io.in(conn).socketsLeave(channel);
  }

  disconnect(conn: string): void {
    this.#frames.flush();
    const socket = this.#local(conn);
    if (socket) socket.disconnect(true);
    else if (this.#roomOf.has(conn)) this.#io.in(conn).disconnectSockets(true);
  }

  /** A remote connection is gone (closed, or its process died): broadcasts may stay local again. */
  forget(conn: string): void {
    const code = this.#roomOf.get(conn);
    if (code === undefined) return;
    this.#roomOf.delete(conn);
    const set = this.#remote.get(code);
    set?.delete(conn);
    if (set && set.size === 0) this.#remote.delete(code);
  }

  /** Remote connections across every room (metrics, tests). */
  get remoteCount(): number {
    return this.#roomOf.size;
  }
}
