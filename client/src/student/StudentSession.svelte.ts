import type uPlot from 'uplot';
import type { PodCommandBody } from '../../../shared/schemas/commands.ts';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version.ts';
import type { JoinResult, PodView, Role, SessionStatus, Snapshot } from '../../../shared/protocol/views.ts';
import type { OomKillEvent, SimEvent } from '../../../shared/sim/types.ts';
import { pagesToMiB, ticksToSec } from '../../../shared/sim/units.ts';
import { SeriesRing } from '../charts/SeriesRing.ts';
import { Connection } from '../lib/Connection.svelte.ts';
import { RoomMirror } from '../lib/RoomMirror.svelte.ts';
import { GameMirror } from '../game/GameMirror.svelte.ts';
import { request, resyncer, type AppSocket } from '../lib/wire.ts';
import { errorText } from '../lib/errors.ts';
import type { SendResult } from './commandTypes.ts';

type Explained = OomKillEvent | Extract<SimEvent, { type: 'evicted' }>;

export interface Identity {
  participantId: string;
  token: string;
  name: string;
}

const KEY = (code: string) => `oom-arena:student:${code}`;

/** The identity saved for a room on this device: a reload (or a phone that dropped the tab) comes back to the same pod. */
export function savedIdentity(code: string): Identity | null {
  try {
    const raw = localStorage.getItem(KEY(code));
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Identity>;
    return typeof v.token === 'string' && typeof v.name === 'string' && typeof v.participantId === 'string'
      ? (v as Identity)
      : null;
  } catch {
    return null;
  }
}
function saveIdentity(code: string, id: Identity | null): void {
  try {
    if (id) localStorage.setItem(KEY(code), JSON.stringify(id));
    else localStorage.removeItem(KEY(code));
  } catch {
    // Private browsing: the session still works until the tab closes.
  }
}

/** Chart window: 60 s of sim time at 10 samples per second. */
const HISTORY = 600;

export type SeatPhase = 'connecting' | 'joined' | 'gone';

/**
 * A student's seat in a room: the socket, their pod and everything the console shows. The class is the only writer
 * of its state; views read it and call methods.
 */
export class StudentSession {
  readonly code: string;
  readonly conn = new Connection<AppSocket>();
  readonly room = new RoomMirror();
  /** Questions, reveals and the post-mortem card. */
  readonly game = new GameMirror(this.conn.socket);
  #identity = $state<Identity | null>(null);
  #role = $state<Role>('student');
  #phase = $state<SeatPhase>('connecting');
  #goneReason = $state<string | null>(null);
  #banned = $state(false);
  #resync = resyncer(() => this.conn.socket, (s) => this.#applySnapshot(s));

  /** The last kill or eviction of my pod (or the last global OOM), explained until the next one. */
  explained = $state.raw<Explained | null>(null);
  /** The tick my container last terminated (for RESTARTS `4 (25s ago)`), -1 unknown. */
  lastFinishedTick = $state(-1);

