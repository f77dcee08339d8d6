/**
 * Memory curves for the post-mortem card (docs/game.md, PM1): a per-slot columnar trace the server samples as the
 * round runs, and a downsampler that keeps the peaks (a kill happens at a peak; an average would hide it).
 */
import { activePod } from '../sim/podLifecycle.ts';
import { podUsagePages } from '../sim/memory.ts';
import type { SimState } from '../sim/types.ts';
import { pagesToMiB, ticksToSec } from '../sim/units.ts';
import { dict, type Dict } from '../util/dict.ts';

/** Columns ready for uPlot: x = sim seconds; null where the slot had no running container. */
export interface SlotTrace {
  t: number[];
  usageMiB: (number | null)[];
  limitMiB: (number | null)[];
  requestMiB: (number | null)[];
}

export interface MemoryTrace {
  /** Sample every `everyTicks` ticks. */
  everyTicks: number;
  slots: Dict<TraceColumns>;
}

/**
 * One slot's samples: the tick and the usage as typed columns (MiB to one decimal, NaN for "none"), sized for the cap
 * from the first sample, and the limit and request as runs (a student changes them a few times a round, so a column
 * each repeated one value 480 times: 3.8 KB a student), room for `RUNS` of them made with the columns. A server keeps
 * one per student through the round, and arrays of boxed numbers grew for eight minutes (to the cap) at about 40 KB a
 * student: a round's trace holds the same memory from its first second to its last. Read through `toSlotTrace()`.
 */
export class TraceColumns {
  #ticks: Int32Array;
  #usage: Float32Array;
  /** Run k holds from sample `#runAt[k]` up to the next run's first sample: its limit and request (NaN: none). */
  #runAt: Int32Array;
  #runLimit: Float32Array;
  #runRequest: Float32Array;
  #runs = 0;
  length = 0;

