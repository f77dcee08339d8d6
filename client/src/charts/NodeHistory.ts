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

export const BAND_COLORS = ['#0072B2', '#56B4E9', '#009E73', '#F0E442', '#E69F00', '#CC79A7'] as const;
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

  clear(): void {
    this.#len = 0;
    this.#slots.clear();
    this.#order = [];
    this.#orderTick = -Infinity;
  }

  push(frame: Frame): void {
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
    for (const p of frame.pods) pods += p.usagePages;
    // What is not in a pod is the node's own daemons (kubelet, containerd).
    this.#system[i] = pagesToMiB(Math.max(0, frame.node.usedPages - pods));
    const seen = new Set<string>();
    for (const p of frame.pods) {
      let col = this.#slots.get(p.slot);
      if (!col) {
        col = new Float64Array(this.capacity);
        this.#slots.set(p.slot, col);
      }
      // Two pod objects of one slot can coexist briefly (eviction → replacement): add them up.
      col[i] = (seen.has(p.slot) ? col[i]! : 0) + pagesToMiB(p.usagePages);
      seen.add(p.slot);
    }
    for (const [slot, col] of this.#slots) if (!seen.has(slot)) col[i] = 0;
    this.capacityMiB = pagesToMiB(frame.node.capacityPages);
    this.evictionLineMiB = pagesToMiB(frame.node.capacityPages - frame.node.evictionThresholdPages);
    // Re-rank the named bands at most every 2 s of sim time, so bands do not flicker between pods.
    if (x - this.#orderTick >= 2 || x < this.#orderTick) {
      this.#orderTick = x;
      this.#order = [...this.#slots.entries()]
        .filter(([, c]) => c[i]! > 0)
        .sort((a, b) => b[1][i]! - a[1][i]! || (a[0] < b[0] ? -1 : 1))
        .slice(0, NAMED_BANDS)
        .map(([s]) => s);
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
    for (const [slot, col] of this.#slots) {
      if (!named.has(slot) && col[i]! > 0) {
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
      rows.push({ key: slot, label: nameOf(slot), mib: this.#slots.get(slot)![i]!, color: BAND_COLORS[k]! });
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
