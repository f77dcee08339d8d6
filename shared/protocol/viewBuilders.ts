import { oomBadness, pgtablePages, procOomScore } from '../sim/badness.ts';
import { allocatablePages, requestedPages } from '../sim/kubelet.ts';
import {
  nodeAvailablePages,
  nodeUsedPages,
  podRssPages,
  podUsagePages,
  podWorkingSetPages,
  type NodeFrame,
} from '../sim/memory.ts';
import { globalTotalPages } from '../sim/oomKiller.ts';
import { effectiveOomScoreAdj, qosClass } from '../sim/qos.ts';
import type { PodState } from '../sim/types.ts';
import type { NodeView, PodView } from './views.ts';

/**
 * The wire's views of a simulation state, built in one place: the server builds them for live sessions, the
 * client for pages that run or replay the simulation in the browser (the demo, a replay).
 */
export function nodeView(state: NodeFrame): NodeView {
  const n = state.node;
  return {
    name: n.name,
    capacityPages: n.capacityPages,
    reservedPages: n.reservedPages,
    allocatablePages: allocatablePages(state),
    requestedPages: requestedPages(state),
    usedPages: nodeUsedPages(state),
    availablePages: nodeAvailablePages(state),
    evictionThresholdPages: n.evictionThresholdPages,
    swapPages: n.swapPages,
    swapUsedPages: n.swapUsedPages,
    memoryPressure: n.memoryPressure,
    trafficMilli: n.trafficMilli,
    podCount: state.pods.length,
  };
}

/** One pod as the wire describes it; `score` comes from the game's rules, which the caller applies. */
export function podView(state: NodeFrame, p: PodState, owner: string | null, score: number): PodView {
  const view = blankPodView();
  refreshPodView(view, state, p, owner, score, null);
  return view;
}

/** A view whose every field is about to be set (all the fields, in one order, so every view has one shape). */
function blankPodView(): PodView {
  return {
    name: '',
    slot: '',
    owner: null,
    phase: 'Pending',
    phaseReason: null,
    state: 'Waiting',
    reason: null,
    restarts: 0,
    qos: 'BestEffort',
    requestPages: null,
    limitPages: null,
    adj: 0,
    adjOverride: null,
    oomScore: 0,
    usagePages: 0,
    rssPages: 0,
    cachePages: 0,
    cacheActivePages: 0,
    workingSetPages: 0,
    swapPages: 0,
    lastReason: null,
    lastExitCode: null,
    lastFinishedTick: null,
    backoffSec: 0,
    restartAtTick: 0,
    pending: null,
    served: 0,
    dropped: 0,
    score: 0,
    dying: false,
    workload: BLANK_WORKLOAD,
  };
}

const BLANK_WORKLOAD = {} as PodView['workload'];

/** Where a refresh that tracks no changes (a view built whole) writes its field names. */
const UNTRACKED = changedFields();

/**
 * The names of the fields that changed: the first `count` of `keys`. Written over from the start on each refresh,
 * never emptied (an array cut to length 0 gives up its storage and would grow again, an allocation per pod a frame);
 * made by `changedFields` with room for every field, so no refresh grows it.
 */
export interface ChangedFields {
  keys: (keyof PodView)[];
  count: number;
}

/** A ChangedFields with a place for each of a view's fields. */
export function changedFields(): ChangedFields {
  return { keys: Object.keys(blankPodView()) as (keyof PodView)[], count: 0 };
}

/**
 * Bring `view` up to date with pod `p` in place, naming in `changed` (when given) each field whose value changed.
 * A room refreshes every pod's view ten times a second to find what its frame carries; written field by field, it
 * allocates nothing and every access is to one known shape. Object fields (pending, workload) are replaced whole in
 * the simulation, so identity tells a change.
 *
 * Every line runs on every refresh: each field's name is written at the next place, the place kept only if the value
 * changed, and the value stored whether or not it did. With a branch per field, the fields that seldom change (a
 * restart, a last state, a phase message) left their branches without type feedback until a student's command first
 * took them; each first time threw the compiled function away, and the rooms ran it unoptimised until it was compiled
 * again (the room-tick benchmark, with students' commands: 30–40 % of the frame differ's time went to that).
 */
