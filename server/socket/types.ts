import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../../shared/protocol/events.ts';

/** socket.io typed with the shared event map. */
export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData & { role: string | null }>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData & { role: string | null }>;
