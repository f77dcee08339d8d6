import type { Scenario } from '../../shared/scenario/schema.ts';
import type { SessionMeta, SessionStatus } from '../../shared/protocol/views.ts';
import { ErrorCode, fail, type ProtocolError } from '../../shared/protocol/errors.ts';
import { cloneState } from '../../shared/sim/clone.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { RoomGame } from '../game/RoomGame.ts';
import { newSecret, secretHash } from '../util/secrets.ts';
import type { LoopClock, LoopDriver } from './LoopDriver.ts';
import type { ConnInfo, ContinuedSeat, Participant, ResumedSeat } from './participants.ts';
import type { RoomLog, RoomPort } from './port.ts';
import type { RecorderFactory, RoomRecorder } from './recorderPort.ts';
import { Roster } from './Roster.ts';
import { RosterFeed } from './RosterFeed.ts';
import type { LimitRule } from '../limits/LimitStore.ts';
import { TokenBucket } from '../socket/TokenBucket.ts';

export interface RoomOptions {
  code: string;
  scenario: Scenario;
  seed: number;
  speed: number;
  lateJoin: boolean;
  /** Student pods allowed (at most the scenario's). */
  podSlots: number;
  /** The node memory the teacher chose at creation (every built-in round keeps it). */
  nodeMemoryMiB?: number;
  port: RoomPort;
  clock: LoopClock;
  recorders: RecorderFactory;
  log: RoomLog;
  /** Called with each pump's lateness (metrics). */
  onLateness?: (ms: number) => void;
  /** Broadcasts between leaderboard updates (10 = once a second). */
  leaderboardEvery?: number;
  /** Start from this state rather than the scenario's tick 0 ("continue from here"). */
  initialState?: SimState;
  /** Resuming an interrupted session: keep the teacher's host key and seat returning students on their pods. */
  hostKey?: string;
  /** SHA-256 of the owner's teacher key (the session and its recordings are theirs); default: of the host key. */
  ownerHash?: string;
  seats?: readonly ResumedSeat[];
  /** Continuing from a replay's moment: who played each pod then (students take theirs back by name). */
  continuedSeats?: readonly ContinuedSeat[];
  /** Resuming: the game as the recording left it; the room comes back paused in its round (or at its results). */
  game?: RoomGame;
  /** Told after every change of the session's meta (status, recording, …): a cluster publishes what a takeover needs. */
  onMetaChanged?: (code: string) => void;
  /** Per-room limits (docs/security.md); defaults sized for a class of 300. */
  limits?: Partial<RoomLimits>;
}

/** What one room accepts: the protection that does not depend on addresses (a whole class shares one NAT). */
export interface RoomLimits {
  /** Spectators (newcomers once the pods are taken) at most. */
  maxSpectators: number;
  /** New names joining: a bucket of `burst`, refilled at `perSec`. Rejoins with a token are not counted. */
  joins: LimitRule;
  /** Roster changes reach the host at most this often, as one patch. */
  rosterFlushMs: number;
}

export const DEFAULT_ROOM_LIMITS: RoomLimits = { maxSpectators: 300, joins: { burst: 300, perSec: 3 }, rosterFlushMs: 250 };

/**
 * The socket.io-style channels of one room: everyone, host + presenter, students + spectators, hosts, presenters.
 * Spectators have no channel of their own: their frames go out with the students' (`spectatorConns`).
 */
export interface RoomChannels {
  all: string;
  viewers: string;
  players: string;
  hosts: string;
  /** The projector's pages: the tick's events go to them (the host's page shows none; see RoomFraming.broadcast). */
  presenters: string;
}

/**
 * What the parts of one room share: its simulation, status, game, recorder, participants and connections, and the
 * few messages every part sends (session and participant updates). No behaviour of its own beyond those.
 */
export class RoomCore {
  readonly code: string;
  readonly hostKey: string;
  /** The projector's key: presenter:attach needs it (the room code alone is what every student has). */
  readonly presenterKey: string;
  /** SHA-256 of the key that owns this session and its recordings (docs/security.md). */
  readonly ownerHash: string;
  readonly createdAt: number;
  readonly channels: RoomChannels;
  /** The options the room was built with; a round on another scenario replaces `scenario`. */
  o: RoomOptions;
  state: SimState;
  status: SessionStatus = 'lobby';
  locked = false;
  lateJoin: boolean;
  /** Scores, the lesson's phases, questions and bots (docs/game.md). */
  readonly game: RoomGame;
  recorder!: RoomRecorder;
  loop!: LoopDriver;
  readonly roster = new Roster();
  readonly conns = new Map<string, ConnInfo>();
  /** The connections in the viewers' channel (host and presenter): whether a frame needs the viewers' delta. */
  readonly viewerConns = new Set<string>();
  /** The spectators' connections: each gets the tick's shared frame text with the students' frames. */
  readonly spectatorConns = new Set<string>();
  /** Wall time of the last activity (join, command, connection): the registry ends idle rooms. */
  lastActivity: number;
  endedAt: number | null = null;
  /** Whether any connection (host, presenter, student) ever attached: a room nobody attached to expires early. */
  everJoined = false;
  readonly limits: RoomLimits;
  /** New joins this room may still take (per room: it holds however many addresses share a NAT). */
  readonly joinBudget: TokenBucket;
  readonly #rosterFeed: RosterFeed;

