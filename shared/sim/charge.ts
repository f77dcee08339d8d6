import { markDaemonKilled } from './agents.ts';
import { podUsagePages, reclaimPodCache } from './memory.ts';
import { invokeOomKiller, type Invoker } from './oomKiller.ts';
import { effectiveOomScoreAdj } from './qos.ts';
import type { OomConstraint, PodState, SimState } from './types.ts';

/** Per-tick bookkeeping that is derived from the state, kept so each charge is O(1) and not O(pods). */
export interface TickContext {
  /** RAM in use on the node (daemons and pods). */
  usedPages: number;
  /** memory.current of /kubepods.slice: every pod's usage. */
  kubepodsPages: number;
}

export type ChargeKind = 'anon' | 'file' | 'cache';

function invokerOf(state: SimState, p: PodState): Invoker {
  return {
    pid: p.pid,
    comm: p.spec.workload.comm,
    pod: p.name,
    oomScoreAdj: effectiveOomScoreAdj(p.spec, state.node.capacityPages),
  };
}

function addPages(p: PodState, kind: ChargeKind, n: number): void {
  if (kind === 'anon') p.anonPages += n;
  else if (kind === 'file') p.fileRssPages += n;
  else p.cacheInactivePages += n;
}

/** Pages left RAM (reclaimed or swapped out): both the node's and /kubepods.slice's counters fall. */
function released(ctx: TickContext, n: number): void {
  ctx.usedPages -= n;
  ctx.kubepodsPages -= n;
}

/** M3: reclaim page cache from pods, largest caches first (stand-in for the kernel's LRU). Returns pages freed. */
function reclaimPodsCache(state: SimState, want: number): number {
  let freed = 0;
  const withCache = state.pods.filter((p) => p.cacheInactivePages + p.cacheActivePages > 0);
  withCache.sort((a, b) => b.cacheInactivePages - a.cacheInactivePages || a.uid - b.uid);
  for (const p of withCache) {
    if (freed >= want) break;
    const take = Math.min(p.cacheInactivePages, want - freed);
    p.cacheInactivePages -= take;
    freed += take;
  }
  for (const p of withCache) {
    if (freed >= want) break;
    freed += reclaimPodCache(p, want - freed);
  }
  return freed;
}

/**
 * M4: with swap on the node, anonymous pages of running containers are swapped out (largest first) once the cache is
 * gone. Containers' memory.swap.max is left at "max" (M5), so only the node's swap space bounds it.
 */
function swapOut(state: SimState, pods: readonly PodState[], want: number): number {
  const room = state.node.swapPages - state.node.swapUsedPages;
  if (room <= 0 || want <= 0) return 0;
  let moved = 0;
  const target = Math.min(want, room);
  const byAnon = pods.filter((p) => p.anonPages > 0 && p.cState === 'Running' && !p.dying);
  byAnon.sort((a, b) => b.anonPages - a.anonPages || a.uid - b.uid);
  for (const p of byAnon) {
    if (moved >= target) break;
    const take = Math.min(p.anonPages, target - moved);
    p.anonPages -= take;
    p.swapPages += take;
    moved += take;
  }
  state.node.swapUsedPages += moved;
  return moved;
}

const NO_VICTIM: Record<OomConstraint, string> = {
  global: 'Out of memory and no killable processes... (a real kernel panics: System is deadlocked on memory)',
  kubepods: 'Out of memory and no killable processes... (in /kubepods.slice: the allocation fails)',
  memcg: 'Out of memory and no killable processes... (the allocation fails)',
};

function killVictim(
  state: SimState,
  ctx: TickContext,
  constraint: OomConstraint,
  scope: PodState | null,
  invoker: Invoker,
): PodState | undefined {
  const outcome = invokeOomKiller(state, constraint, scope, invoker);
  if (outcome.result === 'none') {
    // K11: reported once, not at every failed allocation: until the OOM killer next finds a victim at that level.
    const reported = constraint === 'memcg' && scope ? scope.noVictimReported : state.node.noVictimReported;
    if (reported) return;
    if (constraint === 'memcg' && scope) scope.noVictimReported = true;
    else state.node.noVictimReported = true;
    state.events.push({
      tick: state.tick,
      type: 'oom_no_victim',
      constraint,
      pod: scope?.name ?? null,
      slot: scope?.slot ?? null,
      message: NO_VICTIM[constraint],
    });
    return;
  }
  const ev = outcome.event;
  if (!ev) return; // 'waiting': a previous victim is still being reaped
  if (constraint !== 'memcg') state.node.noVictimReported = false;
  state.events.push(ev);
  if (ev.pod === null) {
    // N4: a node agent: systemd sees its unit killed by the OOM killer; its memory is freed at once.
    ctx.usedPages -= markDaemonKilled(state, ev.pid);
    return;
  }
  const victim = state.pods.find((p) => p.pid === ev.pid && p.cState === 'Running');
  if (!victim) return;
  // K8: memory.oom.group=1 kills the container's whole cgroup; the pod has one process, so the effect is the same.
  victim.dying = true;
  victim.eventsOomKill += 1;
  return victim;
}

