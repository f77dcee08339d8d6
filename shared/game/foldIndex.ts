import type { PodState } from '../sim/types.ts';
import { newestOwnIncident } from './incidents.ts';
import type { GameStats, Incident, SeenCounters, SlotStats } from './stats.ts';

/**
 * What the fold keeps beside a stats object, so that a tick allocates nothing (a room folds 50–300 pods ten times a
 * second): its slots in a list (a slot is never removed) with each one's place in it, and the tick's per-slot
 * scratch as typed arrays by that place. Not `Map`s cleared each tick: a long-lived `Map` reallocates its table in
 * the old generation on every clear and growth, which fed the full collections.
 */
export interface FoldIndex {
  list: SlotStats[];
  place: Map<string, number>;
  /** G6: each slot's best status this tick (-1: no pod). */
  status: Int8Array;
  /** G3: each slot's demand this tick, thousandths of a request. */
  demand: Float64Array;
  /**
   * Each slot's newest incident of its own (not a `caused` line; null: none), as of its first `ownAsOf` incidents (-1:
   * not looked for yet). Incidents are only ever appended, so only the ones after that need a look (see ownIncident).
   */
  own: (Incident | null)[];
  ownAsOf: Int32Array;
  /** The `seen` table this count is of, and how many entries it has. */
  seen: object;
  seenCount: number;
  /**
   * By a pod's place in the state's list: the pod object met there last tick and what the fold needs of it. A pod keeps
   * its place from tick to tick (the room advances its state in place), so the fold finds these by an identity check
   * instead of three look-ups by name and uid per pod per tick.
   */
  byPlace: (PodRecord | undefined)[];
}

/** A pod object's slot stats, that slot's place in `FoldIndex.list`, and the pod's `seen` entry. */
export interface PodRecord {
  pod: PodState;
  stats: SlotStats;
  place: number;
  seen: SeenCounters;
}
const folds = new WeakMap<object, FoldIndex>();

export function foldIndex(stats: GameStats): FoldIndex {
  let f = folds.get(stats.slots);
  if (!f) {
    const list = Object.values(stats.slots);
    const size = Math.max(64, list.length * 2);
    f = {
      list,
      place: new Map(list.map((s, i) => [s.slot, i])),
      status: new Int8Array(size),
      demand: new Float64Array(size),
      own: [],
      ownAsOf: new Int32Array(size).fill(-1),
      seen: stats.seen,
      seenCount: Object.keys(stats.seen).length,
      byPlace: [],
    };
    folds.set(stats.slots, f);
  }
  if (f.seen !== stats.seen) {
    f.seen = stats.seen;
    f.seenCount = Object.keys(stats.seen).length;
    f.byPlace.length = 0; // their `seen` entries belong to the old table
  }
  return f;
}

/** A slot just created in the stats' table joins the index (its scratch grows with it). */
export function addSlot(f: FoldIndex, created: SlotStats): void {
  f.place.set(created.slot, f.list.length);
  f.list.push(created);
  if (f.list.length <= f.status.length) return;
  const status = new Int8Array(f.list.length * 2);
  status.set(f.status);
  f.status = status;
  const demand = new Float64Array(f.list.length * 2);
  demand.set(f.demand);
  f.demand = demand;
  const ownAsOf = new Int32Array(f.list.length * 2).fill(-1);
  ownAsOf.set(f.ownAsOf);
  f.ownAsOf = ownAsOf;
}

/**
 * The newest own incident of the slot at `at`, looking only at the incidents appended since the last call (the walk
 * from the end past every `caused` line, each tick, fetched up to `maxIncidents` objects for a slot that caused many
 * shortages).
 */
export function ownIncident(f: FoldIndex, at: number, s: SlotStats): Incident | null {
  const list = s.incidents;
  const asOf = f.ownAsOf[at]!;
  if (asOf === list.length) return f.own[at] ?? null;
  // Never looked (asOf -1): the whole list, and nothing remembered yet to fall back on.
  const own = newestOwnIncident(list, Math.max(0, asOf)) ?? f.own[at] ?? null;
  f.own[at] = own;
  f.ownAsOf[at] = list.length;
  return own;
}
