import { oomBadness, pgtablePages, procOomScore } from './badness.ts';
import { daemonRssPages, podRssPages, podUsagePages } from './memory.ts';
import { effectiveOomScoreAdj, qosClass } from './qos.ts';
import type { OomCandidate, OomConstraint, OomKillEvent, PodState, SimState } from './types.ts';

/** The task whose allocation failed and so invoked the OOM killer. */
export interface Invoker {
  pid: number;
  comm: string;
  pod: string | null;
  oomScoreAdj: number;
}

/** The node's totalpages for a global OOM: RAM plus swap (K4). */
export function globalTotalPages(state: Pick<SimState, 'node'>): number {
  return state.node.capacityPages + state.node.swapPages;
}

/**
 * K4 (mm/memcontrol.c `mem_cgroup_get_max`, cgroup v2): a memory cgroup's totalpages is memory.max plus
 * min(memory.swap.max, total swap). The model leaves memory.swap.max at "max" (M5), so it is the limit plus the
 * node's swap.
 */
export function memcgTotalPages(state: Pick<SimState, 'node'>, limitPages: number): number {
  return limitPages + state.node.swapPages;
}

/** totalpages for one OOM of the given kind. */
export function oomTotalPages(state: Pick<SimState, 'node'>, constraint: OomConstraint, scope: PodState | null): number {
  if (constraint === 'memcg' && scope) return memcgTotalPages(state, scope.spec.limitPages ?? state.node.capacityPages);
  if (constraint === 'kubepods') return memcgTotalPages(state, state.node.kubepodsLimitPages ?? state.node.capacityPages);
  return globalTotalPages(state);
}

/** True while a container's process is alive and so can be scanned by the OOM killer. */
export function hasLiveProcess(p: PodState): boolean {
  return p.cState === 'Running';
}

function podCandidate(state: SimState, p: PodState, totalPages: number, globalTotal: number): OomCandidate {
  const rss = podRssPages(p);
  const pgt = pgtablePages(rss, p.swapPages);
  const adj = effectiveOomScoreAdj(p.spec, state.node.capacityPages);
  return {
    pid: p.pid,
    comm: p.spec.workload.comm,
    pod: p.name,
    slot: p.slot,
    rssPages: rss,
    anonPages: p.anonPages,
    fileRssPages: p.fileRssPages,
    swapPages: p.swapPages,
    pgtablePages: pgt,
    oomScoreAdj: adj,
    points: oomBadness(rss, p.swapPages, pgt, adj, totalPages),
    oomScore: procOomScore(oomBadness(rss, p.swapPages, pgt, adj, globalTotal), globalTotal),
  };
}

/**
 * The scan of one OOM (K5): every candidate in pid order with its points. For a memcg OOM only the cgroup's own
 * process; for a kubepods OOM every pod's process (the node agents live outside /kubepods.slice and are never
 * scanned); for a global OOM every process on the node. Processes already dying are included (they abort the scan).
 */
export function scanCandidates(state: SimState, constraint: OomConstraint, scope: PodState | null): OomCandidate[] {
  const globalTotal = globalTotalPages(state);
  const total = oomTotalPages(state, constraint, scope);
  if (constraint === 'memcg' && scope) {
    return hasLiveProcess(scope) ? [podCandidate(state, scope, total, globalTotal)] : [];
  }
  if (constraint === 'kubepods') {
    const rows: OomCandidate[] = [];
    for (const p of state.pods) if (hasLiveProcess(p)) rows.push(podCandidate(state, p, total, globalTotal));
    return rows.sort((a, b) => a.pid - b.pid);
  }
  const rows: OomCandidate[] = [];
  for (const d of state.node.daemons) {
    const rss = daemonRssPages(d);
    if (rss === 0) continue;
    const pgt = pgtablePages(rss, 0);
    const points = oomBadness(rss, 0, pgt, d.oomScoreAdj, globalTotal);
    rows.push({
      pid: d.pid,
      comm: d.comm,
      pod: null,
      slot: null,
      rssPages: rss,
      anonPages: rss,
      fileRssPages: 0,
      swapPages: 0,
      pgtablePages: pgt,
      oomScoreAdj: d.oomScoreAdj,
      points,
      oomScore: procOomScore(points, globalTotal),
    });
  }
  for (const p of state.pods) if (hasLiveProcess(p)) rows.push(podCandidate(state, p, globalTotal, globalTotal));
  rows.sort((a, b) => a.pid - b.pid);
  return rows;
}