  #mem = new SeriesRing(4, HISTORY);
  #free = new SeriesRing(2, HISTORY);
  /** x, usage (rss + cache), rss, limit, request (MiB): fixed-length columns, replaced as a whole per frame. */
  memData = $state.raw<uPlot.AlignedData>(this.#mem.view());
  /** x, node free, eviction threshold (MiB). */
  freeData = $state.raw<uPlot.AlignedData>(this.#free.view());

  constructor(code: string, identity: Identity | null) {
    this.code = code;
    this.conn.route(code);
    this.#identity = identity;
    const s = this.conn.socket;
    let first = true;
    s.on('connect', () => {
      // The first connection joins from join(); later ones re-attach, unless socket.io recovered the session.
      if (first) {
        first = false;
        return;
      }
      if (s.recovered) void this.#resync();
      else if (this.#identity) void this.#attach({ token: this.#identity.token });
    });
    s.on('state:snapshot', (snap) => this.#applySnapshot(snap));
    s.on('state:frame', (f) => {
      if (this.room.applyFrame(f)) {
        this.#sample();
        // My pod's events come in its frame (a lost frame is resynced, and the snapshot brings them again).
        if (f.e) this.#events(f.e);
      } else void this.#resync();
    });
    // The node's own events (memory pressure, traffic) come to every phone as one broadcast.
    s.on('sim:events', (m) => this.#events(m.events));
    s.on('leaderboard:update', (b) => this.room.applyLeaderboard(b));
    s.on('session:update', (m) => this.room.setSession(m));
    s.on('participant:removed', (info) => {
      this.#banned = info.reason === 'banned';
      this.#leave(
        info.message ||
          (this.#banned
            ? 'The teacher removed you from this session.'
            : 'The teacher removed you from this session. You can join again.'),
      );
    });
    s.on('session:ended', (info) => {
      this.room.setSession({ ...this.room.session!, status: 'ended' });
      this.#goneReason = info.message;
    });
  }

  get identity(): Identity | null {
    return this.#identity;
  }
  get phase(): SeatPhase {
    return this.#phase;
  }
  get goneReason(): string | null {
    return this.#goneReason;
  }
  /** Banned students are not offered "Join again". */
  get banned(): boolean {
    return this.#banned;
  }
  /** 'spectator' when the node had no pod left for this student. */
  get role(): Role {
    return this.#role;
  }
  get status(): SessionStatus {
    return this.room.session?.status ?? 'lobby';
  }
  get tick(): number {
    return this.room.tick;
  }
  /** My pod (a student sees only their own). */
  get pod(): PodView | null {
    return this.room.pods[0] ?? null;
  }

  /** Connect and join with a nickname (a new seat) or a token (my seat, after a reload). */
  async join(
    req: { nickname: string } | { token: string },
  ): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    this.conn.connect();
    return this.#attach(req);
  }

  async #attach(req: { nickname: string } | { token: string }) {
    const r = await request(this.conn.socket, 'student:join', {
      v: PROTOCOL_VERSION,
      code: this.code,
      ...req,
    });
    if (!r.ok) {
      if (
        'token' in req &&
        (r.error.code === 'BAD_TOKEN' ||
          r.error.code === 'BANNED' ||
          r.error.code === 'SESSION_NOT_FOUND' ||
          r.error.code === 'SESSION_ENDED')
      ) {
        this.#banned = r.error.code === 'BANNED';
        this.#leave(errorText(r.error));
      }
      return { ok: false as const, code: r.error.code, message: errorText(r.error) };
    }
    this.#joined(r.data);
    return { ok: true as const };
  }

  #joined(j: JoinResult): void {
    this.#role = j.role;
    if (j.token) {
      this.#identity = { participantId: j.participantId, token: j.token, name: j.nickname ?? '' };
      saveIdentity(this.code, this.#identity);
    }
    this.#phase = 'joined';
    this.#applySnapshot(j.snapshot);
  }


  #applySnapshot(snap: Snapshot): void {
    if (snap.tick < this.room.tick) this.#clearHistory();
    this.room.applySnapshot(snap);
    this.game.set(snap.game);
    this.#events(snap.recentEvents);
    this.#fillHistory(snap);
    this.#sample();
  }

  /** A reloaded or late page: the server's last minute fills the empty charts (the kill it missed is on them). */
  #fillHistory(snap: Snapshot): void {
    const h = snap.history;
    if (!h || this.#free.length > 0) return;
    const mine = h.mine;
    const usage = mine ? h.usage[mine.slot] : undefined;
    for (let j = 0; j < h.ticks.length; j++) {
      if (h.ticks[j]! >= snap.tick) break;
      const x = ticksToSec(h.ticks[j]!);
      if (mine && usage && this.pod?.slot === mine.slot)
        this.#mem.push(x, [
          pagesToMiB(usage[j]!),
          pagesToMiB(mine.rssPages[j]!),
          pagesToMiB(mine.limitPages[j] ?? 0),
          pagesToMiB(mine.requestPages[j] ?? 0),
        ]);
      this.#free.push(x, [pagesToMiB(Math.max(0, h.availablePages[j]!)), pagesToMiB(h.thresholdPages[j]!)]);
    }
  }

  #clearHistory(): void {
    this.#mem.clear();
    this.#free.clear();
    this.explained = null;
    this.lastFinishedTick = -1;
  }

  #events(events: readonly SimEvent[]): void {
    const mySlot = this.pod?.slot ?? null;
    for (const e of events) {
      if (e.type === 'oom_kill' && (e.slot === mySlot || e.constraint !== 'memcg')) this.explained = e;
      else if (e.type === 'evicted' && e.slot === mySlot) this.explained = e;
      if (e.type === 'terminated' && e.slot === mySlot)
        this.lastFinishedTick = Math.max(this.lastFinishedTick, e.tick);
    }
  }

  /** One chart sample per frame received. */
  #sample(): void {
    const node = this.room.node;
    if (!node) return;
    const x = ticksToSec(this.room.tick);
    const p = this.pod;
    if (p) {
      this.#mem.push(x, [
        pagesToMiB(p.usagePages),
        pagesToMiB(p.rssPages),
        pagesToMiB(p.limitPages ?? 0),
        pagesToMiB(p.requestPages ?? 0),
      ]);
      this.memData = this.#mem.view();
    }
    this.#free.push(x, [
      pagesToMiB(Math.max(0, node.availablePages)),
      pagesToMiB(node.evictionThresholdPages),
    ]);
    this.freeData = this.#free.view();
  }

  #leave(reason: string): void {
    this.#phase = 'gone';
    this.#goneReason = reason;
    saveIdentity(this.code, null);
    this.conn.stop();
  }

  /** After leaving: give the seat up so /join/CODE shows the form again. */
  forget(): void {
    saveIdentity(this.code, null);
    if (current === this) current = null;
    this.close();
    seats.version++;
  }

  /** Send one command for my pod; the answer says whether the simulation accepted it, and if not, why. */
  async send(command: PodCommandBody): Promise<SendResult> {
    const r = await request(this.conn.socket, 'pod:command', { command });
    return r.ok ? { ok: true } : { ok: false, message: errorText(r.error) };
  }

  close(): void {
    this.conn.close();
  }
}

