import type { IoServer, IoSocket } from './types.ts';

/** An engine.io socket as this module uses it (socket.io's `socket.conn`). */
interface EngineSocket {
  readyState: string;
  write(data: string, options: object): void;
}

/** socket.io's text of an event on the main namespace: packet type 2 (EVENT), then `[event, payload]` as JSON. */
function eventPacketText(event: string, payload: unknown): string {
  return `2${JSON.stringify([event, payload])}`;
}

/**
 * Send a reliable event the way socket.io's own emit does (engine.io's queue, in order with every other message),
 * without keeping it for connection-state recovery: for what a client rebuilds from its snapshot when it attaches
 * again after a reconnect (host and projector re-attach on every connect). `text` is eventPacketText's, encoded once
 * for all the receivers. Listeners of `onAnyOutgoing` (tests, debugging) still see it.
 */
function emitLive(socket: IoSocket, text: string, event: string, payload: unknown): void {
  const eio = socket.conn as unknown as EngineSocket;
  if (!socket.connected || eio.readyState !== 'open') return;
  if (socket.listenersAnyOutgoing().length > 0) {
    (socket as unknown as { notifyOutgoingListeners(p: object): void }).notifyOutgoingListeners({ type: 2, nsp: '/', data: [event, payload] });
  }
  eio.write(text, {});
}

/** A `live` broadcast to this process's members of `channel`: encoded once, written to each by emitLive. */
export function broadcastLive(io: IoServer, channel: string, event: string, payload: unknown): void {
  const members = io.sockets.adapter.rooms.get(channel);
  if (!members?.size) return;
  let text: string | null = null;
  for (const id of members) {
    const socket = io.sockets.sockets.get(id);
    if (socket) emitLive(socket, (text ??= eventPacketText(event, payload)), event, payload);
  }
}
