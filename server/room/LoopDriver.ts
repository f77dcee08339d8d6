import { TICK_MS } from '../../shared/sim/units.ts';
import { TickPulse } from './TickPulse.ts';

/** The clock and timer a loop runs on: real ones in production, hand-stepped ones in tests. */
export interface LoopClock {
  now(): number;
  /** Call `fn` after `ms`; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
  /**
   * A beat loops share, at or after `t` and within a period of it (see TickPulse); without it a loop keeps its own
   * timeline.
   */
  align?(t: number): number;
}

/** The process's clock: every room's loop on one of three shared beats a tick. */
export const realClock: LoopClock = new TickPulse(TICK_MS);

const EARLY_MS = 3;

export interface LoopOptions {
  clock: LoopClock;
  /** Runs `n` simulation ticks (n ≥ 1) and then broadcasts once. */
  onTicks: (n: number) => void;
  /** Wall time between pumps: the broadcast period (100 ms = 10 Hz). */
  pumpMs?: number;
  /** Lateness of each pump against its schedule, for the metrics. */
  onLateness?: (ms: number) => void;
}

/**
 * Fixed-step loop: simulated time advances in whole 100 ms ticks from an accumulator fed by the wall clock ×
 * speed, so a slow pump catches up rather than slowing the simulation; catch-up is clamped (one second of ticks)
 * so a stalled process does not then run a burst of hundreds of ticks. The pump runs at most 10 times a second
 * whatever the speed, which bounds the broadcast rate. Stopped (paused, lobby, ended) it schedules nothing. On a
 * clock with beats (the process's TickPulse) its pumps fall on one of the beats the rooms' loops share, so a beat's
 * rooms tick together rather than each at the moment it happened to start.
 */
export class LoopDriver {
  readonly #o: Required<Omit<LoopOptions, 'onLateness'>> & Pick<LoopOptions, 'onLateness'>;
  #speed = 1;
  #acc = 0;
  #last = 0;
  #due = 0;
  #cancel: (() => void) | null = null;
  /** When the timer last pumped (never: -Infinity). */
  #firedAt = -Infinity;

  constructor(options: LoopOptions) {
    this.#o = { pumpMs: TICK_MS, ...options };
  }

  get running(): boolean {
    return this.#cancel !== null;
  }

  /** Whether its timer pumps: running, and the last pump came within two periods (so the next one is due soon). */
  get pumping(): boolean {
    return this.#cancel !== null && this.#o.clock.now() - this.#firedAt <= 2 * this.#o.pumpMs;
  }

  get speed(): number {
    return this.#speed;
  }

  setSpeed(speed: number): void {
    this.#speed = speed;
  }

  start(): void {
    if (this.#cancel) return;
    const now = this.#o.clock.now();
    this.#due = this.#onBeat(now + this.#o.pumpMs);
    // Time is counted from one period before the first pump, so each pump on time finds one whole tick and only its
    // lateness left over. Counted from the start, the start's place between two beats would stay in the accumulator,
    // and a room started just short of a beat would run none or two ticks a beat as its turn in the beat moved.
    this.#last = this.#due - this.#o.pumpMs;
    this.#cancel = this.#o.clock.schedule(() => this.#fire(), this.#due - now);
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = null;
  }

  /** Maximum ticks one pump runs: a second of simulated time at the current speed. */
  get maxCatchUp(): number {
    return Math.max(1, Math.ceil((1000 / TICK_MS) * this.#speed));
  }

  /** Feed the accumulator from the clock and run the ticks now due. Returns how many ran. Public for tests. */
  pump(): number {
    const now = this.#o.clock.now();
    this.#acc += (now - this.#last) * this.#speed;
    this.#last = now;
    // Timers fire up to a millisecond or two early: count a tick that is nearly due now rather than skip a frame.
    let n = Math.max(0, Math.floor((this.#acc + EARLY_MS) / TICK_MS));
    if (n > this.maxCatchUp) {
      n = this.maxCatchUp;
      this.#acc = 0; // clamp: drop the backlog instead of fast-forwarding through it
    } else {
      this.#acc -= n * TICK_MS;
    }
    if (n > 0) this.#o.onTicks(n);
    return n;
  }

  /** A time on the clock's shared beat (the time itself on a clock without one). */
  #onBeat(t: number): number {
    return this.#o.clock.align ? this.#o.clock.align(t) : t;
  }

  #fire(): void {
    const now = this.#o.clock.now();
    this.#firedAt = now;
    this.#o.onLateness?.(Math.max(0, now - this.#due));
    this.pump();
    if (!this.#cancel) return; // stopped by onTicks (the session ended)
    // Schedule against the ideal timeline so timer drift does not accumulate; never in the past.
    this.#due += this.#o.pumpMs;
    if (this.#due < now) this.#due = this.#onBeat(now + this.#o.pumpMs);
    this.#cancel = this.#o.clock.schedule(() => this.#fire(), Math.max(0, this.#due - this.#o.clock.now()));
  }
}