/** The session a join created, handed to the console so it does not connect twice. */
let current: StudentSession | null = null;

/** Bumped whenever a seat is taken or given up, so the router re-decides between the join form and the console. */
export const seats = $state({ version: 0 });

/** Whether this browser holds a seat in the room (then /join/CODE shows the console). */
export function hasSeat(code: string): boolean {
  void seats.version;
  return current?.code === code || savedIdentity(code) !== null;
}

export type JoinOutcome = { ok: true } | { ok: false; code: string; message: string };

/** Join a room with a nickname; on success the console (/play/CODE) picks up this session. */
export async function joinSession(code: string, nickname: string): Promise<JoinOutcome> {
  if (current) {
    current.close();
    current = null;
  }
  const s = new StudentSession(code, null);
  const r = await s.join({ nickname });
  if (!r.ok) {
    s.close();
    return r;
  }
  current = s;
  seats.version++;
  return r;
}

/** The console's session for a room: the one the join page opened, or my saved seat after a reload. */
export function sessionFor(code: string): StudentSession | null {
  if (current?.code === code) return current;
  current?.close();
  current = null;
  const id = savedIdentity(code);
  if (!id) return null;
  const s = new StudentSession(code, id);
  void s.join({ token: id.token });
  current = s;
  return s;
}

/** Forget the console's session (when its page unmounts for good). */
export function releaseSession(s: StudentSession): void {
  if (current === s) current = null;
  s.close();
}
