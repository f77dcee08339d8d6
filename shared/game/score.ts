/**
 * Scoring (docs/game.md, rules G1–G10): a pure function of what the simulation did, per slot (the student's app).
 * A service is paid for the requests it answers and charged for the ones its users did not get an answer to: in
 * flight when the process died, or sent while it was not Ready (starting, back-off, rescheduling, Pending). So a
 * kill costs what it costs in production, and nothing depends on how fast anyone clicked.
 */
import { PAGES_PER_MIB, TICKS_PER_SEC } from '../sim/units.ts';
import { podWorkingSetPages } from '../sim/memory.ts';
import type { PodState, SimEvent, SimState } from '../sim/types.ts';
import { addSlot, foldIndex, ownIncident } from './foldIndex.ts';
import { emptySlotStats, type GameStats, type Incident, type SlotStats } from './stats.ts';
import { addLoss, blankIncident, culprit, mib, oomIncident, pushIncident, recordCaused } from './incidents.ts';

/** What each thing is worth, and how long a restarted service takes to be Ready again. */
export interface ScoringRules {
  /** G1: one request answered while the service was Ready. */
  pointsPerRequest: number;
  /** G2: one batch finished. A batch that dies with the process earns nothing. */
  pointsPerBatch: number;
  /** G3: one request a user did not get an answer to (lost in flight, shed, or sent while not Ready). */
  pointsPerLostRequest: number;
  /**
   * G4: a container started after a crash, or a replacement pod after an eviction, takes this long to serve: the
   * runtime starts, the app loads and the readiness probe (period 10 s) passes; until then the Service sends it no
   * traffic, so its users' requests fail. Rollouts (a resource change, a code fix) are rolling updates: the old pod
   * serves until the new one is Ready, so they pay nothing.
   */
  startupSec: number;
  /** G4: an evicted pod's replacement is a new pod: the controller notices, the scheduler places it, the sandbox starts. */
  rescheduleSec: number;
  /**
   * G9: a neighbour's request lost to a node-wide OOM kill or an eviction that this slot caused (it was the pod the
   * furthest over its request, and the victim was someone else) costs this slot this much too.
   */
  pointsPerHarmedRequest: number;
  /**
   * G10: points per GiB·minute of memory used above the pod's request. The scheduler placed the node's other pods
   * counting on that memory; it is borrowed, and the kubelet evicts the pods furthest over their request first.
   * Cost tools bill a pod for max(request, usage); this is the part above the request.
   */
  pointsPerBorrowedGiBMin: number;
  /** G8: at most this many incidents are kept per slot for the post-mortem. */
  maxIncidents: number;
}

/** The rules every surface uses (leaderboard, roster, podium, CSV, post-mortem, tournament). */
export const SCORING: Readonly<ScoringRules> = {
  pointsPerRequest: 1,
  pointsPerBatch: 200,
  pointsPerLostRequest: 1,
  startupSec: 20,
  rescheduleSec: 20,
  pointsPerHarmedRequest: 1,
  pointsPerBorrowedGiBMin: 400,
  maxIncidents: 50,
};

/** The stats' shapes live in stats.ts; importers of the score get them here too. */
export type { GameStats, Incident, SeenCounters, SlotStats } from './stats.ts';
export { emptySlotStats, emptyStats } from './stats.ts';

/** 1 GiB for one minute, in page·ticks. */
const PAGE_TICKS_PER_GIB_MIN = 1024 * PAGES_PER_MIB * 60 * TICKS_PER_SEC;
const secTicks = (sec: number) => Math.round(sec * TICKS_PER_SEC);

const SERVING = 4;
const STARTING = 3;
const PENDING = 2;
const DOWN = 1;
const GONE = 0;

/** G6: a pod object's part in its slot's tick. */
function podStatus(p: PodState, tick: number, readyAt: number): number {
  if (p.cState === 'Running' && !p.dying) return tick >= readyAt ? SERVING : STARTING;
  if (p.phase === 'Pending' && p.scheduledTick < 0) return PENDING;
  if (p.phase === 'Failed' || p.phase === 'Succeeded') return GONE; // a finished pod object (an evicted one)
  return DOWN; // creating, back-off, just killed
}

