/**
 * The typed event map shared by server and client (`Server<ClientToServerEvents, ServerToClientEvents>` and
 * `Socket<ServerToClientEvents, ClientToServerEvents>`). Payload types come from the zod schemas; every
 * client event takes a payload and an ack callback. Types are hints only: the server validates at runtime.
 */
import type { Ack } from './errors.ts';
import type { LeaderboardWire, StudentFrame } from './frames.ts';
import type { GameView } from './gameViews.ts';
import type { ClientEventName, ClientPayload } from './schemas.ts';
import type {
  Delta,
  EndReason,
  EventsMessage,
  JoinResult,
  ParticipantView,
  RemovedReason,
  SessionMeta,
  Snapshot,
} from './views.ts';

/** What each client event's ack carries on success. */
export interface ClientEventResults {
  'host:attach': JoinResult;
  'student:join': JoinResult;
  'presenter:attach': JoinResult;
  'name:suggest': { nickname: string };
  'state:sync': Snapshot;
  /** The tick the command is applied at (it is queued and applied at the next tick boundary, in arrival order). */
  'pod:command': { tick: number };
  'session:start': SessionMeta;
  'session:pause': SessionMeta;
  'session:resume': SessionMeta;
  'session:reset': SessionMeta;
  'session:end': SessionMeta;
  'session:speed': SessionMeta;
  'room:lock': SessionMeta;
  'room:lateJoin': SessionMeta;
  'participant:kick': { id: string };
  'participant:ban': { id: string };
  'scenario:inject': { tick: number };
  'round:start': GameView;
  'round:end': GameView;
  'round:resume': GameView;
  'question:ask': GameView;
  'question:reveal': GameView;
  /** The choice recorded (a later answer replaces it until the reveal). */
  'question:answer': { choice: string };
  /** How many bots joined. */
  'bots:fill': { added: number };
  'seats:assign': { slot: string; participant: string };
  /** How many waiting pods went to bots or were removed. */
  'seats:release': { released: number };
  /** How many bots left. */
  'bots:remove': { removed: number };
}

export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: ClientPayload<E>, ack: (res: Ack<ClientEventResults[E]>) => void) => void;
};

export interface ServerToClientEvents {
  /** A full view (reliable): after a reset, or when the server decides a client must resync. */
  'state:snapshot': (snapshot: Snapshot) => void;
  /** Host and presenter: per-broadcast changes of every pod (volatile, ≤ 10 per second, one broadcast per room). */
  'state:delta': (delta: Delta) => void;
  /** Students and spectators: the compact per-tick frame (volatile, ≤ 10 per second; shared/protocol/frames.ts). */
  'state:frame': (frame: StudentFrame) => void;
  /**
   * Simulation events (reliable): every one to host and presenter, the node-wide ones (memory pressure, traffic) to
   * every phone. A student's own events ride in their frames (`StudentFrame.e`).
   */
  'sim:events': (msg: EventsMessage) => void;
  /** The room's top rows, one broadcast for everyone, at most once a second and only when they changed. */
  'leaderboard:update': (board: LeaderboardWire) => void;
  /** Status or settings changed (reliable). */
  'session:update': (meta: SessionMeta) => void;
  /**
   * Host only: who changed in the room since the last patch (joined, left, reconnected): upsert `set` by id, drop
   * `gone`. Coalesced (a few a second at most); the host's snapshot carries the whole roster.
   */
  'participants:patch': (patch: { set: ParticipantView[]; gone: string[] }) => void;
  /** This connection was kicked (may rejoin) or banned (may not); the server disconnects it next. */
  'participant:removed': (info: { reason: RemovedReason; message: string }) => void;
  'session:ended': (info: { reason: EndReason; message: string }) => void;
  /** The game's phase, open question, reveal, podium or post-mortem card changed (reliable, per role). */
  'game:update': (game: GameView) => void;
  /** A message that arrived without an ack callback was refused. */
  'client:error': (error: { event: string; code: string; message: string }) => void;
  /**
   * Nothing to act on: a reliable message kept for connection-state recovery, which resumes a dropped connection
   * only from the last kept message it received. Sent once a connection has joined, then to everyone once a minute.
   */
  'connection:mark': () => void;
}

/** What the server keeps on each socket (restored by connection state recovery). */
export interface SocketData {
  roomCode: string | null;
  participantId: string | null;
}
