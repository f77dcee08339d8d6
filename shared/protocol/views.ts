/**
 * What the server sends: per-role views of a session. Memory figures stay in pages (4 KiB, integers) as in the
 * simulation; the client converts for display (shared/sim/units.ts). Types only: the server builds these in
 * server/room/views.ts, the client renders them.
 */
import type { Dict } from '../util/dict.ts';
import type { GameView } from './gameViews.ts';
import type { PodPatchWire } from './frames.ts';
import type { ContainerStateName, OomConstraint, PendingChange, PodPhase, QosClass, SimEvent, WorkloadSpec } from '../sim/types.ts';

export type Role = 'host' | 'student' | 'spectator' | 'presenter';
export type SessionStatus = 'lobby' | 'running' | 'paused' | 'ended';

/** The session as everyone sees it: status and the host's settings. */
export interface SessionMeta {
  code: string;
  scenario: { name: string; title: string; description: string };
  status: SessionStatus;
  /** Simulated seconds per wall second, 0.5–10. */
  speed: number;
  locked: boolean;
  lateJoin: boolean;
  /** Students holding a pod, connected or not. */
  students: number;
  spectators: number;
  /** How many student pods the node takes; newcomers beyond it watch as spectators. */
  podSlots: number;
  tick: number;
  durationSec: number;
  /** Seconds of engineering before each code change rolls out (the scenario's figures). */
  engineeringSec: Record<'fix_leak' | 'add_backpressure' | 'stream_batch', number>;
  /** The current round's recording (its replay is /replay/<id>), or null when the server keeps no recordings. */
  recordingId: string | null;
  /**
   * 'unavailable' while the recording cannot be written (a full disk on the server): changes are refused and the
   * clock holds until it can write again, by itself.
   */
  recording: 'ok' | 'unavailable';
}

export interface NodeView {
  name: string;
  capacityPages: number;
  reservedPages: number;
  allocatablePages: number;
  /** Sum of the requests of pods bound to the node. */
  requestedPages: number;
  usedPages: number;
  /** memory.available as the kubelet computes it (capacity minus working set). */
  availablePages: number;
  evictionThresholdPages: number;
  swapPages: number;
  swapUsedPages: number;
  memoryPressure: boolean;
  /** Traffic multiplier in thousandths (1000 = normal). */
  trafficMilli: number;
  podCount: number;
}

/** One pod, flat so that a delta can name just the fields that changed. */
export interface PodView {
  name: string;
  slot: string;
  /** The student's nickname, or null for a scenario pod. */
  owner: string | null;
  phase: PodPhase;
  /** 'Evicted' and similar from the pod's status. */
  phaseReason: string | null;
  state: ContainerStateName;
  /** Waiting reason (ContainerCreating, CrashLoopBackOff) or terminated reason (OOMKilled, Error, Completed). */
  reason: string | null;
  restarts: number;
  qos: QosClass;
  requestPages: number | null;
  limitPages: number | null;
  /** The oom_score_adj in effect, and the student's "what if" override (null = the kubelet's value). */
  adj: number;
  adjOverride: number | null;
  /** /proc/PID/oom_score, 0..2000. */
  oomScore: number;
  usagePages: number;
  rssPages: number;
  cachePages: number;
  /** The active part of the cache (the working set counts it; the kubelet may not reclaim it first). */
  cacheActivePages: number;
  workingSetPages: number;
  swapPages: number;
  lastReason: string | null;
  lastExitCode: number | null;
  /** When the last terminated container finished (RESTARTS `4 (25s ago)`), or null before any restart. */
  lastFinishedTick: number | null;
  backoffSec: number;
  restartAtTick: number;
  pending: PendingChange | null;
  served: number;
  dropped: number;
  score: number;
  dying: boolean;
  workload: WorkloadSpec;
}