/**
 * A slot's incidents opened this tick (the in-flight requests dropped this tick belong to them): a fresh table, made
 * only in a tick that opens one (updateStats does not re-enter).
 */
let opened: Map<string, Incident> | null = null;
const openedIn = (slot: string): Incident | undefined => opened?.get(slot);

/** A slot's stats, created on first sight (at `tick`). */
function slotOf(stats: GameStats, slot: string, tick: number): SlotStats {
  const s = stats.slots[slot];
  if (s !== undefined) return s;
  const f = foldIndex(stats); // before the new slot is in the table, so an index built now does not hold it yet
  const created = emptySlotStats(slot, tick);
  stats.slots[slot] = created;
  addSlot(f, created);
  return created;
}

/**
 * Fold one tick of the simulation into the stats, in place, after `advance`. O(pods + events); cheap for 300 pods.
 * Call it once per tick: a tick already folded in is ignored.
 */
export function updateStats(stats: GameStats, state: SimState, rules: Readonly<ScoringRules> = SCORING): void {
  if (state.tick <= stats.tick) return;
  stats.tick = state.tick;
  const tick = state.tick;
  opened = null;

  // Events first, so a restart this tick starts its start-up (G4) before its requests are counted.
  for (const e of state.events) foldEvent(stats, state, e, rules);

  // G1, G2: counters as differences per pod object; G6: one status per slot per tick, the best of its pods.
  const f = foldIndex(stats);
  f.status.fill(-1, 0, f.list.length);
  f.demand.fill(0, 0, f.list.length);
  const traffic = state.node.trafficUntilTick > tick ? state.node.trafficMilli : 1000;
  const seenTable = stats.seen;
  const pods = state.pods;
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    let r = f.byPlace[i];
    if (r === undefined || r.pod !== p) {
      const slotStats = slotOf(stats, p.slot, tick);
      // The uid as the key: the same property as its decimal text, without building that text every tick.
      let seen = seenTable[p.uid];
      if (seen === undefined) {
        seen = seenTable[p.uid] = { served: 0, dropped: 0, batches: 0, restarts: 0 };
        f.seenCount++;
      }
      r = f.byPlace[i] = { pod: p, stats: slotStats, place: f.place.get(p.slot)!, seen };
    }
    const { stats: s, place: at, seen } = r;
    const dServed = p.requestsServed - seen.served;
    const dDropped = p.requestsDropped - seen.dropped;
    const dBatches = p.batchesDone - seen.batches;
    const ready = tick >= s.readyAtTick;
    s.requestsServed += dServed;
    s.requestsScored += ready ? dServed : 0;
    s.requestsUnready += ready ? 0 : dServed;
    s.requestsDropped += dDropped;
    s.batchesDone += dBatches;
    s.restarts += p.restartCount - seen.restarts;
    s.earned += (ready ? dServed : 0) * rules.pointsPerRequest + dBatches * rules.pointsPerBatch;
    if (dDropped > 0) {
      s.requestsLost += dDropped;
      const incident = openedIn(p.slot);
      if (incident) {
        incident.lostInFlight += dDropped;
        addLoss(stats, incident, dDropped, rules);
      }
    }
    seen.served = p.requestsServed;
    seen.dropped = p.requestsDropped;
    seen.batches = p.batchesDone;
    seen.restarts = p.restartCount;
    const st = podStatus(p, tick, s.readyAtTick);
    if (st >= STARTING) s.borrowedPageTicks += Math.max(0, podWorkingSetPages(p) - (p.spec.requestPages ?? 0));
    if (f.status[at]! < st) f.status[at] = st;
    if (p.phase !== 'Failed' && p.phase !== 'Succeeded') {
      f.demand[at] = Math.round((p.spec.workload.requestsPerSec * traffic) / TICKS_PER_SEC);
    }
  }
  const list = f.list;
  for (let at = 0; at < list.length; at++) {
    const st = f.status[at]!;
    if (st < 0) continue; // no pod in this slot this tick
    const s = list[at]!;
    if (st === SERVING) s.runningTicks += 1;
    else if (st === STARTING) s.startingTicks += 1;
    else if (st === PENDING) s.pendingTicks += 1;
    else s.downTicks += 1;
    const own = ownIncident(f, at, s);
    const open = own !== null && own.open ? own : null;
    if (st === SERVING) {
      if (open) open.open = false;
      continue;
    }
    // G3: while not Ready, the requests its users send fail.
    if (open) open.downTicks += 1;
    s.lostMilli += f.demand[at]!;
    const lost = Math.floor(s.lostMilli / 1000);
    if (lost > 0) {
      s.lostMilli -= lost * 1000;
      s.requestsLost += lost;
      if (open) addLoss(stats, open, lost, rules);
    }
  }
  for (const s of list) {
    s.borrowedPoints = Math.floor((s.borrowedPageTicks * rules.pointsPerBorrowedGiBMin) / PAGE_TICKS_PER_GIB_MIN);
    s.score =
      s.earned - s.requestsLost * rules.pointsPerLostRequest - s.requestsHarmed * rules.pointsPerHarmedRequest - s.borrowedPoints;
  }

  // Forget pod objects that are gone (deleted by a rollout or garbage-collected after an eviction).
  if (f.seenCount > state.pods.length) {
    const live = new Set(state.pods.map((p) => String(p.uid)));
    for (const k of Object.keys(seenTable)) if (!live.has(k)) delete seenTable[k];
    f.seenCount = Object.keys(seenTable).length;
  }
}

