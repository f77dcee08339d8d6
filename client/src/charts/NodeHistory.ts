import type uPlot from 'uplot';
import type { NodeView, PodView } from '../../../shared/protocol/views.ts';
import { pagesToMiB, ticksToSec } from '../../../shared/sim/units.ts';

/** How many pods get their own band; the rest are summed into one "other pods" band. */
export const NAMED_BANDS = 6;

/** One band of the stacked chart, top of the legend first. */
export interface BandInfo {
  key: string;
  label: string;
  mib: number;
  color: string;
}

/** A kill or an eviction, marked on the chart's time axis where it happened. */
export interface ChartMark {
  x: number;
  kind: 'memcg' | 'global' | 'evicted';
  label: string;
}

/** Colour-blind-safe band colours; a slot keeps the one it was given for the whole session. */
export const BAND_COLORS = ['#0072B2', '#56B4E9', '#009E73', '#F0E442', '#E69F00', '#CC79A7', '#B39DDB', '#A6D854'] as const;
export const OTHER_COLOR = '#6b7890';
export const SYSTEM_COLOR = '#39424f';

interface Frame {
  tick: number;
  node: NodeView;
  pods: readonly PodView[];
}

/**
 * The node's memory over time, per app slot (a replacement pod keeps its slot's band), in fixed-length columns.
 * `stacked()` turns it into uPlot data for a stacked area: series 1 is the running total (drawn first, at the
 * back), down to the system daemons (drawn last, in front), then the capacity and eviction lines.
 */
export class NodeHistory {
  readonly capacity: number;
  #x: Float64Array;
  #len = 0;
  #system: Float64Array;
  #slots = new Map<string, Float64Array>();
  /** Output columns, reused: x, total … system, capacity, eviction line. */
  #out: Float64Array[];
  #order: string[] = [];
  #orderTick = -Infinity;
  /** Each slot's colour (an index into BAND_COLORS), given when it first gets a band and kept from then on. */
  #colour = new Map<string, number>();
  #marks: ChartMark[] = [];
  capacityMiB = 0;
  evictionLineMiB = 0;

  constructor(capacity = 600) {
    this.capacity = capacity;
    this.#x = new Float64Array(capacity);
    this.#system = new Float64Array(capacity);
    this.#out = Array.from({ length: NAMED_BANDS + 5 }, () => new Float64Array(capacity));
  }

  get length(): number {
    return this.#len;
  }

  /** Series count the stacked chart needs (without x). */
  static seriesCount(): number {
    return NAMED_BANDS + 4;
  }

  /** A new history (a seek, a new round); the students keep their colours. */
  clear(): void {
    this.#len = 0;
    this.#slots.clear();
    this.#order = [];
    this.#orderTick = -Infinity;
    this.#marks = [];
  }

