import type { FrameBatch } from '../room/FrameBatch.ts';
import type { Delivery, RoomLog, RoomPort, ServerEvent, ServerPayload } from '../room/port.ts';
import { FrameQueue } from './FrameQueue.ts';
import { broadcastLive } from './liveEmit.ts';
import { heldFramesWriter, writeOwnFrames } from './ownFrames.ts';
import type { IoServer } from './types.ts';

/**
 * The RoomPort over socket.io: connections are socket ids, channels are socket.io rooms. Sends go straight to
 * the socket object (cheaper than routing through the adapter); broadcasts encode once per channel. Frame batches
 * are written at the end of the event loop's turn, with those of every room that ticked in it (FrameQueue); any
 * other message goes after the frames handed over before it (`live` ones wait behind them, the rest write them first).
 */
export class SocketPort implements RoomPort {
  readonly #frames: FrameQueue;

  /**
   * `writeFrames`: how a batch reaches its sockets (tests replace it); with the default, a batch's frames that carry
   * a command's ack go as the room hands it over (writeHeldFrames), the rest at the end of the turn.
   */
  constructor(
    readonly io: IoServer,
    log: Pick<RoomLog, 'error'>,
    writeFrames: (io: IoServer, batch: FrameBatch) => unknown = writeOwnFrames,
  ) {
    this.#frames = new FrameQueue((batch) => writeFrames(io, batch), log, heldFramesWriter(io, writeFrames));
  }

  send<E extends ServerEvent>(conn: string, event: E, payload: ServerPayload<E>, volatile = false): void {
    this.#frames.flush();
    const socket = this.io.sockets.sockets.get(conn);
    if (!socket) return;
    const target = volatile ? socket.volatile : socket;
    (target.emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  sendFrames(batch: FrameBatch): void {
    this.#frames.add(batch);
  }

  broadcast<E extends ServerEvent>(channel: string, event: E, payload: ServerPayload<E>, delivery: Delivery = 'kept'): void {
    // `live` (events to the projector, the board to host and projector: after nearly every frame) waits in its place
    // behind the frames; the rest goes now, after them.
    if (delivery === 'live') return this.#frames.after(() => broadcastLive(this.io, channel, event, payload));
    this.#frames.flush();
    const volatile = delivery === 'volatile';
    // A volatile message to nobody is not encoded (the viewers' delta of a room without host or projector). A
    // reliable one still is: socket.io keeps it for a member who is away and will recover their connection.
    if (volatile && !this.io.sockets.adapter.rooms.get(channel)?.size) return;
    const target = volatile ? this.io.to(channel).volatile : this.io.to(channel);
    (target.emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  join(conn: string, channel: string): void {
    // A message waiting behind the frames goes to the channel's members as they were when it was sent.
    this.#frames.flush();
    void this.io.sockets.sockets.get(conn)?.join(channel);
  }

  leave(conn: string, channel: string): void {
    this.#frames.flush();
    void this.io.sockets.sockets.get(conn)?.leave(channel);
  }

  disconnect(conn: string): void {
    this.#frames.flush();
    this.io.sockets.sockets.get(conn)?.disconnect(true);
  }
}