  constructor(o: RoomOptions) {
    this.o = o;
    this.code = o.code;
    this.hostKey = o.hostKey ?? newSecret();
    this.presenterKey = newSecret();
    this.ownerHash = o.ownerHash ?? secretHash(this.hostKey);
    this.lateJoin = o.lateJoin;
    this.game = o.game ?? new RoomGame();
    // A resumed round waits for the teacher's Resume, so students have time to come back first.
    const phase = this.game.lesson.phase;
    if (phase !== 'lobby' && phase !== 'ended') this.status = 'paused';
    this.state = o.initialState ? cloneState(o.initialState) : createSimulation(o.scenario, { seed: o.seed });
    this.channels = { all: o.code, viewers: `${o.code}/viewers`, players: `${o.code}/players`, hosts: `${o.code}/hosts`, presenters: `${o.code}/presenters` };
    this.createdAt = o.clock.now();
    this.lastActivity = this.createdAt;
    this.limits = { ...DEFAULT_ROOM_LIMITS, ...o.limits };
    this.joinBudget = new TokenBucket(this.limits.joins.burst, this.limits.joins.perSec, this.createdAt);
    this.#rosterFeed = new RosterFeed(
      () => this.roster.views(),
      (patch) => this.port.broadcast(this.channels.hosts, 'participants:patch', patch),
      (fn, ms) => o.clock.schedule(fn, ms),
      this.limits.rosterFlushMs,
    );
  }

  get port(): RoomPort {
    return this.o.port;
  }
  get log(): RoomLog {
    return this.o.log;
  }

  touch(): void {
    this.lastActivity = this.o.clock.now();
  }

  /** Scores as the framing last published them with the leaderboard (RoomFraming). */
  #published = new Map<string, number>();
  #scoresVersion = 0;

  /**
   * A slot's score by the game's rules, as last published: what the leaderboard, the roster and the pod views all
   * show, so they agree at every moment (G5).
   */
  scoreOf(slot: string): number {
    return this.#published.get(slot) ?? 0;
  }

  publishScores(rows: readonly { slot: string; score: number }[]): void {
    this.#published = new Map(rows.map((r) => [r.slot, r.score]));
    this.#scoresVersion++;
  }

  /** Moves each time scores are published (what `scoreOf` answers may have changed). */
  get scoresVersion(): number {
    return this.#scoresVersion;
  }

  /** Whose answer a participant's is: their slot (the CSV's key), or their id for a spectator. */
  answerKey(p: Participant | null): string | null {
    return p ? (p.slot ?? `spectator:${p.id}`) : null;
  }

  meta(): SessionMeta {
    const { students, spectators } = this.roster.counts();
    const s = this.o.scenario;
    return {
      code: this.code,
      scenario: { name: s.name, title: s.title ?? s.name, description: s.description ?? '' },
      status: this.status,
      speed: this.loop.speed,
      locked: this.locked,
      lateJoin: this.lateJoin,
      students,
      spectators,
      podSlots: this.o.podSlots,
      tick: this.state.tick,
      durationSec: s.durationSec,
      engineeringSec: { ...this.state.node.engineeringSec },
      recordingId: this.recorder.id,
      recording: this.status === 'ended' || this.recorder.writable ? 'ok' : 'unavailable',
    };
  }

  /**
   * Why a change cannot be taken now, or null: the session has ended, or its recording cannot be written (a full
   * disk), in which case nothing may change that the recording would miss.
   */
  refusal(): { ok: false; error: ProtocolError } | null {
    if (this.status === 'ended') return fail(ErrorCode.SESSION_ENDED, 'This session has ended.');
    if (!this.recorder.writable) {
      return fail(
        ErrorCode.RECORDING_UNAVAILABLE,
        'The server cannot save this session right now (its disk is full), so nothing can change. It carries on by itself as soon as it can save again.',
      );
    }
    return null;
  }

  metaChanged(): SessionMeta {
    const m = this.meta();
    this.port.broadcast(this.channels.all, 'session:update', m);
    this.o.onMetaChanged?.(this.code);
    return m;
  }

  /** The roster changed: the host gets the difference with the next coalesced patch. */
  participantsChanged(): void {
    if (this.status !== 'ended') this.#rosterFeed.changed();
  }

  /** The room ended: no more roster patches. */
  closeRosterFeed(): void {
    this.#rosterFeed.close();
  }
}