  /** Mark a kill or an eviction at sim time `x` (seconds). */
  mark(m: ChartMark): void {
    this.#marks.push(m);
    if (this.#marks.length > 200) this.#marks.shift();
  }

  /** The marks inside the window the chart shows. */
  get marks(): readonly ChartMark[] {
    const first = this.#len ? this.#x[0]! : 0;
    return this.#marks.filter((m) => m.x >= first);
  }

  /** The colour of a slot's band (stable for the session). */
  colourOf(slot: string): string {
    return BAND_COLORS[this.#colour.get(slot) ?? 0]!;
  }

  /** The colour of the k-th named band (k = 0 the largest), for the chart's fill. */
  bandColour(k: number): string {
    const slot = this.#order[k];
    return slot === undefined ? OTHER_COLOR : this.colourOf(slot);
  }

  /** Give a slot its colour the first time it gets a band: the one least used by the bands shown now. */
  #assignColour(slot: string): void {
    if (this.#colour.has(slot)) return;
    const used = new Array<number>(BAND_COLORS.length).fill(0);
    for (const s of this.#order) {
      const c = this.#colour.get(s);
      if (c !== undefined) used[c]!++;
    }
    let best = this.#colour.size % BAND_COLORS.length;
    for (let k = 0; k < BAND_COLORS.length; k++) {
      const c = (this.#colour.size + k) % BAND_COLORS.length;
      if (used[c]! < used[best]!) best = c;
    }
    this.#colour.set(slot, best);
  }

  /** The largest a slot's memory was inside the window (a killed pod's spike keeps its band while it is shown). */
  #peak(col: Float64Array): number {
    let m = 0;
    for (let j = 0; j < this.#len; j++) if (col[j]! > m) m = col[j]!;
    return m;
  }

  push(frame: Frame): void {
    this.pushSample({
      tick: frame.tick,
      usedPages: frame.node.usedPages,
      capacityPages: frame.node.capacityPages,
      evictionThresholdPages: frame.node.evictionThresholdPages,
      pods: frame.pods.map((p) => [p.slot, p.usagePages] as const),
    });
  }

  /** One sample from plain columns (the server's recent history after a reload, or a live frame). */
  pushSample(frame: {
    tick: number;
    usedPages: number;
    capacityPages: number;
    evictionThresholdPages: number;
    pods: readonly (readonly [slot: string, usagePages: number])[];
  }): void {
    const x = ticksToSec(frame.tick);
    if (this.#len > 0) {
      const last = this.#x[this.#len - 1]!;
      if (x === last) return;
      if (x < last) this.clear();
    }
    let i = this.#len;
    if (i === this.capacity) {
      this.#x.copyWithin(0, 1);
      this.#system.copyWithin(0, 1);
      for (const col of this.#slots.values()) col.copyWithin(0, 1);
      i--;
    } else this.#len++;
    this.#x[i] = x;
    let pods = 0;
    for (const [, usage] of frame.pods) pods += usage;
    // What is not in a pod is the node's own daemons (kubelet, containerd).
    this.#system[i] = pagesToMiB(Math.max(0, frame.usedPages - pods));
    const seen = new Set<string>();
    for (const [slot, usage] of frame.pods) {
      let col = this.#slots.get(slot);
      if (!col) {
        col = new Float64Array(this.capacity);
        this.#slots.set(slot, col);
      }
      // Two pod objects of one slot can coexist briefly (eviction → replacement): add them up.
      col[i] = (seen.has(slot) ? col[i]! : 0) + pagesToMiB(usage);
      seen.add(slot);
    }
    for (const [slot, col] of this.#slots) if (!seen.has(slot)) col[i] = 0;
    this.capacityMiB = pagesToMiB(frame.capacityPages);
    this.evictionLineMiB = pagesToMiB(frame.capacityPages - frame.evictionThresholdPages);
    // Re-rank the named bands at most every 2 s of sim time, by each slot's peak in the window: a pod that was
    // just killed keeps its band (and its name in the legend) while its spike is on screen.
    if (x - this.#orderTick >= 2 || x < this.#orderTick) {
      this.#orderTick = x;
      const peaks = new Map<string, number>();
      for (const [slot, col] of this.#slots) peaks.set(slot, this.#peak(col));
      this.#order = [...peaks.entries()]
        .filter(([, p]) => p > 0)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, NAMED_BANDS)
        .map(([s]) => s);
      for (const s of this.#order) this.#assignColour(s);
      // Slots with nothing left in the window are dropped, so a long session does not keep every pod it had.
      for (const [slot, p] of peaks) if (p === 0 && !seen.has(slot)) this.#slots.delete(slot);
    }
  }

  /** The named slots, largest first (as ranked at the last re-rank). */
  get named(): readonly string[] {
    return this.#order;
  }

  /** Legend rows, top band first, with the latest values. */
  bands(nameOf: (slot: string) => string): BandInfo[] {
    const i = this.#len - 1;
    if (i < 0) return [];
    let others = 0;
    let otherCount = 0;
    const named = new Set(this.#order);
    // Every band is in the legend: the "other pods" band counts each pod with memory anywhere in the window.
    for (const [slot, col] of this.#slots) {
      if (!named.has(slot) && this.#peak(col) > 0) {
        others += col[i]!;
        otherCount++;
      }
    }
    const rows: BandInfo[] = [];
    if (otherCount > 0)
      rows.push({
        key: '~other',
        label: `${otherCount} other pod${otherCount === 1 ? '' : 's'}`,
        mib: others,
        color: OTHER_COLOR,
      });
    for (let k = this.#order.length - 1; k >= 0; k--) {
      const slot = this.#order[k]!;
      rows.push({ key: slot, label: nameOf(slot), mib: this.#slots.get(slot)![i]!, color: this.colourOf(slot) });
    }
    rows.push({ key: '~system', label: 'system daemons', mib: this.#system[i]!, color: SYSTEM_COLOR });
    return rows;
  }

  /** uPlot data: x, total(others on top), named bands from the smallest down to the largest, system, capacity, eviction. */
  stacked(): uPlot.AlignedData {
    const n = this.#len;
    const out = this.#out;
    const named = new Set(this.#order);
    const x = out[0]!;
    x.set(this.#x.subarray(0, n));
    // Cumulative from the bottom: system, then the largest named pod, …, then the rest.
    const cum = out[NAMED_BANDS + 2]!; // system layer
    cum.set(this.#system.subarray(0, n));
    let below = cum;
    for (let k = 0; k < NAMED_BANDS; k++) {
      const dst = out[NAMED_BANDS + 1 - k]!;
      const slot = this.#order[k];
      const col = slot === undefined ? undefined : this.#slots.get(slot);
      for (let j = 0; j < n; j++) dst[j] = below[j]! + (col ? col[j]! : 0);
      below = dst;
    }
    const total = out[1]!;
    for (let j = 0; j < n; j++) total[j] = below[j]!;
    for (const [slot, col] of this.#slots) {
      if (named.has(slot)) continue;
      for (let j = 0; j < n; j++) total[j]! += col[j]!;
    }
    out[NAMED_BANDS + 3]!.fill(this.capacityMiB, 0, n);
    out[NAMED_BANDS + 4]!.fill(this.evictionLineMiB, 0, n);
    return out.map((c) => c.subarray(0, n));
  }
}
