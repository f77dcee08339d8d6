import { PROTOCOL_VERSION } from '../../../shared/protocol/version.ts';
import { ErrorCode, fail, type Ack, type ProtocolError } from '../../../shared/protocol/errors.ts';
import type {
  CreateSessionRequest,
  CreateSessionResponse,
  InjectKind,
  StartRoundFromFileRequest,
} from '../../../shared/protocol/schemas.ts';
import type { EndReason, ParticipantView, SessionStatus, Snapshot } from '../../../shared/protocol/views.ts';
import { Connection } from '../lib/Connection.svelte.ts';
import { RoomMirror } from '../lib/RoomMirror.svelte.ts';
import { GameMirror } from '../game/GameMirror.svelte.ts';
import { podViewStatus } from '../lib/podView.ts';
import { errorText } from '../lib/errors.ts';
import { request, resyncer, type AppSocket } from '../lib/wire.ts';
import { teacherAuth } from '../lib/teacherKey.ts';

/** The built-in scenarios a teacher can pick (names match shared/scenario/builtin). */
export const SCENARIOS = [
  {
    name: 'classroom',
    title: 'Classroom: a pod per student',
    blurb: 'Every student gets a small web service with a slow leak and a periodic batch on a 16 GiB node.',
  },
  {
    name: 'worked-example',
    title: 'The worked example: 700 MiB batch vs 512 MiB limit',
    blurb: 'The seed’s example: OOMKilled at about 8 s, then CrashLoopBackOff.',
  },
  {
    name: 'leak',
    title: 'The leak: raising the limit only moves the line',
    blurb: 'A leaking API: a bigger limit buys time, not a fix.',
  },
  {
    name: 'noisy-neighbour',
    title: 'The noisy neighbour: killed under your own limit',
    blurb: 'A global OOM kills a pod that stayed within its limit.',
  },
  {
    name: 'eviction',
    title: 'Eviction: the kubelet steps in first',
    blurb: 'Node pressure: the kubelet evicts one pod every 10 s before the kernel has to kill.',
  },
  {
    name: 'besteffort-surprise',
    title: 'The BestEffort surprise',
    blurb: 'Who does the kernel kill: the BestEffort pod or the big Burstable one?',
  },
] as const;

export const SPEEDS = [0.5, 1, 2, 5, 10] as const;

export interface RosterRow {
  id: string;
  name: string;
  role: ParticipantView['role'];
  slot: string | null;
  connected: boolean;
  bot: boolean;
  /** A server bot's strategy. */
  strategy: string | null;
  /** A continued session's pod waiting for its student to take it back. */
  waiting: boolean;
  status: string | null;
  restarts: number;
  score: number;
}

export type RoomControl = 'start' | 'pause' | 'resume' | 'reset' | 'end';

const KEY = (code: string) => `oom-arena:host:${code}`;

function savedHostKey(code: string): string | null {
  try {
    return localStorage.getItem(KEY(code));
  } catch {
    return null;
  }
}

