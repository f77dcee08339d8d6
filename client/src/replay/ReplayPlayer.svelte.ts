import {
  loadRecordingAsync,
  nextMarker,
  seek,
  stepReplay,
  type LoadedRecording,
  type Marker,
  type MarkerKind,
} from '../../../shared/recording/index.ts';
import { dict } from '../../../shared/util/dict.ts';
import type { Divergence } from '../../../shared/recording/ReplayMachine.ts';
import type { RecordingError } from '../../../shared/recording/format.ts';
import { stateHash } from '../../../shared/sim/hash.ts';
import type { OomKillEvent, SimEvent, SimState } from '../../../shared/sim/types.ts';
import { TICKS_PER_SEC } from '../../../shared/sim/units.ts';
import { PresenterModel } from '../present/PresenterModel.svelte.ts';

export const SPEEDS = [0.5, 1, 2, 4, 8, 16] as const;
export type Speed = (typeof SPEEDS)[number];

/** How much history the chart shows after a seek (its window is 60 s), and how densely it is refilled. */
const CHART_FILL_TICKS = 600;
const CHART_FILL_STRIDE = 5;
/** At most this many ticks per animation frame (16× at 60 fps needs 2.7): a slow device drops time, never hangs. */
const MAX_TICKS_PER_FRAME = 40;

export type LoadState =
  | { phase: 'loading'; message: string }
  | { phase: 'ready' }
  | { phase: 'error'; code: string; message: string };

/**
 * The replay: a recording loaded and verified in the browser, a current state, and a clock that steps the
 * simulation at 0.5×–16×. It drives a PresenterModel, so the replay shows exactly the presenter's visuals.
 * Writers are its methods; the view reads its getters.
 */
export class ReplayPlayer {
  readonly model: PresenterModel;
  #rec: LoadedRecording | null = null;
  #state: SimState | null = null;
  #raf = 0;
  #lastFrame = 0;
  #carry = 0;