/**
 * K6: the victim is the largest points; on equal points the later candidate in pid order wins (the kernel's skip
 * test is `points < chosen`). Exempt processes (null points) are never chosen; negative points still are.
 */
export function chooseVictim<C extends { points: number | null }>(candidates: readonly C[]): C | null {
  let chosen: C | null = null;
  for (const c of candidates) {
    if (c.points === null) continue;
    if (chosen !== null && chosen.points !== null && c.points < chosen.points) continue;
    chosen = c;
  }
  return chosen;
}

function oomCgroupInfo(state: SimState, constraint: OomConstraint, scope: PodState | null): OomKillEvent['oomCgroup'] {
  if (constraint === 'memcg' && scope) {
    return {
      usagePages: podUsagePages(scope),
      limitPages: scope.spec.limitPages ?? state.node.capacityPages,
      swapUsagePages: scope.swapPages,
      failcnt: scope.failcnt,
    };
  }
  if (constraint === 'kubepods') {
    let usage = 0;
    let swap = 0;
    for (const p of state.pods) {
      usage += podUsagePages(p);
      swap += p.swapPages;
    }
    const limit = state.node.kubepodsLimitPages ?? state.node.capacityPages;
    return { usagePages: usage, limitPages: limit, swapUsagePages: swap, failcnt: state.node.kubepodsFailcnt };
  }
  return null;
}

export interface OomOutcome {
  /** 'killed': a victim was chosen; 'waiting': a previous victim is still dying (K7); 'none': nobody killable. */
  result: 'killed' | 'waiting' | 'none';
  event: OomKillEvent | null;
}

/** Run the OOM killer once for a failed charge. Marks the victim dying and builds the oom_kill event. */
export function invokeOomKiller(
  state: SimState,
  constraint: OomConstraint,
  scope: PodState | null,
  invoker: Invoker,
): OomOutcome {
  const scoped = constraint === 'memcg' && scope ? [scope] : state.pods;
  // K7: one victim at a time: while a victim in scope has not been reaped, nobody new is killed.
  for (const p of scoped) if (p.dying) return { result: 'waiting', event: null };

  const candidates = scanCandidates(state, constraint, scope);
  const victim = chooseVictim(candidates);
  if (!victim) return { result: 'none', event: null };

  const totalPages = oomTotalPages(state, constraint, scope);
  const pod = victim.pod === null ? null : (state.pods.find((p) => p.pid === victim.pid) ?? null);
  const event: OomKillEvent = {
    tick: state.tick,
    type: 'oom_kill',
    constraint,
    pod: pod?.name ?? null,
    slot: pod?.slot ?? null,
    pid: victim.pid,
    comm: victim.comm,
    exitCode: 137,
    reason: 'OOMKilled',
    invoker,
    totalPages,
    candidates,
    victim,
    usagePages: pod ? podUsagePages(pod) : victim.rssPages,
    limitPages: pod?.spec.limitPages ?? null,
    failcnt: pod?.failcnt ?? 0,
    oomCgroup: oomCgroupInfo(state, constraint, scope),
    restartCount: pod?.restartCount ?? 0,
    qosClass: pod ? qosClass(pod.spec.requestPages, pod.spec.limitPages) : null,
    requestPages: pod?.spec.requestPages ?? null,
  };
  return { result: 'killed', event };
}
