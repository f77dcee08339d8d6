import type { RoomGame } from '../game/RoomGame.ts';
import type { ContinuedSeat, ResumedSeat } from './participants.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { newRoomCode, newSecret } from '../util/secrets.ts';
import type { LoopClock } from './LoopDriver.ts';
import type { RoomLog, RoomPort } from './port.ts';
import type { RecorderFactory } from './recorderPort.ts';
import { podSlotsFor, Room } from './Room.ts';
import type { RoomLimits } from './RoomCore.ts';

export interface RegistryOptions {
  port: RoomPort;
  clock: LoopClock;
  recorders: RecorderFactory;
  log: RoomLog;
  maxSessions: number;
  endedTtlMs: number;
  idleMs: number;
  /** A room no connection ever attached to (made and abandoned, or made by a script) ends this long after it was made. */
  unjoinedTtlMs?: number;
  /** Each room's own limits (spectators, joins a minute, roster patches). */
  roomLimits?: Partial<RoomLimits>;
  onLateness?: (ms: number) => void;
  /** Clustered: room codes are claimed cluster-wide before a room opens (server/cluster/). */
  claims?: RoomClaims;
}

/** Where room codes are reserved across processes: a code is claimed before its room exists here. */
export interface RoomClaims {
  /** Reserve `code` for a room of this process; false when it is in use anywhere. */
  claim(code: string, hostKey: string): Promise<boolean>;
  /** The room exists now: publish what a takeover needs (its recording). */
  opened(room: Room): void;
  /** The room's status or recording may have changed: publish it now, not at the next renewal. */
  changed(code: string): void;
  /** The room will not open after all. */
  unclaim(code: string): void;
}

export interface NewSession {
  scenario: Scenario;
  seed?: number;
  speed: number;
  lateJoin: boolean;
  maxStudents?: number;
  /** The node memory the teacher chose at creation: every later built-in round keeps it. */
  nodeMemoryMiB?: number;
  /** Start from this state instead of the scenario's tick 0 ("continue from here" in a replay). */
  initialState?: SimState;
  /** Keep this code (resuming an interrupted session); must not be in use. */
  code?: string;
  /** Resuming: the teacher's original host key, and the students to seat again on their pods. */
  hostKey?: string;
  /** SHA-256 of the owner's teacher key (default: of the host key). */
  ownerHash?: string;
  seats?: readonly ResumedSeat[];
  /** Continuing from a replay's moment: who played each pod then. */
  continuedSeats?: readonly ContinuedSeat[];
  /** Resuming: the game as the recording left it (server/game/GameRestorer.ts). */
  game?: RoomGame;
}

/** The server's live sessions by room code, with the session cap and the clean-up of ended and idle rooms. */
export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();
  readonly #o: RegistryOptions;
  #sweeper: (() => void) | null = null;

  constructor(o: RegistryOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#rooms.size;
  }

  get liveCount(): number {
    let n = 0;
    for (const r of this.#rooms.values()) if (r.status !== 'ended') n++;
    return n;
  }

  get(code: string): Room | undefined {
    return this.#rooms.get(code);
  }

  rooms(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  /**
   * A new session with a code unique across the cluster (claimed first when clustered), or null when the server
   * runs its maximum or the asked-for code is in use. Every route that opens a room goes through here.
   */
  async open(s: NewSession): Promise<Room | null> {
    const claims = this.#o.claims;
    if (!claims) return this.create(s);
    const hostKey = s.hostKey ?? newSecret();
    for (let attempt = 0; attempt < 20; attempt++) {
      if (this.liveCount >= this.#o.maxSessions) return null;
      const code = s.code ?? newRoomCode();
      if (this.#rooms.has(code) || !(await claims.claim(code, hostKey))) {
        if (s.code) return null;
        continue;
      }
      const room = this.create({ ...s, code, hostKey });
      if (room) claims.opened(room);
      else claims.unclaim(code);
      return room;
    }
    return null;
  }

  /**
   * Forget a room without ending it: another process owns it now (its lease was lost), so its recording must not
   * be written here again.
   */
  drop(code: string): Room | undefined {
    const room = this.#rooms.get(code);
    this.#rooms.delete(code);
    return room;
  }

  /** A new session, or null when the server already runs its maximum. Synchronous: single-process callers. */
  create(s: NewSession): Room | null {
    if (this.liveCount >= this.#o.maxSessions) return null;
    let code = s.code ?? newRoomCode();
    // A resumed session keeps its code: free unless a live room holds it (an ended one is only remembered).
    if (s.code && this.#rooms.has(s.code) && this.#rooms.get(s.code)!.status !== 'ended') return null;
    while (this.#rooms.has(code)) code = newRoomCode();
    const room = new Room({
      code,
      scenario: s.scenario,
      seed: s.seed ?? s.initialState?.seed ?? s.scenario.seed ?? 42,
      speed: s.speed,
      lateJoin: s.lateJoin,
      podSlots: podSlotsFor(s.scenario, s.maxStudents),
      nodeMemoryMiB: s.nodeMemoryMiB,
      port: this.#o.port,
      clock: this.#o.clock,
      recorders: this.#o.recorders,
      log: this.#o.log,
      onLateness: this.#o.onLateness,
      initialState: s.initialState,
      hostKey: s.hostKey,
      ownerHash: s.ownerHash,
      seats: s.seats,
      continuedSeats: s.continuedSeats,
      game: s.game,
      ...(this.#o.claims ? { onMetaChanged: (c: string) => this.#o.claims!.changed(c) } : {}),
      limits: this.#o.roomLimits,
    });
    this.#rooms.set(code, room);
    this.#o.log.info({ room: code, scenario: s.scenario.name }, 'session created');
    return room;
  }

  /** End idle rooms and forget rooms that ended long ago. Runs every minute once started. */
  async sweep(): Promise<void> {
    const now = this.#o.clock.now();
    for (const [code, room] of this.#rooms) {
      if (room.status === 'ended') {
        if (room.endedAt !== null && now - room.endedAt > this.#o.endedTtlMs) this.#rooms.delete(code);
      } else if (!room.everJoined && now - room.createdAt > (this.#o.unjoinedTtlMs ?? this.#o.idleMs)) {
        // Nobody ever came: it only held a place under the session cap (defect 7: 50 empty rooms blocked teachers).
        await room.end('idle');
      } else if (room.connectionCount === 0 && now - room.lastActivity > this.#o.idleMs) {
        // One room failing to end must not stop the sweep of the others.
        await room.end('idle').catch((e: unknown) => room.fail(e));
      }
    }
  }

  startSweeping(everyMs = 60_000): void {
    const tick = () => {
      void this.sweep().finally(() => {
        if (this.#sweeper) this.#sweeper = this.#o.clock.schedule(tick, everyMs);
      });
    };
    this.#sweeper = this.#o.clock.schedule(tick, everyMs);
  }

  /** Server shutdown: end every live session (clients are told, recordings closed). */
  async closeAll(): Promise<void> {
    this.#sweeper?.();
    this.#sweeper = null;
    await Promise.all(
      [...this.#rooms.values()].filter((r) => r.status !== 'ended').map((r) => r.end('shutdown').catch((e: unknown) => r.fail(e))),
    );
  }
}
