import type { StrategyName } from '../../shared/game/strategies.ts';
import type { ParticipantView, Role } from '../../shared/protocol/views.ts';

/** Someone who joined as a student (with a pod) or, once the pods are full, as a spectator. */
export interface Participant {
  id: string;
  nickname: string;
  /** nicknameKey(nickname): what uniqueness and bans compare. */
  key: string;
  role: 'student' | 'spectator';
  slot: string | null;
  /** The rejoin secret the browser keeps. Valid for the life of the session (the rejoin grace period). */
  token: string;
  bot: boolean;
  /** A bot the server plays itself (bots:fill): it has no connection and is never offline. */
  serverBot?: boolean;
  /** A server bot's strategy (the host sees it). */
  strategy?: StrategyName;
  /**
   * A continued session's seat nobody has taken back yet: its pod is in the state, and the student who played it
   * claims it by joining with its name (or the teacher assigns it). It has no token until then.
   */
  waiting?: boolean;
  /** Open connections (a student may have two tabs). */
  conns: Set<string>;
  /** The pod name the student's frames last described: a new name means the pod was replaced. */
  lastPodName: string | null;
  /** The leaderboard place ("rank:score") the student's frames last carried: a frame says it again only when it moves. */
  lastYou?: string;
}

/** A connection's identity within its room. */
export interface ConnInfo {
  role: Role;
  /** null for host and presenter connections. */
  participant: Participant | null;
}

export function participantView(p: Participant): ParticipantView {
  return {
    id: p.id,
    nickname: p.nickname,
    role: p.role,
    slot: p.slot,
    connected: p.conns.size > 0 || p.serverBot === true,
    bot: p.bot,
    strategy: p.strategy ?? null,
    waiting: p.waiting === true,
  };
}

/** A student seated in an interrupted session, from its recording: re-seated when they come back with their token. */
export interface ResumedSeat {
  id: string;
  slot: string | null;
  name: string | null;
  tokenSha256: string | null;
  detail: Record<string, unknown>;
}

/** A seat of the moment a session is continued from: a pod and who played it then (server/sessions/continuedSeats.ts). */
export interface ContinuedSeat {
  slot: string;
  /** The nickname seated on it at that moment: a returning student claims the pod with it. */
  name: string;
  /** A server bot's strategy: the bot plays on at once. Null for a student (or a client-side bot). */
  strategy: StrategyName | null;
}
