import type { HistoryView } from '../../shared/protocol/views.ts';
import type { SimState } from '../../shared/sim/types.ts';
import { dict } from '../../shared/util/dict.ts';
import { nodeAvailablePages, nodeUsedPages, podRssPages, podUsagePages } from '../../shared/sim/memory.ts';

/** Sim ticks between samples (2 a second) and how many are kept (the charts' one-minute window). */
export const HISTORY_EVERY_TICKS = 5;
export const HISTORY_SAMPLES = 120;

interface Sample {
  tick: number;
  available: number;
  threshold: number;
  used: number;
  /** slot → [usage, rss, limit (-1 none), request (-1 none)] */
  pods: Map<string, [number, number, number, number]>;
}

/**
 * The room's last minute of memory, so a page that reloads (or joins late) draws the chart it missed — the
 * evidence of a kill — instead of starting empty. One concept, no I/O: the room samples, views read.
 */
export class RecentHistory {
  #samples: Sample[] = [];

  clear(): void {
    this.#samples = [];
  }

  /** Take a sample of this state if one is due (every HISTORY_EVERY_TICKS ticks). */
  sample(s: SimState): void {
    const last = this.#samples.at(-1);
    if (last && s.tick < last.tick) this.clear();
    if (last && s.tick - last.tick < HISTORY_EVERY_TICKS) return;
    // The same figures the live views carry (PodView.usagePages, NodeView.availablePages), so the charts join up.
    const pods = new Map<string, [number, number, number, number]>();
    for (const p of s.pods) {
      const prev = pods.get(p.slot);
      pods.set(p.slot, [
        (prev?.[0] ?? 0) + podUsagePages(p),
        (prev?.[1] ?? 0) + podRssPages(p),
        p.spec.limitPages ?? -1,
        p.spec.requestPages ?? -1,
      ]);
    }
    this.#samples.push({
      tick: s.tick,
      available: nodeAvailablePages(s),
      threshold: s.node.evictionThresholdPages,
      used: nodeUsedPages(s),
      pods,
    });
    if (this.#samples.length > HISTORY_SAMPLES) this.#samples.shift();
  }

  /** Host and presenter: every slot's usage. A student: the node and their own slot only. */
  view(mySlot: string | null, everyone: boolean): HistoryView {
    const ss = this.#samples;
    const usage = dict<number[]>();
    if (everyone) {
      const slots = new Set<string>();
      for (const x of ss) for (const k of x.pods.keys()) slots.add(k);
      for (const k of slots) usage[k] = ss.map((x) => x.pods.get(k)?.[0] ?? 0);
    }
    const out: HistoryView = {
      ticks: ss.map((x) => x.tick),
      availablePages: ss.map((x) => x.available),
      thresholdPages: ss.map((x) => x.threshold),
      usedPages: ss.map((x) => x.used),
      usage,
    };
    if (mySlot !== null) {
      const col = (i: 0 | 1 | 2 | 3) => ss.map((x) => x.pods.get(mySlot)?.[i] ?? 0);
      const opt = (i: 2 | 3) =>
        ss.map((x) => {
          const v = x.pods.get(mySlot)?.[i];
          return v === undefined || v < 0 ? null : v;
        });
      usage[mySlot] = col(0);
      out.mine = { slot: mySlot, rssPages: col(1), limitPages: opt(2), requestPages: opt(3) };
    }
    return out;
  }
}
