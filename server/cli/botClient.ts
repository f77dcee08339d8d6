import { io, type Socket } from 'socket.io-client';
import type { Dict } from '../../shared/util/dict.ts';
import type { Ack } from '../../shared/protocol/errors.ts';
import type { ClientEventResults, ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol/events.ts';
import { nextCommand, type Strategy } from './botHabits.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { applyPodPatch, type StudentFrame } from '../../shared/protocol/frames.ts';
import type { JoinResult, PodView } from '../../shared/protocol/views.ts';

export interface BotOptions {
  url: string;
  room: string;
  nickname: string;
  strategy: Strategy;
  /** Seconds between a bot's actions: a random pause in [min, max], as a person reads, thinks and taps. */
  pauseSec?: [number, number];
  /**
   * A command after every pause: when the habit has nothing sensible to do, a random student's move instead (the
   * load benchmark's students, who send one command every 3–10 s as a class under load would).
   */
  alwaysAct?: boolean;
  random?: () => number;
  /** Called with the ms from sending a command to the first state frame at or after the tick it was applied at. */
  onLatency?: (ms: number) => void;
  onError?: (code: string, message: string) => void;
}

type BotSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A bot student: joins like a browser (same protocol, same validation), keeps its own pod's view up to date from
 * snapshots and deltas (resyncing on a gap), and acts on its pod now and then according to a strategy. Used by
 * `npm run bots`, by teachers rehearsing a lesson, and by the load benchmark.
 */
export class Bot {
  readonly socket: BotSocket;
  bytesIn = 0;
  /** engine.io messages received (frames, events, acks, pings): each one is a write on the server. */
  messagesIn = 0;
  frames = 0;
  resyncs = 0;
  commandsSent = 0;
  pod: PodView | null = null;
  join: JoinResult | null = null;
  #tick = -1;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #waiting: { tick: number; sentAt: number }[] = [];
  #o: BotOptions;
  #rand: () => number;
  #stopped = false;

  constructor(o: BotOptions) {
    this.#o = o;
    this.#rand = o.random ?? Math.random;
    // The room in the handshake lets a cluster's launcher send the bot to the process that runs its room.
    this.socket = io(o.url, { transports: ['websocket'], reconnectionDelay: 1000, reconnectionDelayMax: 5000, query: { room: o.room } });
    this.socket.io.on('open', () => {
      this.socket.io.engine.on('data', (d: unknown) => {
        this.messagesIn++;
        this.bytesIn += typeof d === 'string' ? Buffer.byteLength(d) : ((d as ArrayBuffer).byteLength ?? 0);
      });
    });
    this.socket.on('state:frame', (f) => this.#onFrame(f));
    this.socket.on('state:snapshot', (s) => this.#apply(s.tick, s.pods));
    this.socket.on('connect', () => {
      if (!this.socket.recovered) void this.#join();
    });
  }

  #call<E extends keyof ClientEventResults>(event: E, payload: unknown): Promise<Ack<ClientEventResults[E]>> {
    return (this.socket.timeout(10_000).emitWithAck as (e: string, p: unknown) => Promise<Ack<ClientEventResults[E]>>)(event, payload).catch(() => ({
      ok: false as const,
      error: { code: 'INTERNAL' as const, message: 'no answer' },
    }));
  }

  async #join(): Promise<void> {
    const token = this.join?.token ?? undefined;
    const r = await this.#call('student:join', { v: PROTOCOL_VERSION, code: this.#o.room, nickname: this.#o.nickname, bot: true, ...(token ? { token } : {}) });
    if (!r.ok) {
      this.#o.onError?.(r.error.code, r.error.message);
      return;
    }
    this.join = r.data;
    this.#apply(r.data.snapshot.tick, r.data.snapshot.pods);
    this.#schedule();
  }

  #apply(tick: number, pods: Dict<PodView>): void {
    this.#tick = tick;
    this.pod = Object.values(pods)[0] ?? null;
    this.#settle(tick);
  }

  #onFrame(d: StudentFrame): void {
    this.frames++;
    if (d.s !== this.#tick) {
      // Missed a (volatile) frame: ask for a fresh snapshot rather than guess.
      this.resyncs++;
      this.#tick = -2;
      void this.#call('state:sync', {}).then((r) => {
        if (r.ok) this.#apply(r.data.tick, r.data.pods);
      });
      return;
    }
    this.#tick = d.t;
    if (d.P) this.pod = d.P;
    else if (d.p && this.pod) this.pod = applyPodPatch(this.pod, d.p);
    this.#settle(d.t);
  }

  #settle(tick: number): void {
    if (!this.#waiting.length) return;
    const now = performance.now();
    this.#waiting = this.#waiting.filter((w) => {
      if (w.tick > tick) return true;
      this.#o.onLatency?.(now - w.sentAt);
      return false;
    });
  }

  #schedule(): void {
    if (this.#stopped || this.#timer) return;
    const [lo, hi] = this.#o.pauseSec ?? [3, 10];
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.act().finally(() => this.#schedule());
    }, (lo + this.#rand() * (hi - lo)) * 1000);
  }

  /** One action of the strategy, or none when there is nothing sensible to do. */
  async act(): Promise<void> {
    const cmd = nextCommand(this.#o.strategy, this.pod, this.#rand, this.#o.alwaysAct === true);
    if (!cmd) return;
    this.commandsSent++;
    const sentAt = performance.now();
    const r = await this.#call('pod:command', { command: cmd });
    if (r.ok) {
      // The ack may come after the frame of its tick (the ack waits for the recording to be durable).
      if (this.#tick >= r.data.tick) this.#o.onLatency?.(performance.now() - sentAt);
      else this.#waiting.push({ tick: r.data.tick, sentAt });
    }
    else if (r.error.code !== 'COMMAND_REJECTED' && r.error.code !== 'BAD_STATE') this.#o.onError?.(r.error.code, r.error.message);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.socket.disconnect();
  }
}