  #load = $state<LoadState>({ phase: 'loading', message: 'Downloading the recording…' });
  #tick = $state(0);
  #playing = $state(false);
  #speed = $state<Speed>(1);
  #markers = $state.raw<readonly Marker[]>([]);
  #divergence = $state.raw<Divergence | null>(null);
  #info = $state.raw<{
    firstTick: number;
    lastTick: number;
    title: string;
    code: string;
    startedAt: string;
    commands: number;
    torn: boolean;
    ended: boolean;
    participants: number;
  } | null>(null);
  /** Slot → the student's name (a plain record: set once per recording, read while drawing). */
  #names = dict<string>();

  constructor() {
    this.model = new PresenterModel((slot) => this.#names[slot] ?? slot);
  }

  get load(): LoadState {
    return this.#load;
  }
  get tick(): number {
    return this.#tick;
  }
  get playing(): boolean {
    return this.#playing;
  }
  get speed(): Speed {
    return this.#speed;
  }
  get markers(): readonly Marker[] {
    return this.#markers;
  }
  get divergence(): Divergence | null {
    return this.#divergence;
  }
  get info() {
    return this.#info;
  }
  /** The current state's hash (tests compare it with the live session's). */
  get hash(): string {
    return this.#state ? stateHash(this.#state) : '';
  }

  ownerOf = (slot: string): string | null => this.#names[slot] ?? null;

  /** Decode and verify a recording's text (one pass over the whole session), then show `startTick` or the start. */
  async open(text: string, startTick?: number): Promise<RecordingError | null> {
    this.#load = { phase: 'loading', message: 'Checking the recording…' };
    // Verified in slices so the page stays responsive on an hour-long recording, with the progress shown.
    const r = await loadRecordingAsync(text, {
      pause: () => new Promise((res) => setTimeout(res, 0)),
      onProgress: (f) => {
        this.#load = { phase: 'loading', message: `Checking the recording… ${Math.round(f * 100)} %` };
      },
    });
    if (!r.ok) {
      this.#load = { phase: 'error', code: r.error.code, message: r.error.message };
      return r.error;
    }
    const rec = r.value;
    this.#rec = rec;
    this.#names = dict();
    for (const p of rec.header.participants) if (p.slot) this.#names[p.slot] = p.name;
    for (const a of rec.hostActions) {
      const slot = a.detail?.['slot'];
      const name = a.detail?.['name'];
      if (a.action === 'join' && typeof slot === 'string' && typeof name === 'string')
        this.#names[slot] = name;
    }
    this.#markers = rec.markers;
    this.#divergence = rec.divergence;
    const people = dict<true>();
    for (const list of rec.commands.values())
      for (const c of list) if (c.by !== 'host' && c.by !== 'timeline') people[c.by] = true;
    this.#info = {
      firstTick: rec.firstTick,
      lastTick: rec.lastTick,
      title: rec.header.scenario.title ?? rec.header.scenario.name,
      code: rec.header.code,
      startedAt: rec.header.startedAt,
      commands: rec.commandCount,
      torn: rec.torn,
      ended: rec.end?.reason === 'ended',
      participants: Math.max(
        Object.keys(people).length,
        rec.header.participants.filter((p) => p.role !== 'host').length,
      ),
    };
    this.#load = { phase: 'ready' };
    this.seek(startTick ?? rec.firstTick);
    return null;
  }

  fail(code: string, message: string): void {
    this.#load = { phase: 'error', code, message };
  }

  /** Jump to a tick: the state from the nearest snapshot, and the chart's last minute refilled. */
  seek(tick: number): void {
    const rec = this.#rec;
    if (!rec) return;
    const target = Math.max(rec.firstTick, Math.min(rec.lastTick, Math.round(tick)));
    const from = Math.max(rec.firstTick, target - CHART_FILL_TICKS);
    const s = seek(rec, from);
    this.model.reset();
    let events: SimEvent[] = [...s.events];
    // The minute before the target fills the chart (its kills marked on it); the overlay is for the target only.
    this.model.refill(() => {
      if (s.tick < target) {
        this.#push(s, events);
        events = [];
      }
      while (s.tick < target) {
        stepReplay(rec, s);
        if (s.tick === target) break;
        if (s.events.length) events.push(...s.events);
        if (s.tick % CHART_FILL_STRIDE === 0) {
          this.#push(s, events);
          events = [];
        }
      }
    });
    // The frame at the target itself, with its own events (a kill there is explained).
    this.#push(s, s.tick === target && s.tick !== from ? [...events, ...s.events] : events);
    this.#state = s;
    this.#tick = s.tick;
    this.#carry = 0;
  }

  play(): void {
    const rec = this.#rec;
    if (!rec || this.#playing) return;
    if (this.#tick >= rec.lastTick) this.seek(rec.firstTick);
    this.#playing = true;
    this.#lastFrame = performance.now();
    this.#carry = 0;
    this.#raf = requestAnimationFrame(this.#frame);
  }

  pause(): void {
    this.#playing = false;
    cancelAnimationFrame(this.#raf);
  }

  toggle(): void {
    if (this.#playing) this.pause();
    else this.play();
  }

  setSpeed(s: Speed): void {
    this.#speed = s;
  }

  /** One speed step faster (1) or slower (-1). */
  nudgeSpeed(dir: 1 | -1): void {
    const i = SPEEDS.indexOf(this.#speed);
    this.#speed = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + dir))]!;
  }

  /** Step by ticks (a tick forward is exact; backward seeks). */
  stepBy(ticks: number): void {
    const rec = this.#rec;
    if (!rec) return;
    if (ticks === 1 && this.#state) {
      if (stepReplay(rec, this.#state)) this.#push(this.#state, this.#state.events);
      this.#tick = this.#state.tick;
    } else this.seek(this.#tick + ticks);
  }

  /** The next or previous marker of some kinds; seeks there and returns it (null when there is none). */
  jump(dir: 1 | -1, kinds: readonly MarkerKind[] = ['kill']): Marker | null {
    const rec = this.#rec;
    if (!rec) return null;
    const m = nextMarker(rec, this.#tick, dir, kinds);
    if (!m) return null;
    this.seek(m.tick);
    // The kill this marker stands for is the one explained, even when another was shown a moment ago.
    const kills = (this.#state?.tick === m.tick ? this.#state.events : []).filter(
      (e): e is OomKillEvent => e.type === 'oom_kill',
    );
    const slot = /^(\S+) OOMKilled/.exec(m.label)?.[1];
    const kill = kills.find((e) => e.slot === slot) ?? kills.at(-1);
    if (kill) this.model.showKill(kill);
    return m;
  }

  destroy(): void {
    this.pause();
  }

  #frame = (now: number): void => {
    const rec = this.#rec;
    const s = this.#state;
    if (!this.#playing || !rec || !s) return;
    this.#carry += ((now - this.#lastFrame) / 1000) * TICKS_PER_SEC * this.#speed;
    this.#lastFrame = now;
    let n = Math.min(MAX_TICKS_PER_FRAME, Math.floor(this.#carry));
    this.#carry -= Math.floor(this.#carry);
    if (n > 0) {
      const events: SimEvent[] = [];
      while (n-- > 0 && stepReplay(rec, s)) if (s.events.length) events.push(...s.events);
      this.#push(s, events);
      this.#tick = s.tick;
    }
    if (s.tick >= rec.lastTick) {
      this.#playing = false;
      return;
    }
    this.#raf = requestAnimationFrame(this.#frame);
  };

  #push(s: SimState, events: readonly SimEvent[]): void {
    this.model.push({ tick: s.tick, node: { ...s.node }, pods: s.pods.map((p) => ({ ...p })), events });
  }
}
