import type { NodeView, PodView } from '../../../shared/protocol/views.ts';
import type { PodState, SimState } from '../../../shared/sim/types.ts';
import { effectiveOomScoreAdj, qosClass } from '../../../shared/sim/qos.ts';

/** The parts of a simulation state the view builders read. */
export type SimFrameLike = Pick<SimState, 'tick' | 'node' | 'pods'>;

/** STATUS as `kubectl get pods` prints it, from the wire's pod view (same rule as shared/views podStatus). */
export function podViewStatus(p: PodView): string {
  if (p.phaseReason) return p.phaseReason;
  if (p.state === 'Waiting' || p.state === 'Terminated') return p.reason ?? p.state;
  if (p.phase === 'Pending') return 'Pending';
  return 'Running';
}

/**
 * A pod view from simulation state, for pages that run or replay the simulation in the browser (the demo, a
 * replay). Mirrors server/room/views.ts for the fields the visuals read; scores and oom_score are not computed.
 */
export function podViewFromState(state: SimFrameLike, p: PodState, owner: string | null): PodView {
  const rss = p.anonPages + p.fileRssPages;
  const cache = p.cacheActivePages + p.cacheInactivePages;
  return {
    name: p.name,
    slot: p.slot,
    owner,
    phase: p.phase,
    phaseReason: p.phaseReason,
    state: p.cState,
    reason:
      p.cState === 'Waiting'
        ? p.cWaitingReason
        : p.cState === 'Terminated'
          ? (p.cTerminated?.reason ?? null)
          : null,
    restarts: p.restartCount,
    qos: qosClass(p.spec.requestPages, p.spec.limitPages),
    requestPages: p.spec.requestPages,
    limitPages: p.spec.limitPages,
    adj: effectiveOomScoreAdj(p.spec, state.node.capacityPages),
    adjOverride: p.spec.oomScoreAdjOverride,
    oomScore: 0,
    usagePages: rss + cache,
    rssPages: rss,
    cachePages: cache,
    workingSetPages: rss + p.cacheActivePages,
    swapPages: p.swapPages,
    lastReason: p.lastState?.reason ?? null,
    lastExitCode: p.lastState?.exitCode ?? null,
    backoffSec: p.backoffSec,
    restartAtTick: p.restartAtTick,
    pending: p.pending,
    served: p.requestsServed,
    dropped: p.requestsDropped,
    score: 0,
    dying: p.dying,
    workload: p.spec.workload,
  };
}

export function nodeViewFromState(state: SimFrameLike): NodeView {
  const n = state.node;
  let daemons = 0;
  for (const d of n.daemons) daemons += d.downUntilTick > state.tick ? 0 : d.rssPages;
  let used = daemons;
  let ws = daemons;
  let requested = 0;
  for (const p of state.pods) {
    used += p.anonPages + p.fileRssPages + p.cacheActivePages + p.cacheInactivePages;
    ws += p.anonPages + p.fileRssPages + p.cacheActivePages;
    if (p.scheduledTick >= 0) requested += p.spec.requestPages ?? 0;
  }
  return {
    name: n.name,
    capacityPages: n.capacityPages,
    reservedPages: n.reservedPages,
    allocatablePages: n.capacityPages - n.reservedPages - n.evictionThresholdPages,
    requestedPages: requested,
    usedPages: used,
    availablePages: n.capacityPages - ws,
    evictionThresholdPages: n.evictionThresholdPages,
    swapPages: n.swapPages,
    swapUsedPages: n.swapUsedPages,
    memoryPressure: n.memoryPressure,
    trafficMilli: n.trafficMilli,
    podCount: state.pods.length,
  };
}
