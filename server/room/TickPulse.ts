import type { LoopClock } from './LoopDriver.ts';

/** A callback waiting for its time. */
interface Entry {
  readonly fn: () => void;
  readonly due: number;
  live: boolean;
}

/**
 * Timers that fire up to this much before their due time still run: node measures a timeout from the event loop's
 * cached time, which can be a few milliseconds old.
 */
const SLACK_MS = 2;

/** An error thrown again outside the beat, as an uncaught timer error would be. */
function rethrow(e: unknown): void {
  process.nextTick(() => {
    throw e;
  });
}

/**
 * The process's clock for room loops: one timer for all of them, and a few shared beats per tick (`slots`). A loop
 * aligns its timeline to one of the beats (`align`, the one fewest loops are on), so the rooms on a beat tick in one
 * timer callback, one after another: the tick's code and the socket layer stay in the CPU's caches from one room to
 * the next, and the event loop wakes once per beat instead of once per room; the socket layer writes a beat's
 * frames in one run after its last room (FrameQueue). Fewer beats cost less CPU: longer runs of writes, fewer wake-ups
 * (one beat against three: 4–5 % less CPU a frame in runs at the same time, 2026-12-02). A beat's rooms wait for each
 * other, and so did every frame for the run: with all twenty rooms of a thousand students on one beat, the last
 * room's frames went out as late as the others' ticks and writes took, and a command's p99 to its frame passed 115
 * ms. Since the frames that carry a command's ack go as soon as their room has ticked (writeHeldFrames), ahead of
 * the run, one beat a tick (the default) costs no latency on a machine that is not overloaded (p99 3–5 ms lower
 * than three beats', alone; with two benchmarks on two cores its p99 passed 150 ms in two rounds of seven:
 * docs/performance.md). Other callers (sweepers, flushes) schedule at any time and share the one timer.
 *
 * A callback that throws does not stop the others due with it; its error is thrown again on its own, as a timer's
 * would be.
 */
export class TickPulse implements LoopClock {
  readonly #slots: number;
  readonly #beatMs: number;
  readonly #clock: () => number;
  readonly #onError: (e: unknown) => void;
  #entries: Entry[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The due time the timer is set for (Infinity: none). */
  #armedFor = Infinity;
  #firing = false;

  /**
   * `periodMs`: a loop's period (a tick); `slots`: beats per period (default 1); `now`: the clock (default
   * performance.now); `onError`: a throwing callback's error (default: thrown on its own).
   */
  constructor(periodMs: number, o: { slots?: number; now?: () => number; onError?: (e: unknown) => void } = {}) {
    const slots = o.slots ?? 1;
    if (!(periodMs > 0)) throw new RangeError('the period must be a positive number of milliseconds');
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError('slots must be a whole number ≥ 1');
    this.#slots = slots;
    this.#beatMs = periodMs / slots;
    this.#clock = o.now ?? (() => performance.now());
    this.#onError = o.onError ?? rethrow;
  }

  now(): number {
    return this.#clock();
  }

  /**
   * A beat in the period from `t` on: of the slots' next beats, the one fewest waiting callbacks are on (the earliest
   * of those), so rooms spread evenly over the slots whenever they start.
   */
  align(t: number): number {
    const beat = this.#beatMs;
    const first = Math.ceil(t / beat) * beat;
    if (this.#slots === 1) return first;
    const load = new Array<number>(this.#slots).fill(0);
    for (const e of this.#entries) {
      const k = Math.round(e.due / beat);
      // On a beat (its due was computed from one, within a clock read's difference): counted in its slot.
      if (Math.abs(e.due - k * beat) < 1) load[k % this.#slots]!++;
    }
    let best = first;
    let fewest = Infinity;
    for (let i = 0; i < this.#slots; i++) {
      const at = first + i * beat;
      const n = load[Math.round(at / beat) % this.#slots]!;
      if (n < fewest) {
        best = at;
        fewest = n;
      }
    }
    return best;
  }

  schedule(fn: () => void, ms: number): () => void {
    const entry: Entry = { fn, due: this.#clock() + Math.max(0, ms), live: true };
    this.#entries.push(entry);
    if (!this.#firing && entry.due < this.#armedFor) this.#arm(entry.due);
    return () => {
      if (!entry.live) return;
      entry.live = false;
      this.#entries = this.#entries.filter((e) => e !== entry);
      if (this.#entries.length === 0) this.#disarm();
    };
  }

  /** How many callbacks wait (tests). */
  get pending(): number {
    return this.#entries.length;
  }

  #arm(due: number): void {
    this.#disarm();
    this.#armedFor = due;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, due - this.#clock()));
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedFor = Infinity;
  }

  /** Run everything due, earliest first (ties in the order they were scheduled), then wait for the next. */
  #fire(): void {
    this.#timer = null;
    this.#armedFor = Infinity;
    const now = this.#clock();
    const due: Entry[] = [];
    const rest: Entry[] = [];
    for (const e of this.#entries) (e.due <= now + SLACK_MS ? due : rest).push(e);
    this.#entries = rest;
    due.sort((a, b) => a.due - b.due);
    this.#firing = true;
    try {
      for (const e of due) {
        if (!e.live) continue; // cancelled by a callback before it
        e.live = false;
        try {
          e.fn();
        } catch (err) {
          this.#onError(err);
        }
      }
    } finally {
      this.#firing = false;
    }
    let next = Infinity;
    for (const e of this.#entries) if (e.due < next) next = e.due;
    if (next < Infinity) this.#arm(next);
  }
}
