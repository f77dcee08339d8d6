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
  /** Open connections (a student may have two tabs). */
  conns: Set<string>;
  /** The pod name the student's frames last described: a new name means the pod was replaced. */
  lastPodName: string | null;
}

/** A connection's identity within its room. */
export interface ConnInfo {
  role: Role;
  /** null for host and presenter connections. */
  participant: Participant | null;
}

export function participantView(p: Participant): ParticipantView {
  return { id: p.id, nickname: p.nickname, role: p.role, slot: p.slot, connected: p.conns.size > 0 || p.serverBot === true, bot: p.bot };
}

/** A student seated in an interrupted session, from its recording: re-seated when they come back with their token. */
export interface ResumedSeat {
  id: string;
  slot: string | null;
  name: string | null;
  tokenSha256: string | null;
  detail: Record<string, unknown>;
}
