import type { FrameBatch } from './FrameBatch.ts';
import type { ServerToClientEvents } from '../../shared/protocol/events.ts';

export type ServerEvent = keyof ServerToClientEvents;
export type ServerPayload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

/**
 * How a message reaches a connection. `kept` (the default): reliable, and kept for connection-state recovery, so a
 * connection resumed after a short drop gets what it missed. `volatile`: dropped rather than buffered for a slow
 * client. `live`: reliable while the connection lasts, not kept: for what the receivers rebuild from a snapshot when
 * they attach again after a reconnect (host and projector do on every connect). A `live` message may be encoded and
 * written after `broadcast` returns (behind the frames of the same turn): its payload must not change afterwards.
 */
export type Delivery = 'kept' | 'volatile' | 'live';

/**
 * How a room talks to its connections. The room never imports socket.io: the socket layer implements this port,
 * and tests can implement it in memory. Connections are opaque ids; channels are named groups of them.
 */
export interface RoomPort {
  /** Send to one connection. `volatile`: drop rather than buffer when the client is slow (state frames). */
  send<E extends ServerEvent>(conn: string, event: E, payload: ServerPayload<E>, volatile?: boolean): void;
  /**
   * Send each connection its own volatile `state:frame`, given as its payload's JSON bytes. Ten a second to every
   * student: the socket layer frames a whole tick's of them at once, in place.
   */
  sendFrames(batch: FrameBatch): void;
  /** Send to every connection in a channel, encoding the message once (`delivery`: see Delivery). */
  broadcast<E extends ServerEvent>(channel: string, event: E, payload: ServerPayload<E>, delivery?: Delivery): void;
  join(conn: string, channel: string): void;
  leave(conn: string, channel: string): void;
  /** Close a connection (after the messages already sent to it). */
  disconnect(conn: string): void;
}

/** The minimal logger the room writes to (fastify's pino logger fits). */
export interface RoomLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