/** A participant as the host sees it (for kick and ban). */
export interface ParticipantView {
  id: string;
  nickname: string;
  role: Role;
  slot: string | null;
  connected: boolean;
  bot: boolean;
  /** A server bot's strategy (shared/game/strategies.ts), null otherwise. */
  strategy: string | null;
  /** A continued session's pod waiting for its student to take it back (by name, or the teacher's assignment). */
  waiting: boolean;
}

export interface LeaderboardRow {
  rank: number;
  nickname: string;
  slot: string;
  score: number;
  restarts: number;
}

export interface LeaderboardView {
  tick: number;
  rows: LeaderboardRow[];
  /** For a student: their own rank and score (null when they have no pod yet). */
  you: { rank: number; score: number } | null;
}

/**
 * A full view: sent in the join ack, after `state:sync`, and after a reset. `pods` is keyed by pod name; a student
 * gets only their own pod (zero or one entries), the presenter and host get every pod.
 */
export interface Snapshot {
  tick: number;
  session: SessionMeta;
  node: NodeView;
  pods: Dict<PodView>;
  leaderboard: LeaderboardView;
  /** Recent notable events (kills, evictions, back-offs), oldest first, for the kernel log panel. */
  recentEvents: SimEvent[];
  /** Host only. */
  participants?: ParticipantView[];
  /** The game as this connection sees it (absent in views a client builds itself: the demo, a replay). */
  game?: GameView;
  /**
   * The last minute of memory, sampled twice a sim second, for a page that reloaded or came late: the chart
   * shows the kill it missed. A student gets their own pod's columns; host and presenter every pod's usage.
   */
  history?: HistoryView;
}

/** Columns of recent memory (pages), oldest first, all the length of `ticks`. */
export interface HistoryView {
  ticks: number[];
  /** Node memory.available, eviction threshold and used pages at each sample. */
  availablePages: number[];
  thresholdPages: number[];
  usedPages: number[];
  /** Per pod slot: usage (rss + cache) at each sample (0 when the slot had no pod then). */
  usage: Dict<number[]>;
  /** The student's own slot only: RSS, limit and request (null: none) at each sample. */
  mine?: { slot: string; rssPages: number[]; limitPages: (number | null)[]; requestPages: (number | null)[] };
}

/**
 * A per-tick update (volatile: a slow client may miss some). It applies on top of the frame at tick `since`; a
 * client whose last frame is not `since` asks `state:sync` for a fresh snapshot. Fields absent did not change.
 */
export interface Delta {
  t: number;
  since: number;
  node?: Partial<NodeView>;
  /** Pods new to the view, in full. */
  pods?: Dict<PodView>;
  /**
   * Each changed pod's changed fields, under the short keys of a student's frame (`PodPatchWire`, POD_KEYS), without
   * the derived fields: the client merges them with `applyPodPatch`, which rebuilds those. A patch of a pod the
   * client does not have means it missed something: it asks for a snapshot.
   */
  p?: Dict<PodPatchWire>;
  /** Pod names no longer in the view. */
  gone?: string[];
}

/** Reliable batch of simulation events that concern the receiver (its own pod and node-wide events for a student). */
export interface EventsMessage {
  tick: number;
  events: SimEvent[];
}

/** What joining answers with. `token` (students) is the rejoin secret: keep it in the browser, never show it. */
export interface JoinResult {
  protocolVersion: number;
  role: Role;
  participantId: string;
  nickname: string | null;
  slot: string | null;
  token: string | null;
  snapshot: Snapshot;
  /** True when this join re-attached an existing participant (same pod, same name). */
  rejoined: boolean;
  /** The host only: the key the projector attaches with (the "Open presenter" link carries it). */
  presenterKey?: string;
}

export type RemovedReason = 'kicked' | 'banned';
/** `error`: the session stopped after a fault on the server (its recording is kept and can be resumed). */
export type EndReason = 'host' | 'shutdown' | 'idle' | 'error';

export type { OomConstraint };
