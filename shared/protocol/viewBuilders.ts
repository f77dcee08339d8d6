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
  changed: (keyof PodView)[] | null,
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
  if (v.name !== p.name) {
    v.name = p.name;
    ch?.push('name');
  }
  if (v.slot !== p.slot) {
    v.slot = p.slot;
    ch?.push('slot');
  }
  if (v.owner !== owner) {
    v.owner = owner;
    ch?.push('owner');
  }
  if (v.phase !== p.phase) {
    v.phase = p.phase;
    ch?.push('phase');
  }
  if (v.phaseReason !== p.phaseReason) {
    v.phaseReason = p.phaseReason;
    ch?.push('phaseReason');
  }
  if (v.state !== p.cState) {
    v.state = p.cState;
    ch?.push('state');
  }
  if (v.reason !== reason) {
    v.reason = reason;
    ch?.push('reason');
  }
  if (v.restarts !== p.restartCount) {
    v.restarts = p.restartCount;
    ch?.push('restarts');
  }
  if (v.qos !== qos) {
    v.qos = qos;
    ch?.push('qos');
  }
  if (v.requestPages !== spec.requestPages) {
    v.requestPages = spec.requestPages;
    ch?.push('requestPages');
  }
  if (v.limitPages !== spec.limitPages) {
    v.limitPages = spec.limitPages;
    ch?.push('limitPages');
  }
  if (v.adj !== adj) {
    v.adj = adj;
    ch?.push('adj');
  }
  if (v.adjOverride !== spec.oomScoreAdjOverride) {
    v.adjOverride = spec.oomScoreAdjOverride;
    ch?.push('adjOverride');
  }
  if (v.oomScore !== oomScore) {
    v.oomScore = oomScore;
    ch?.push('oomScore');
  }
  if (v.usagePages !== usage) {
    v.usagePages = usage;
    ch?.push('usagePages');
  }
  if (v.rssPages !== rss) {
    v.rssPages = rss;
    ch?.push('rssPages');
  }
  if (v.cachePages !== cache) {
    v.cachePages = cache;
    ch?.push('cachePages');
  }
  if (v.cacheActivePages !== p.cacheActivePages) {
    v.cacheActivePages = p.cacheActivePages;
    ch?.push('cacheActivePages');
  }
  if (v.workingSetPages !== workingSet) {
    v.workingSetPages = workingSet;
    ch?.push('workingSetPages');
  }
  if (v.swapPages !== p.swapPages) {
    v.swapPages = p.swapPages;
    ch?.push('swapPages');
  }
  if (v.lastReason !== lastReason) {
    v.lastReason = lastReason;
    ch?.push('lastReason');
  }
  if (v.lastExitCode !== lastExitCode) {
    v.lastExitCode = lastExitCode;
    ch?.push('lastExitCode');
  }
  if (v.lastFinishedTick !== lastFinishedTick) {
    v.lastFinishedTick = lastFinishedTick;
    ch?.push('lastFinishedTick');
  }
  if (v.backoffSec !== p.backoffSec) {
    v.backoffSec = p.backoffSec;
    ch?.push('backoffSec');
  }
  if (v.restartAtTick !== p.restartAtTick) {
    v.restartAtTick = p.restartAtTick;
    ch?.push('restartAtTick');
  }
  if (v.pending !== p.pending) {
    v.pending = p.pending;
    ch?.push('pending');
  }
  if (v.served !== p.requestsServed) {
    v.served = p.requestsServed;
    ch?.push('served');
  }
  if (v.dropped !== p.requestsDropped) {
    v.dropped = p.requestsDropped;
    ch?.push('dropped');
  }
  if (v.score !== score) {
    v.score = score;
    ch?.push('score');
  }
  if (v.dying !== p.dying) {
    v.dying = p.dying;
    ch?.push('dying');
  }
  if (v.workload !== spec.workload) {
    v.workload = spec.workload;
    ch?.push('workload');
  }
}
