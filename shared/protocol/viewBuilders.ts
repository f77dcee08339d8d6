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

/**
 * The names of the fields that changed: the first `count` of `keys`. Written over from the start on each refresh,
 * never emptied (an array cut to length 0 gives up its storage and would grow again, an allocation per pod a frame).
 */
export interface ChangedFields {
  keys: (keyof PodView)[];
  count: number;
}

/**
 * Bring `view` up to date with pod `p` in place, naming in `changed` (when given) each field whose value changed.
 * A room refreshes every pod's view ten times a second to find what its frame carries; written field by field, it
 * allocates nothing and every access is to one known shape. Object fields (pending, workload) are replaced whole in
 * the simulation, so identity tells a change.
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
  const ch = changed;
  if (ch !== null) ch.count = 0;
  if (v.name !== p.name) {
    v.name = p.name;
    if (ch !== null) ch.keys[ch.count++] = 'name';
  }
  if (v.slot !== p.slot) {
    v.slot = p.slot;
    if (ch !== null) ch.keys[ch.count++] = 'slot';
  }
  if (v.owner !== owner) {
    v.owner = owner;
    if (ch !== null) ch.keys[ch.count++] = 'owner';
  }
  if (v.phase !== p.phase) {
    v.phase = p.phase;
    if (ch !== null) ch.keys[ch.count++] = 'phase';
  }
  if (v.phaseReason !== p.phaseReason) {
    v.phaseReason = p.phaseReason;
    if (ch !== null) ch.keys[ch.count++] = 'phaseReason';
  }
  if (v.state !== p.cState) {
    v.state = p.cState;
    if (ch !== null) ch.keys[ch.count++] = 'state';
  }
  if (v.reason !== reason) {
    v.reason = reason;
    if (ch !== null) ch.keys[ch.count++] = 'reason';
  }
  if (v.restarts !== p.restartCount) {
    v.restarts = p.restartCount;
    if (ch !== null) ch.keys[ch.count++] = 'restarts';
  }
  if (v.qos !== qos) {
    v.qos = qos;
    if (ch !== null) ch.keys[ch.count++] = 'qos';
  }
  if (v.requestPages !== spec.requestPages) {
    v.requestPages = spec.requestPages;
    if (ch !== null) ch.keys[ch.count++] = 'requestPages';
  }
  if (v.limitPages !== spec.limitPages) {
    v.limitPages = spec.limitPages;
    if (ch !== null) ch.keys[ch.count++] = 'limitPages';
  }
  if (v.adj !== adj) {
    v.adj = adj;
    if (ch !== null) ch.keys[ch.count++] = 'adj';
  }
  if (v.adjOverride !== spec.oomScoreAdjOverride) {
    v.adjOverride = spec.oomScoreAdjOverride;
    if (ch !== null) ch.keys[ch.count++] = 'adjOverride';
  }
  if (v.oomScore !== oomScore) {
    v.oomScore = oomScore;
    if (ch !== null) ch.keys[ch.count++] = 'oomScore';
  }
  if (v.usagePages !== usage) {
    v.usagePages = usage;
    if (ch !== null) ch.keys[ch.count++] = 'usagePages';
  }
  if (v.rssPages !== rss) {
    v.rssPages = rss;
    if (ch !== null) ch.keys[ch.count++] = 'rssPages';
  }
  if (v.cachePages !== cache) {
    v.cachePages = cache;
    if (ch !== null) ch.keys[ch.count++] = 'cachePages';
  }
  if (v.cacheActivePages !== p.cacheActivePages) {
    v.cacheActivePages = p.cacheActivePages;
    if (ch !== null) ch.keys[ch.count++] = 'cacheActivePages';
  }
  if (v.workingSetPages !== workingSet) {
    v.workingSetPages = workingSet;
    if (ch !== null) ch.keys[ch.count++] = 'workingSetPages';
  }
  if (v.swapPages !== p.swapPages) {
    v.swapPages = p.swapPages;
    if (ch !== null) ch.keys[ch.count++] = 'swapPages';
  }
  if (v.lastReason !== lastReason) {
    v.lastReason = lastReason;
    if (ch !== null) ch.keys[ch.count++] = 'lastReason';
  }
  if (v.lastExitCode !== lastExitCode) {
    v.lastExitCode = lastExitCode;
    if (ch !== null) ch.keys[ch.count++] = 'lastExitCode';
  }
  if (v.lastFinishedTick !== lastFinishedTick) {
    v.lastFinishedTick = lastFinishedTick;
    if (ch !== null) ch.keys[ch.count++] = 'lastFinishedTick';
  }
  if (v.backoffSec !== p.backoffSec) {
    v.backoffSec = p.backoffSec;
    if (ch !== null) ch.keys[ch.count++] = 'backoffSec';
  }
  if (v.restartAtTick !== p.restartAtTick) {
    v.restartAtTick = p.restartAtTick;
    if (ch !== null) ch.keys[ch.count++] = 'restartAtTick';
  }
  if (v.pending !== p.pending) {
    v.pending = p.pending;
    if (ch !== null) ch.keys[ch.count++] = 'pending';
  }
  if (v.served !== p.requestsServed) {
    v.served = p.requestsServed;
    if (ch !== null) ch.keys[ch.count++] = 'served';
  }
  if (v.dropped !== p.requestsDropped) {
    v.dropped = p.requestsDropped;
    if (ch !== null) ch.keys[ch.count++] = 'dropped';
  }
  if (v.score !== score) {
    v.score = score;
    if (ch !== null) ch.keys[ch.count++] = 'score';
  }
  if (v.dying !== p.dying) {
    v.dying = p.dying;
    if (ch !== null) ch.keys[ch.count++] = 'dying';
  }
  if (v.workload !== spec.workload) {
    v.workload = spec.workload;
    if (ch !== null) ch.keys[ch.count++] = 'workload';
  }
}