function foldEvent(
  stats: GameStats,
  state: SimState,
  e: SimEvent,
  rules: Readonly<ScoringRules>,
): void {
  switch (e.type) {
    case 'oom_kill': {
      if (e.slot === null) break;
      const s = slotOf(stats, e.slot, state.tick);
      if (e.constraint === 'memcg') s.killsMemcg += 1;
      else s.killsGlobal += 1;
      const i = oomIncident(state, e);
      pushIncident(s, i, rules);
      (opened ??= new Map()).set(e.slot, i);
      if (i.causedBy !== null) recordCaused(slotOf(stats, i.causedBy, state.tick), i, e.slot, rules);
      break;
    }
    case 'evicted': {
      const s = slotOf(stats, e.slot, state.tick);
      s.evictions += 1;
      s.evictedAwaitingStart = true;
      const p = state.pods.find((q) => q.name === e.pod);
      const i = blankIncident(e.tick, 'evicted', e.pod);
      i.usageMiB = mib(e.usagePages);
      i.limitMiB = p?.spec.limitPages == null ? null : mib(p.spec.limitPages);
      i.requestMiB = e.requestPages === null ? null : mib(e.requestPages);
      i.causedBy = culprit(state, e.slot, e.usagePages - (e.requestPages ?? 0));
      pushIncident(s, i, rules);
      (opened ??= new Map()).set(e.slot, i);
      if (i.causedBy !== null) recordCaused(slotOf(stats, i.causedBy, state.tick), i, e.slot, rules);
      break;
    }
    case 'terminated': {
      if (e.reason === 'OOMKilled') break;
      const s = slotOf(stats, e.slot, state.tick);
      const kind = e.signal === 9 ? 'sigkill' : 'exit';
      if (kind === 'sigkill') s.sigkills += 1;
      else s.exits += 1;
      const p = state.pods.find((q) => q.name === e.pod);
      const i = blankIncident(e.tick, kind, e.pod);
      i.limitMiB = p?.spec.limitPages == null ? null : mib(p.spec.limitPages);
      i.requestMiB = p?.spec.requestPages == null ? null : mib(p.spec.requestPages);
      pushIncident(s, i, rules);
      (opened ??= new Map()).set(e.slot, i);
      break;
    }
    case 'restarted':
      // G4: a restart in place: the runtime starts, the app loads, the probe passes.
      slotOf(stats, e.slot, state.tick).readyAtTick = e.tick + secTicks(rules.startupSec);
      break;
    case 'started': {
      const s = slotOf(stats, e.slot, state.tick);
      // G4: an evicted pod's replacement pays the rescheduling and the start-up; a rollout's new pod pays nothing.
      if (s.evictedAwaitingStart) s.readyAtTick = e.tick + secTicks(rules.startupSec + rules.rescheduleSec);
      s.evictedAwaitingStart = false;
      break;
    }
    case 'pod_created':
      if (e.replaces !== null) slotOf(stats, e.slot, state.tick).podsReplaced += 1;
      break;
    default:
      break;
  }
}