/** The teacher's side of a room: controls, roster and the results. Only this class talks to the server for the host. */
export class HostSession {
  readonly code: string;
  readonly conn = new Connection<AppSocket>();
  readonly room = new RoomMirror();
  /** The lesson: rounds, questions, bots (docs/game.md). */
  readonly game = new GameMirror(this.conn.socket);
  readonly joinUrls: readonly string[];
  #hostKey: string;
  #resync = resyncer(
    () => this.conn.socket,
    (s) => this.#snapshot(s),
  );
  /** Resolves once attached as host: actions wait for it (socket.io would send them before the attach). */
  #ready: Promise<void>;
  #setReady: () => void = () => {};
  joined = $state(false);
  /** The projector's key, from the server once attached: the "Open presenter" link carries it. */
  presenterKey = $state<string | null>(null);
  error = $state<string | null>(null);
  /** Why the session ended, once it has ('error': a fault on the server; its recording is kept). */
  endedBy = $state<EndReason | null>(null);
  busy = $state(false);

  constructor(code: string, hostKey: string, joinUrls: readonly string[] = []) {
    this.code = code;
    this.conn.route(code);
    this.#hostKey = hostKey;
    this.joinUrls = joinUrls;
    this.#ready = new Promise((r) => (this.#setReady = r));
    const s = this.conn.socket;
    s.on('connect', () => void this.#attach());
    s.on('state:snapshot', (snap) => this.#snapshot(snap));
    s.on('state:delta', (d) => {
      if (!this.room.applyDelta(d)) void this.#resync();
    });
    s.on('leaderboard:update', (b) => this.room.applyLeaderboard(b));
    s.on('session:update', (m) => this.room.setSession(m));
    s.on('participants:patch', (patch) => this.room.patchParticipants(patch));
    s.on('session:ended', (info) => {
      if (this.room.session) this.room.setSession({ ...this.room.session, status: 'ended' });
      this.error = null;
      this.endedBy = info.reason;
    });
    this.conn.connect();
  }

  /** POST /api/sessions, then attach as host. The host key stays in this browser, so /host/CODE survives a reload. */
  static async create(
    body: CreateSessionRequest,
  ): Promise<{ ok: true; session: HostSession } | { ok: false; message: string }> {
    let res: Response;
    try {
      // The teacher key makes the session (and its recordings) this teacher's.
      res = await fetch('/api/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...teacherAuth() },
        body: JSON.stringify(body),
      });
    } catch {
      return { ok: false, message: 'Cannot reach the server. Is it running?' };
    }
    const data = (await res.json().catch(() => null)) as
      (CreateSessionResponse & { error?: { code: string; message: string }; message?: string }) | null;
    if (!res.ok || !data?.code) {
      const e = data?.error;
      return {
        ok: false,
        message: e
          ? errorText({ code: e.code as never, message: e.message })
          : (data?.message ?? `The server refused (${res.status}).`),
      };
    }
    try {
      localStorage.setItem(KEY(data.code), data.hostKey);
      localStorage.setItem(`${KEY(data.code)}:urls`, JSON.stringify(data.joinUrls));
    } catch {
      // Private browsing: the dashboard works until the tab closes.
    }
    return { ok: true, session: new HostSession(data.code, data.hostKey, data.joinUrls) };
  }

  get status(): SessionStatus {
    return this.room.session?.status ?? 'lobby';
  }
  get speed(): number {
    return this.room.session?.speed ?? 1;
  }

  /** Students and spectators with their pod's status and score, best score first. */
  get roster(): RosterRow[] {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup built and dropped within one call
    const bySlot = new Map(this.room.pods.map((p) => [p.slot, p]));
    return this.room.participants
      .filter((p) => p.role === 'student' || p.role === 'spectator')
      .map((p) => {
        const pod = p.slot ? bySlot.get(p.slot) : undefined;
        return {
          id: p.id,
          name: p.nickname,
          role: p.role,
          slot: p.slot,
          connected: p.connected,
          bot: p.bot,
          strategy: p.strategy ?? null,
          waiting: p.waiting ?? false,
          status: pod ? podViewStatus(pod) : null,
          restarts: pod?.restarts ?? 0,
          score: pod?.score ?? 0,
        };
      })
      .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
  }

  async #attach(): Promise<void> {
    const r = await request(this.conn.socket, 'host:attach', {
      v: PROTOCOL_VERSION,
      code: this.code,
      hostKey: this.#hostKey,
    });
    if (!r.ok) {
      this.error = errorText(r.error);
      if (
        r.error.code === 'SESSION_NOT_FOUND' ||
        r.error.code === 'BAD_HOST_KEY' ||
        r.error.code === 'SESSION_ENDED'
      )
        this.conn.stop();
      return;
    }
    this.joined = true;
    this.presenterKey = r.data.presenterKey ?? null;
    this.error = null;
    this.#snapshot(r.data.snapshot);
    this.#setReady();
  }

  #snapshot(s: Snapshot): void {
    this.room.applySnapshot(s);
    this.game.set(s.game);
  }

  async #do<T>(
    send: () => Promise<{ ok: true; data: T } | { ok: false; error: { code: string; message: string } }>,
  ): Promise<boolean> {
    this.busy = true;
    await this.#ready;
    const r = await send();
    this.busy = false;
    if (!r.ok) this.error = errorText(r.error as never);
    else this.error = null;
    return r.ok;
  }

  control(action: RoomControl): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, `session:${action}`, {}));
  }
  setSpeed(speed: number): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'session:speed', { speed }));
  }
  setLocked(locked: boolean): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'room:lock', { locked }));
  }
  setLateJoin(allowed: boolean): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'room:lateJoin', { allowed }));
  }
  kick(id: string): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'participant:kick', { id }));
  }
  ban(id: string): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'participant:ban', { id }));
  }
  /** A continued session: give a waiting pod to a student who joined under another name. */
  assignSeat(slot: string, participant: string): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'seats:assign', { slot, participant }));
  }
  /** A continued session: the pods nobody took back go to server bots (a mix), or are removed. */
  releaseSeats(mode: 'bots' | 'remove'): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'seats:release', { mode }));
  }
  inject(kind: InjectKind, slot?: string): Promise<boolean> {
    return this.#do(() => request(this.conn.socket, 'scenario:inject', slot ? { kind, slot } : { kind }));
  }

  /**
   * The next round from a teacher's scenario file (already checked in the browser; the server checks it again).
   * Over HTTP: a file may be bigger than a socket message may be.
   */
  startRoundFromFile(scenarioFile: Record<string, unknown>, durationSec: number): Promise<boolean> {
    const body: StartRoundFromFileRequest = { scenarioFile, durationSec };
    return this.game.track(this.#postAsHost('rounds', body));
  }

  /** A request to this session's host-only HTTP routes: the host key in a header, never in the URL. Null offline. */
  async #hostFetch(
    path: string,
    init: RequestInit & { headers?: Record<'content-type', string> } = {},
  ): Promise<Response | null> {
    try {
      return await fetch(`/api/sessions/${encodeURIComponent(this.code)}/${path}`, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${this.#hostKey}` },
      });
    } catch {
      return null;
    }
  }

  async #postAsHost(path: string, body: unknown): Promise<Ack<unknown>> {
    const res = await this.#hostFetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res)
      return fail(ErrorCode.INTERNAL, 'Could not reach the server. Check the connection and try again.');
    const data = (await res.json().catch(() => null)) as { error?: ProtocolError; message?: string } | null;
    if (res.ok) return { ok: true, data };
    if (data?.error?.code) return { ok: false, error: data.error };
    return fail(ErrorCode.BAD_REQUEST, data?.message ?? `The server refused (${res.status}).`);
  }

  /**
   * The round's results as CSV from the server (docs/game.md, CSV1–CSV3: game scores, kills by kind, restarts,
   * uptime, answers). The host key goes in a header, never in the URL.
   */
  async downloadCsv(round?: number): Promise<void> {
    const latest = this.game.view?.roundNo ?? 0;
    const which = round ?? latest;
    const res = await this.#hostFetch(`results.csv${which > 0 ? `?round=${which}` : ''}`);
    if (!res) {
      this.error = 'Could not reach the server for the results. Check the connection and try again.';
      return;
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: ProtocolError } | null;
      this.error = body?.error?.message ?? `The server refused the results (${res.status}).`;
      return;
    }
    const blob = new Blob([await res.text()], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    // An earlier round is final; the latest may still be running, so its name says when it was taken.
    a.download =
      which < latest
        ? `oom-arena-${this.code}-round-${which}.csv`
        : `oom-arena-${this.code}-round-${which}-t${Math.floor(this.room.tick / 10)}s.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  close(): void {
    this.conn.close();
  }
}

/**
 * A session this teacher owns but hosts from another browser (their teacher key was copied here): the server
 * hands the owner the host key, which this browser then keeps. Null when the key does not own it.
 */
export async function claimWithTeacherKey(code: string): Promise<HostSession | null> {
  try {
    const res = await fetch(`/api/sessions/${encodeURIComponent(code)}/keys`, { headers: teacherAuth() });
    if (!res.ok) return null;
    const { hostKey } = (await res.json()) as { hostKey: string };
    try {
      localStorage.setItem(KEY(code), hostKey);
    } catch {
      // Private browsing: this tab only.
    }
    return new HostSession(code, hostKey);
  } catch {
    return null;
  }
}

/** The dashboard for a room this browser created (its host key is saved), or null. */
export function hostSessionFor(code: string): HostSession | null {
  const key = savedHostKey(code);
  if (!key) return null;
  let urls: string[];
  try {
    urls = JSON.parse(localStorage.getItem(`${KEY(code)}:urls`) ?? '[]') as string[];
  } catch {
    urls = [];
  }
  return new HostSession(code, key, urls);
}
