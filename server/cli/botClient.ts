import { io, type Socket } from 'socket.io-client';
import type { Dict } from '../../shared/util/dict.ts';
import type { Ack } from '../../shared/protocol/errors.ts';
import type { ClientEventResults, ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol/events.ts';
import type { PodCommandBody } from '../../shared/schemas/commands.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { applyPodPatch, type StudentFrame } from '../../shared/protocol/frames.ts';
import type { JoinResult, PodView } from '../../shared/protocol/views.ts';

export type Strategy = 'leaky' | 'greedy' | 'careful' | 'random';
export const STRATEGIES: readonly Strategy[] = ['leaky', 'greedy', 'careful', 'random'];

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

const MiB = 256;

/** A bot's next move: its habit's, or (`alwaysAct`) a random student's when the habit has nothing sensible to do. */
export function nextCommand(strategy: Strategy, pod: PodView | null, rand: () => number, alwaysAct: boolean): PodCommandBody | null {
  return chooseCommand(strategy, pod, rand) ?? (alwaysAct ? chooseCommand('random', pod, rand) : null);
}

/** What a student with this habit would do next, looking at their pod. Pure, so it is easy to test. */
export function chooseCommand(strategy: Strategy, pod: PodView | null, rand: () => number): PodCommandBody | null {
  if (!pod) return null;
  const limitMiB = pod.limitPages === null ? null : Math.round(pod.limitPages / MiB);
  const requestMiB = pod.requestPages === null ? null : Math.round(pod.requestPages / MiB);
  const oomKilled = pod.lastReason === 'OOMKilled' || pod.reason === 'OOMKilled';
  switch (strategy) {
    case 'leaky':
      // Never fixes anything; after a kill, raises the limit a bit ("just give it more memory").
      if (oomKilled && limitMiB !== null && limitMiB < 2048) return { type: 'set_resources', requestMiB, limitMiB: limitMiB + 128 };
      return rand() < 0.3 ? { type: 'set_workload', workload: { requestsPerSec: 10 + Math.round(rand() * 30) } } : null;
    case 'greedy':
      // Asks for a lot, protects itself with a low oom_score_adj, and pushes traffic.
      if (pod.adjOverride === null) return { type: 'set_oom_score_adj', value: -900 };
      if (limitMiB !== null && limitMiB < 1024) return { type: 'set_resources', requestMiB: requestMiB ?? 64, limitMiB: 1024 };
      return { type: 'set_workload', workload: { requestsPerSec: 40 } };
    case 'careful':
      // Does the durable fixes in order: fix the leak, stream the batch, add backpressure, then right-size.
      if (pod.pending) return null;
      if (pod.workload.leakMiBps > 0) return { type: 'fix_leak' };
      if (pod.workload.batch && pod.workload.batch.mode === 'load') return { type: 'stream_batch', chunkMiB: 32 };
      if (pod.workload.bufferCapMiB === null) return { type: 'add_backpressure', bufferCapMiB: 64 };
      if (limitMiB !== null && requestMiB !== limitMiB) return { type: 'set_resources', requestMiB: limitMiB, limitMiB };
      return null;
    case 'random': {
      const options: PodCommandBody[] = [
        { type: 'set_workload', workload: { requestsPerSec: Math.round(rand() * 40) } },
        { type: 'set_oom_score_adj', value: Math.round(rand() * 2000 - 1000) },
        { type: 'start_batch' },
        { type: 'set_workload', workload: { leakMiBps: Math.round(rand() * 3) } },
      ];
      if (limitMiB !== null) options.push({ type: 'set_resources', requestMiB: null, limitMiB: Math.max(128, limitMiB + (rand() < 0.5 ? -64 : 64)) });
      if (!pod.pending) options.push({ type: 'fix_leak' });
      return options[Math.floor(rand() * options.length)]!;
    }
  }
}