  constructor(capacity: number) {
    [this.#ticks, this.#usage] = sampleColumns(capacity);
    [this.#runAt, this.#runLimit, this.#runRequest] = runColumns(RUNS);
  }

  /** How many runs the limit and request take (tests: one while they do not change). */
  get runCount(): number {
    return this.#runs;
  }

  push(tick: number, usageMiB: number | null, limitMiB: number | null, requestMiB: number | null): void {
    if (this.length === this.#ticks.length) this.#grow();
    const i = this.length++;
    this.#ticks[i] = tick;
    this.#usage[i] = usageMiB ?? NaN;
    this.#startRunIfChanged(i, Math.fround(limitMiB ?? NaN), Math.fround(requestMiB ?? NaN));
  }

  /** The samples as the card's columns (x in sim seconds). */
  toSlotTrace(): SlotTrace {
    const n = this.length;
    const out: SlotTrace = { t: new Array<number>(n), usageMiB: new Array(n), limitMiB: new Array(n), requestMiB: new Array(n) };
    let run = 0;
    for (let i = 0; i < n; i++) {
      while (run + 1 < this.#runs && this.#runAt[run + 1]! <= i) run++;
      out.t[i] = ticksToSec(this.#ticks[i]!);
      out.usageMiB[i] = mib(this.#usage[i]!);
      out.limitMiB[i] = mib(this.#runLimit[run]!);
      out.requestMiB[i] = mib(this.#runRequest[run]!);
    }
    return out;
  }

  /** In place, what `downsample` does to the card's columns: each bucket keeps its sample of highest usage. */
  keep(maxPoints: number): void {
    const n = this.length;
    if (n <= maxPoints || maxPoints < 1) return;
    const usage = this.#usage;
    // The old runs are read while the new ones are written: a copy of them (a halving happens a few times a round).
    const runs = this.#runs;
    const runAt = this.#runAt.slice(0, runs);
    const runLimit = this.#runLimit.slice(0, runs);
    const runRequest = this.#runRequest.slice(0, runs);
    this.#runs = 0;
    let run = 0;
    for (let b = 0; b < maxPoints; b++) {
      // best ≥ b, and it grows with b: writing bucket b never overwrites a sample a later bucket still reads, and the
      // old runs are walked once.
      const best = peakOfBucket(b, n, maxPoints, (i) => (Number.isNaN(usage[i]!) ? -1 : usage[i]!));
      while (run + 1 < runs && runAt[run + 1]! <= best) run++;
      this.#ticks[b] = this.#ticks[best]!;
      this.#usage[b] = this.#usage[best]!;
      this.#startRunIfChanged(b, runLimit[run]!, runRequest[run]!);
    }
    this.length = maxPoints;
  }

  #startRunIfChanged(at: number, limit: number, request: number): void {
    const last = this.#runs - 1;
    // Object.is: NaN (none) equals NaN.
    if (last >= 0 && Object.is(this.#runLimit[last], limit) && Object.is(this.#runRequest[last], request)) return;
    if (this.#runs === this.#runAt.length) this.#growRuns();
    this.#runAt[this.#runs] = at;
    this.#runLimit[this.#runs] = limit;
    this.#runRequest[this.#runs] = request;
    this.#runs++;
  }

  /** Only for an unbounded trace (tests); a capped one is sized for its cap. */
  #grow(): void {
    const [ticks, usage] = sampleColumns(Math.max(16, this.#ticks.length * 2));
    ticks.set(this.#ticks);
    usage.set(this.#usage);
    this.#ticks = ticks;
    this.#usage = usage;
  }

  /** A student who changed their pod's memory more than `RUNS` times within the trace's span. */
  #growRuns(): void {
    const [at, limit, request] = runColumns(this.#runAt.length * 2);
    at.set(this.#runAt);
    limit.set(this.#runLimit);
    request.set(this.#runRequest);
    [this.#runAt, this.#runLimit, this.#runRequest] = [at, limit, request];
  }
}

/**
 * Room for this many changes of a slot's limit or request made with its columns (768 bytes): more than a student
 * makes in a round (merged runs of the same values come together at every halving); past it, the room doubles.
 */
const RUNS = 64;

/** The tick and usage columns for `capacity` samples, in one buffer. */
function sampleColumns(capacity: number): [Int32Array, Float32Array] {
  const buffer = new ArrayBuffer(capacity * 8);
  return [new Int32Array(buffer, 0, capacity), new Float32Array(buffer, capacity * 4, capacity)];
}

/** The runs' first samples, limits and requests for `capacity` runs, in one buffer. */
function runColumns(capacity: number): [Int32Array, Float32Array, Float32Array] {
  const buffer = new ArrayBuffer(capacity * 12);
  return [new Int32Array(buffer, 0, capacity), new Float32Array(buffer, capacity * 4, capacity), new Float32Array(buffer, capacity * 8, capacity)];
}

/** A stored value back to the one-decimal MiB it was (float32 holds it to well within a tenth), or null. */
const mib = (v: number): number | null => (Number.isNaN(v) ? null : round1(v));
/**
 * PM2's bucket rule, shared by the card's downsample and the trace's in-place merge: bucket `b` of `buckets` over
 * `n` samples, and the index of its highest usage (the first of equals; no running container ranks as -1).
 */
function peakOfBucket(b: number, n: number, buckets: number, usageAt: (i: number) => number): number {
  const lo = Math.floor((b * n) / buckets);
  const hi = Math.floor(((b + 1) * n) / buckets);
  let best = lo;
  for (let i = lo; i < hi; i++) if (usageAt(i) > usageAt(best)) best = i;
  return best;
}

/**
 * At most this many samples per slot (twice the card's 240 points): past it, neighbouring samples are merged, the
 * higher one kept, and the stride doubles, so a two-hour round holds no more memory than an eight-minute one.
 */
export const TRACE_MAX_SAMPLES = 480;

export function emptyTrace(everyTicks = 10): MemoryTrace {
  return { everyTicks: Math.max(1, Math.trunc(everyTicks)), slots: dict() };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** PM1: sample every slot's live pod, in place, when the tick falls on the stride. O(pods). */
export function sampleTrace(trace: MemoryTrace, state: SimState, maxSamples = TRACE_MAX_SAMPLES): void {
  if (state.tick % trace.everyTicks !== 0) return;
  let full = false;
  const seen = new Set<string>();
  for (const p of state.pods) {
    if (seen.has(p.slot)) continue;
    seen.add(p.slot);
    const live = activePod(state, p.slot);
    if (!live) continue;
    const s = (trace.slots[p.slot] ??= new TraceColumns(Number.isFinite(maxSamples) ? maxSamples + 1 : 16));
    s.push(
      state.tick,
      live.cState === 'Running' ? round1(pagesToMiB(podUsagePages(live))) : null,
      live.spec.limitPages === null ? null : round1(pagesToMiB(live.spec.limitPages)),
      live.spec.requestPages === null ? null : round1(pagesToMiB(live.spec.requestPages)),
    );
    if (s.length > maxSamples) full = true;
  }
  if (full) halve(trace);
}

/** Every slot's samples merged pairwise (the peak of each pair kept), and samples taken half as often from now on. */
function halve(trace: MemoryTrace): void {
  trace.everyTicks *= 2;
  for (const s of Object.values(trace.slots)) s.keep(Math.ceil(s.length / 2));
}

/**
 * PM2: at most `maxPoints` samples: each bucket keeps its highest usage (and the limit and request at that sample),
 * so every peak that touched the limit is still on the chart.
 */
export function downsample(s: SlotTrace, maxPoints: number): SlotTrace {
  const n = s.t.length;
  if (n <= maxPoints || maxPoints < 1)
    return {
      t: [...s.t],
      usageMiB: [...s.usageMiB],
      limitMiB: [...s.limitMiB],
      requestMiB: [...s.requestMiB],
    };
  const out: SlotTrace = { t: [], usageMiB: [], limitMiB: [], requestMiB: [] };
  for (let b = 0; b < maxPoints; b++) {
    const best = peakOfBucket(b, n, maxPoints, (i) => s.usageMiB[i] ?? -1);
    out.t.push(s.t[best]!);
    out.usageMiB.push(s.usageMiB[best] ?? null);
    out.limitMiB.push(s.limitMiB[best] ?? null);
    out.requestMiB.push(s.requestMiB[best] ?? null);
  }
  return out;
}
