/**
 * The game's per-slot bookkeeping as data (docs/game.md): what the score fold (score.ts) accumulates beside the
 * simulation, plain objects so they serialise with the recording.
 */
import { dict, type Dict } from '../util/dict.ts';

/** One thing that stopped a slot's service, or (kind `caused`) a neighbour's stop this slot caused. */
export interface Incident {
  tick: number;
  kind: 'oom_memcg' | 'oom_global' | 'evicted' | 'sigkill' | 'exit' | 'caused';
  /** Pod object name at the time (for `caused`: the victim's pod). */
  pod: string;
  usageMiB: number;
  limitMiB: number | null;
  requestMiB: number | null;
  /** Who asked for the memory that failed (OOM kills): comm and pod name, or null. */
  invoker: { comm: string; pod: string | null; self: boolean } | null;
  /** OOM kills: this pod's place in the kernel's ranking (1 = most points) and the number of candidates. */
  place: number | null;
  candidates: number | null;
  points: number | null;
  oomScoreAdj: number | null;
  /**
   * G9: a node-wide OOM kill or eviction: the slot furthest over its request when it happened, if not this one
   * (for `caused`: the victim's slot).
   */
  causedBy: string | null;
  /** G3: requests in flight that died with the process. */
  lostInFlight: number;
  /** G3, G4: ticks from the kill until the service was Ready again (back-off, rescheduling, start-up). */
  downTicks: number;
  /** G3: every request lost to this incident: in flight, plus those sent while it was down. */
  lostRequests: number;
  /** Points this incident cost (for `caused`: what the neighbour's loss cost this slot). */
  cost: number;
  /** Still counting (the service is not Ready again yet). */
  open: boolean;
}

/** Per-slot totals across every pod object the slot has had (rollouts and evictions make new ones). */
export interface SlotStats {
  slot: string;
  /** G5: earned − lost − harmed − borrowed. The one score every surface shows (it may go below 0). */
  score: number;
  /** G1, G2: points earned: requests answered while Ready, and batches. */
  earned: number;
  /** Requests the simulation completed, Ready or not. */
  requestsServed: number;
  /** G1: requests completed while Ready (the ones that earn). */
  requestsScored: number;
  /** Requests completed while starting up (G4): the Service sent them nowhere, so they earn nothing. */
  requestsUnready: number;
  /** Requests the simulation dropped: in flight at a kill or eviction, or shed by a full buffer. */
  requestsDropped: number;
  /** G3: requests users did not get an answer to (dropped, plus those sent while not Ready). */
  requestsLost: number;
  /** G9: neighbours' lost requests charged to this slot. */
  requestsHarmed: number;
  /** G10: pages above the request, summed over the ticks the container ran. */
  borrowedPageTicks: number;
  /** G10: points charged for it so far. */
  borrowedPoints: number;
  batchesDone: number;
  killsMemcg: number;
  killsGlobal: number;
  /** SIGKILL not from the OOM killer (the `kill` command), and other exits. */
  sigkills: number;
  exits: number;
  evictions: number;
  /** Node-wide OOM kills and evictions of neighbours this slot caused (G9). */
  caused: number;
  /** Container restarts in place (restartCount increments). */
  restarts: number;
  /** Pods created for this slot after the first (rollouts, evictions, resource changes). */
  podsReplaced: number;
  /**
   * G6: each tick is exactly one of: serving (Running and Ready), starting (Running, not Ready yet), Pending
   * (unscheduled), down (back-off, creating, dead).
   */
  runningTicks: number;
  startingTicks: number;
  pendingTicks: number;
  downTicks: number;
  /** Tick the slot was first seen. */
  firstTick: number;
  /** G4: the service is Ready from this tick on (while its container runs). */
  readyAtTick: number;
  /** G4: the next container start is an evicted pod's replacement (it pays the rescheduling too). */
  evictedAwaitingStart: boolean;
  /** G3: thousandths of a request sent while not Ready, carried between ticks. */
  lostMilli: number;
  incidents: Incident[];
}

/** The accumulator a server keeps beside the simulation state: plain data, so it serialises with the recording. */
export interface GameStats {
  /** Last tick folded in (updateStats is idempotent for a tick it has already seen). */
  tick: number;
  slots: Dict<SlotStats>;
  /** Per pod object (by uid): counters already counted, so each tick adds only the difference. */
  seen: Dict<SeenCounters>;
}

/** A pod object's counters as last folded in. */
export interface SeenCounters {
  served: number;
  dropped: number;
  batches: number;
  restarts: number;
}

export function emptyStats(): GameStats {
  return { tick: -1, slots: dict(), seen: dict() };
}

/** A slot's stats before anything happened to it (first seen at `tick`). */
export function emptySlotStats(slot: string, tick: number): SlotStats {
  return {
    slot,
    score: 0,
    earned: 0,
    requestsServed: 0,
    requestsScored: 0,
    requestsUnready: 0,
    requestsDropped: 0,
    requestsLost: 0,
    requestsHarmed: 0,
    borrowedPageTicks: 0,
    borrowedPoints: 0,
    batchesDone: 0,
    killsMemcg: 0,
    killsGlobal: 0,
    sigkills: 0,
    exits: 0,
    evictions: 0,
    caused: 0,
    restarts: 0,
    podsReplaced: 0,
    runningTicks: 0,
    startingTicks: 0,
    pendingTicks: 0,
    downTicks: 0,
    firstTick: tick,
    readyAtTick: 0,
    evictedAwaitingStart: false,
    lostMilli: 0,
    incidents: [],
  };
}
