import type { FrameBatch } from '../room/FrameBatch.ts';
import type { Delivery, RoomPort, ServerEvent, ServerPayload } from '../room/port.ts';
import { broadcastLive } from './liveEmit.ts';
import { writeOwnFrames } from './ownFrames.ts';
import type { IoServer } from './types.ts';

/**
 * The RoomPort over socket.io: connections are socket ids, channels are socket.io rooms. Sends go straight to
 * the socket object (cheaper than routing through the adapter); broadcasts encode once per channel.
 */
export class SocketPort implements RoomPort {
  constructor(readonly io: IoServer) {}

  send<E extends ServerEvent>(conn: string, event: E, payload: ServerPayload<E>, volatile = false): void {
    const socket = this.io.sockets.sockets.get(conn);
    if (!socket) return;
    const target = volatile ? socket.volatile : socket;
    (target.emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  sendFrames(batch: FrameBatch): void {
    writeOwnFrames(this.io, batch);
  }

  broadcast<E extends ServerEvent>(channel: string, event: E, payload: ServerPayload<E>, delivery: Delivery = 'kept'): void {
    if (delivery === 'live') return broadcastLive(this.io, channel, event, payload);
    const volatile = delivery === 'volatile';
    // A volatile message to nobody is not encoded (the viewers' delta of a room without host or projector). A
    // reliable one still is: socket.io keeps it for a member who is away and will recover their connection.
    if (volatile && !this.io.sockets.adapter.rooms.get(channel)?.size) return;
    const target = volatile ? this.io.to(channel).volatile : this.io.to(channel);
    (target.emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  join(conn: string, channel: string): void {
    void this.io.sockets.sockets.get(conn)?.join(channel);
  }

  leave(conn: string, channel: string): void {
    void this.io.sockets.sockets.get(conn)?.leave(channel);
  }

  disconnect(conn: string): void {
    this.io.sockets.sockets.get(conn)?.disconnect(true);
  }
}
