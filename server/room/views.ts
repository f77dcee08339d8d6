import type { NodeView, PodView } from '../../shared/protocol/views.ts';
import { procOomScore, oomBadness, pgtablePages } from '../../shared/sim/badness.ts';
import { allocatablePages, requestedPages } from '../../shared/sim/kubelet.ts';
import { nodeAvailablePages, nodeUsedPages, podRssPages, podUsagePages, podWorkingSetPages } from '../../shared/sim/memory.ts';
import { globalTotalPages } from '../../shared/sim/oomKiller.ts';
import { effectiveOomScoreAdj, qosClass } from '../../shared/sim/qos.ts';
import type { PodState, SimEvent, SimState } from '../../shared/sim/types.ts';
import { podScore } from './score.ts';

/**
 * Pure view builders: what each role sees of the simulation. The room computes each pod's view once per broadcast
 * and diffs it against the last one, so per-client work is only picking which diffs to send.
 */
export function nodeView(state: SimState): NodeView {
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

export function podView(state: SimState, p: PodState, owner: string | null): PodView {
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
    workingSetPages: podWorkingSetPages(p),
    swapPages: p.swapPages,
    lastReason: p.lastState?.reason ?? null,
    lastExitCode: p.lastState?.exitCode ?? null,
    backoffSec: p.backoffSec,
    restartAtTick: p.restartAtTick,
    pending: p.pending,
    served: p.requestsServed,
    dropped: p.requestsDropped,
    score: podScore(p),
    dying: p.dying,
    workload: p.spec.workload,
  };
}

/**
 * The fields of `next` that differ from `prev` (all of them when there is no `prev`), or null when nothing
 * changed. Object-valued fields (pending, workload) are replaced whole in the simulation, so identity suffices.
 */
export function diff<T extends object>(prev: T | undefined, next: T): Partial<T> | null {
  if (!prev) return { ...next };
  let out: Partial<T> | null = null;
  for (const k in next) {
    if (prev[k] !== next[k]) {
      out ??= {};
      out[k] = next[k];
    }
  }
  return out;
}

/** Events worth a reliable message (everything but per-command rejections, which the sender's ack reports). */
export function isNotable(e: SimEvent): boolean {
  return e.type !== 'command_rejected';
}

/**
 * Whether a student with pod slot `slot` (null: spectator) should get an event: their own pod's events, and the
 * node-wide ones (pressure, traffic, a global OOM kill, in which their pod was a candidate).
 */
export function concernsStudent(e: SimEvent, slot: string | null): boolean {
  if (e.type === 'command_rejected') return false;
  if (e.type === 'memory_pressure' || e.type === 'traffic') return true;
  if (e.type === 'oom_kill' && e.constraint === 'global') return true;
  return 'slot' in e && e.slot !== null && e.slot === slot;
}