/**
 * The kernel's charge path for `n` new pages of a container (K9). Returns the pages granted (0..n).
 * 1. the container's memory.max: over → count a `max` event → reclaim its cache, swap its anon → still over → memcg OOM.
 * 2. /kubepods.slice's memory.max (node allocatable, N6): over → reclaim and swap in the pods → kubepods OOM.
 * 3. node RAM: short → reclaim cache node-wide → swap out → still short → global OOM.
 * An allocation that fails is not granted; the OOM killer runs and the task retries next tick.
 */
export function charge(
  state: SimState,
  ctx: TickContext,
  p: PodState,
  kind: ChargeKind,
  n: number,
  onKill: (victim: PodState) => void,
): number {
  if (n <= 0) return 0;
  // How much of the allocation fits under each of the three limits, after that level's reclaim (K9, K10).
  let memcgRoom = n;
  const limit = p.spec.limitPages;
  if (limit !== null) {
    let over = podUsagePages(p) + n - limit;
    if (over > 0) {
      p.eventsMax += 1;
      p.failcnt += 1;
      const freed = reclaimPodCache(p, over);
      released(ctx, freed);
      over -= freed;
      const swapped = swapOut(state, [p], over);
      released(ctx, swapped);
      over -= swapped;
      memcgRoom = n - Math.max(0, over);
    }
  }
  let kubepodsRoom = n;
  const kubepodsLimit = state.node.kubepodsLimitPages;
  if (kubepodsLimit !== null) {
    let over = ctx.kubepodsPages + n - kubepodsLimit;
    if (over > 0) {
      state.node.kubepodsFailcnt += 1;
      const freed = reclaimPodsCache(state, over);
      released(ctx, freed);
      over -= freed;
      const swapped = swapOut(state, state.pods, over);
      released(ctx, swapped);
      over -= swapped;
      kubepodsRoom = n - Math.max(0, over);
    }
  }
  let nodeRoom = n;
  let shortfall = ctx.usedPages + n - state.node.capacityPages;
  if (shortfall > 0) {
    // M3: like kswapd, reclaim past the shortfall up to a watermark, so the next allocations find free pages.
    const freed = reclaimPodsCache(state, shortfall + (state.node.capacityPages >> 8));
    released(ctx, freed);
    shortfall = ctx.usedPages + n - state.node.capacityPages;
    if (shortfall > 0) {
      const swapped = swapOut(state, state.pods, shortfall);
      released(ctx, swapped);
      shortfall -= swapped;
    }
    nodeRoom = n - Math.max(0, shortfall);
  }
  // The limit with the least room is the one the allocation reaches first, page by page. On a tie the kernel's
  // page allocator fails before the memory cgroup charge (global), and a container's own counter is charged before
  // its parent's (memcg before kubepods).
  const grant = Math.min(memcgRoom, kubepodsRoom, nodeRoom);
  let short: OomConstraint | null = null;
  if (grant < n) short = nodeRoom === grant ? 'global' : memcgRoom === grant ? 'memcg' : 'kubepods';
  if (short === 'memcg') p.eventsOom += 1;
  // What fits is charged first, so the OOM killer sees the cgroup at its limit or the node full.
  if (grant > 0) {
    addPages(p, kind, grant);
    ctx.usedPages += grant;
    ctx.kubepodsPages += grant;
  }
  if (short !== null) {
    const victim = killVictim(state, ctx, short, short === 'memcg' ? p : null, invokerOf(state, p));
    if (victim) onKill(victim);
  }
  return Math.max(0, grant);
}

/** Give anonymous pages back (requests finishing, a batch processed): resident ones first, then swapped ones. */
export function uncharge(state: SimState, ctx: TickContext, p: PodState, n: number): void {
  const resident = Math.min(n, p.anonPages);
  p.anonPages -= resident;
  released(ctx, resident);
  const swapped = Math.min(n - resident, p.swapPages);
  p.swapPages -= swapped;
  state.node.swapUsedPages -= swapped;
}