export function refreshPodView(
  view: PodView,
  state: NodeFrame,
  p: PodState,
  owner: string | null,
  score: number,
  changed: ChangedFields | null,
): void {
  const spec = p.spec;
  const adj = effectiveOomScoreAdj(spec, state.node.capacityPages);
  const rss = podRssPages(p);
  const total = globalTotalPages(state);
  const live = p.cState === 'Running';
  const badness = live ? oomBadness(rss, p.swapPages, pgtablePages(rss, p.swapPages), adj, total) : null;
  const reason =
    p.cState === 'Waiting'
      ? p.cWaitingReason
      : p.cState === 'Terminated'
        ? (p.cTerminated?.reason ?? null)
        : null;
  const qos = qosClass(spec.requestPages, spec.limitPages);
  const oomScore = live ? procOomScore(badness, total) : 0;
  const usage = podUsagePages(p);
  const cache = p.cacheActivePages + p.cacheInactivePages;
  const workingSet = podWorkingSetPages(p);
  const last = p.lastState;
  const lastReason = last?.reason ?? null;
  const lastExitCode = last?.exitCode ?? null;
  const lastFinishedTick = last?.finishedTick ?? null;
  const v = view;
  const keys = (changed ?? UNTRACKED).keys;
  let n = 0;
  keys[n] = 'name';
  n += v.name !== p.name ? 1 : 0;
  v.name = p.name;
  keys[n] = 'slot';
  n += v.slot !== p.slot ? 1 : 0;
  v.slot = p.slot;
  keys[n] = 'owner';
  n += v.owner !== owner ? 1 : 0;
  v.owner = owner;
  keys[n] = 'phase';
  n += v.phase !== p.phase ? 1 : 0;
  v.phase = p.phase;
  keys[n] = 'phaseReason';
  n += v.phaseReason !== p.phaseReason ? 1 : 0;
  v.phaseReason = p.phaseReason;
  keys[n] = 'state';
  n += v.state !== p.cState ? 1 : 0;
  v.state = p.cState;
  keys[n] = 'reason';
  n += v.reason !== reason ? 1 : 0;
  v.reason = reason;
  keys[n] = 'restarts';
  n += v.restarts !== p.restartCount ? 1 : 0;
  v.restarts = p.restartCount;
  keys[n] = 'qos';
  n += v.qos !== qos ? 1 : 0;
  v.qos = qos;
  keys[n] = 'requestPages';
  n += v.requestPages !== spec.requestPages ? 1 : 0;
  v.requestPages = spec.requestPages;
  keys[n] = 'limitPages';
  n += v.limitPages !== spec.limitPages ? 1 : 0;
  v.limitPages = spec.limitPages;
  keys[n] = 'adj';
  n += v.adj !== adj ? 1 : 0;
  v.adj = adj;
  keys[n] = 'adjOverride';
  n += v.adjOverride !== spec.oomScoreAdjOverride ? 1 : 0;
  v.adjOverride = spec.oomScoreAdjOverride;
  keys[n] = 'oomScore';
  n += v.oomScore !== oomScore ? 1 : 0;
  v.oomScore = oomScore;
  keys[n] = 'usagePages';
  n += v.usagePages !== usage ? 1 : 0;
  v.usagePages = usage;
  keys[n] = 'rssPages';
  n += v.rssPages !== rss ? 1 : 0;
  v.rssPages = rss;
  keys[n] = 'cachePages';
  n += v.cachePages !== cache ? 1 : 0;
  v.cachePages = cache;
  keys[n] = 'cacheActivePages';
  n += v.cacheActivePages !== p.cacheActivePages ? 1 : 0;
  v.cacheActivePages = p.cacheActivePages;
  keys[n] = 'workingSetPages';
  n += v.workingSetPages !== workingSet ? 1 : 0;
  v.workingSetPages = workingSet;
  keys[n] = 'swapPages';
  n += v.swapPages !== p.swapPages ? 1 : 0;
  v.swapPages = p.swapPages;
  keys[n] = 'lastReason';
  n += v.lastReason !== lastReason ? 1 : 0;
  v.lastReason = lastReason;
  keys[n] = 'lastExitCode';
  n += v.lastExitCode !== lastExitCode ? 1 : 0;
  v.lastExitCode = lastExitCode;
  keys[n] = 'lastFinishedTick';
  n += v.lastFinishedTick !== lastFinishedTick ? 1 : 0;
  v.lastFinishedTick = lastFinishedTick;
  keys[n] = 'backoffSec';
  n += v.backoffSec !== p.backoffSec ? 1 : 0;
  v.backoffSec = p.backoffSec;
  keys[n] = 'restartAtTick';
  n += v.restartAtTick !== p.restartAtTick ? 1 : 0;
  v.restartAtTick = p.restartAtTick;
  keys[n] = 'pending';
  n += v.pending !== p.pending ? 1 : 0;
  v.pending = p.pending;
  keys[n] = 'served';
  n += v.served !== p.requestsServed ? 1 : 0;
  v.served = p.requestsServed;
  keys[n] = 'dropped';
  n += v.dropped !== p.requestsDropped ? 1 : 0;
  v.dropped = p.requestsDropped;
  keys[n] = 'score';
  n += v.score !== score ? 1 : 0;
  v.score = score;
  keys[n] = 'dying';
  n += v.dying !== p.dying ? 1 : 0;
  v.dying = p.dying;
  keys[n] = 'workload';
  n += v.workload !== spec.workload ? 1 : 0;
  v.workload = spec.workload;
  if (changed !== null) changed.count = n;
}
