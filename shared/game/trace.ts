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
  slots: Dict<SlotTrace>;
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
  const t = ticksToSec(state.tick);
  const seen = new Set<string>();
  for (const p of state.pods) {
    if (seen.has(p.slot)) continue;
    seen.add(p.slot);
    const live = activePod(state, p.slot);
    if (!live) continue;
    const s = (trace.slots[p.slot] ??= { t: [], usageMiB: [], limitMiB: [], requestMiB: [] });
    s.t.push(t);
    s.usageMiB.push(live.cState === 'Running' ? round1(pagesToMiB(podUsagePages(live))) : null);
    s.limitMiB.push(live.spec.limitPages === null ? null : round1(pagesToMiB(live.spec.limitPages)));
    s.requestMiB.push(live.spec.requestPages === null ? null : round1(pagesToMiB(live.spec.requestPages)));
    if (s.t.length > maxSamples) full = true;
  }
  if (full) halve(trace);
}

/** Every slot's samples merged pairwise (the peak of each pair kept), and samples taken half as often from now on. */
function halve(trace: MemoryTrace): void {
  trace.everyTicks *= 2;
  for (const [slot, s] of Object.entries(trace.slots)) trace.slots[slot] = downsample(s, Math.ceil(s.t.length / 2));
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
    const lo = Math.floor((b * n) / maxPoints);
    const hi = Math.floor(((b + 1) * n) / maxPoints);
    let best = lo;
    for (let i = lo; i < hi; i++) {
      const u = s.usageMiB[i] ?? -1;
      if (u > (s.usageMiB[best] ?? -1)) best = i;
    }
    out.t.push(s.t[best]!);
    out.usageMiB.push(s.usageMiB[best] ?? null);
    out.limitMiB.push(s.limitMiB[best] ?? null);
    out.requestMiB.push(s.requestMiB[best] ?? null);
  }
  return out;
}
