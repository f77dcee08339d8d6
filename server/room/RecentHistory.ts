import type { HistoryView } from '../../shared/protocol/views.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { dict } from '../../shared/util/dict.ts';
import { nodeAvailablePages, nodeUsedPages, podRssPages, podUsagePages } from '../../shared/sim/memory.ts';

/** Sim ticks between samples (2 a second) and how many are kept (the charts' one-minute window). */
export const HISTORY_EVERY_TICKS = 5;
export const HISTORY_SAMPLES = 120;

/** No limit or request (and no pod in the slot at that sample). */
const NONE = -1;

/** One slot's figures at each position of the ring. A slot without a pod at a sample reads 0, 0, none, none. */
class SlotColumns {
  readonly usage = new Int32Array(HISTORY_SAMPLES);
  readonly rss = new Int32Array(HISTORY_SAMPLES);
  readonly limit = new Int32Array(HISTORY_SAMPLES).fill(NONE);
  readonly request = new Int32Array(HISTORY_SAMPLES).fill(NONE);
  /** The number of the last sample that saw a pod in this slot. */
  lastSeen = 0;

  clearAt(at: number): void {
    this.usage[at] = 0;
    this.rss[at] = 0;
    this.limit[at] = NONE;
    this.request[at] = NONE;
  }
}

/**
 * The room's last minute of memory, so a page that reloads (or joins late) draws the chart it missed — the
 * evidence of a kill — instead of starting empty. One concept, no I/O: the room samples, views read.
 *
 * Kept as columns in a ring (a typed array per slot and figure) rather than an object per sample: a server holds
 * this for every room, and a thousand students' minute as objects was the largest thing on its heap.
 */
export class RecentHistory {
  #ticks: number[] = [];
  #available: number[] = [];
  #threshold: number[] = [];
  #used: number[] = [];
  #slots = new Map<string, SlotColumns>();
  /** Ring position of the oldest sample, and how many samples have ever been taken (since the last clear). */
  #start = 0;
  #taken = 0;

  clear(): void {
    this.#ticks = [];
    this.#available = [];
    this.#threshold = [];
    this.#used = [];
    this.#slots.clear();
    this.#start = 0;
    this.#taken = 0;
  }

  /** Take a sample of this state if one is due (every HISTORY_EVERY_TICKS ticks). */
  sample(s: SimState): void {
    let last = this.#ticks.at(-1);
    if (last !== undefined && s.tick < last) {
      this.clear();
      last = undefined;
    }
    if (last !== undefined && s.tick - last < HISTORY_EVERY_TICKS) return;
    const full = this.#ticks.length === HISTORY_SAMPLES;
    const at = full ? this.#start : this.#ticks.length;
    if (full) {
      this.#start = (this.#start + 1) % HISTORY_SAMPLES;
      for (const list of [this.#ticks, this.#available, this.#threshold, this.#used]) list.shift();
    }
    this.#taken++;
    // The same figures the live views carry (PodView.usagePages, NodeView.availablePages), so the charts join up.
    this.#ticks.push(s.tick);
    this.#available.push(nodeAvailablePages(s));
    this.#threshold.push(s.node.evictionThresholdPages);
    this.#used.push(nodeUsedPages(s));
    for (const [slot, cols] of this.#slots) {
      // A slot no sample of the window has seen is forgotten, as the object form forgot it.
      if (cols.lastSeen <= this.#taken - HISTORY_SAMPLES) this.#slots.delete(slot);
      else cols.clearAt(at);
    }
    for (const p of s.pods) {
      let cols = this.#slots.get(p.slot);
      if (!cols) this.#slots.set(p.slot, (cols = new SlotColumns()));
      // Two pods in a slot (the old one dying, its replacement starting) add up; the limits are the last pod's.
      cols.usage[at]! += podUsagePages(p);
      cols.rss[at]! += podRssPages(p);
      cols.limit[at] = p.spec.limitPages ?? NONE;
      cols.request[at] = p.spec.requestPages ?? NONE;
      cols.lastSeen = this.#taken;
    }
  }

  /** One slot's figure over the window, oldest first. */
  #column(values: Int32Array): number[] {
    const out = new Array<number>(this.#ticks.length);
    for (let i = 0; i < out.length; i++) out[i] = values[(this.#start + i) % HISTORY_SAMPLES]!;
    return out;
  }

  /** Host and presenter: every slot's usage. A student: the node and their own slot only. */
  view(mySlot: string | null, everyone: boolean): HistoryView {
    const usage = dict<number[]>();
    if (everyone) for (const [slot, cols] of this.#slots) usage[slot] = this.#column(cols.usage);
    const out: HistoryView = {
      ticks: [...this.#ticks],
      availablePages: [...this.#available],
      thresholdPages: [...this.#threshold],
      usedPages: [...this.#used],
      usage,
    };
    if (mySlot !== null) {
      const cols = this.#slots.get(mySlot);
      const zeros = () => this.#ticks.map(() => 0);
      const opt = (values: Int32Array) => this.#column(values).map((v) => (v < 0 ? null : v));
      usage[mySlot] = cols ? this.#column(cols.usage) : zeros();
      out.mine = cols
        ? { slot: mySlot, rssPages: this.#column(cols.rss), limitPages: opt(cols.limit), requestPages: opt(cols.request) }
        : { slot: mySlot, rssPages: zeros(), limitPages: this.#ticks.map(() => null), requestPages: this.#ticks.map(() => null) };
    }
    return out;
  }
}
