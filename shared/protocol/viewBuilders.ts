import { oomBadness, pgtablePages, procOomScore } from '../sim/badness.ts';
import { allocatablePages, requestedPages } from '../sim/kubelet.ts';
import { nodeAvailablePages, nodeUsedPages, podRssPages, podUsagePages, podWorkingSetPages, type NodeFrame } from '../sim/memory.ts';
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
  const adj = effectiveOomScoreAdj(p.spec, state.node.capacityPages);
  const rss = podRssPages(p);
  const total = globalTotalPages(state);
  const live = p.cState === 'Running';
  const badness = live ? oomBadness(rss, p.swapPages, pgtablePages(rss, p.swapPages), adj, total) : null;
  return {
    name: p.name,
    slot: p.slot,
    owner,
    phase: p.phase,
    phaseReason: p.phaseReason,
    state: p.cState,
    reason: p.cState === 'Waiting' ? p.cWaitingReason : p.cState === 'Terminated' ? (p.cTerminated?.reason ?? null) : null,
    restarts: p.restartCount,
    qos: qosClass(p.spec.requestPages, p.spec.limitPages),
    requestPages: p.spec.requestPages,
    limitPages: p.spec.limitPages,
    adj,
    adjOverride: p.spec.oomScoreAdjOverride,
    oomScore: live ? procOomScore(badness, total) : 0,
    usagePages: podUsagePages(p),
    rssPages: rss,
    cachePages: p.cacheActivePages + p.cacheInactivePages,
    cacheActivePages: p.cacheActivePages,
    workingSetPages: podWorkingSetPages(p),
    swapPages: p.swapPages,
    lastReason: p.lastState?.reason ?? null,
    lastExitCode: p.lastState?.exitCode ?? null,
    lastFinishedTick: p.lastState?.finishedTick ?? null,
    backoffSec: p.backoffSec,
    restartAtTick: p.restartAtTick,
    pending: p.pending,
    served: p.requestsServed,
    dropped: p.requestsDropped,
    score,
    dying: p.dying,
    workload: p.spec.workload,
  };
}
