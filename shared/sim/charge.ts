import { podUsagePages, reclaimPodCache } from './memory.ts';
import { invokeOomKiller, type Invoker } from './oomKiller.ts';
import { effectiveOomScoreAdj } from './qos.ts';
import type { DaemonState, OomConstraint, PodState, SimState } from './types.ts';

/** Per-tick bookkeeping that is derived from the state, kept so each charge is O(1) and not O(pods). */
export interface TickContext {
  usedPages: number;
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

/** M3: reclaim page cache node-wide, largest caches first (stand-in for the kernel's LRU). Returns pages freed. */
function reclaimNodeCache(state: SimState, want: number): number {
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

/** M4: with swap on the node, anonymous pages are swapped out (largest first) once the cache is gone. */
function swapOut(state: SimState, want: number): number {
  const room = state.node.swapPages - state.node.swapUsedPages;
  if (room <= 0) return 0;
  let moved = 0;
  const target = Math.min(want, room);
  const byAnon = state.pods.filter((p) => p.anonPages > 0 && p.cState === 'Running' && !p.dying);
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

function killVictim(
  state: SimState,
  ctx: TickContext,
  constraint: OomConstraint,
  scope: PodState | null,
  invoker: Invoker,
): PodState | undefined {
  const outcome = invokeOomKiller(state, constraint, scope, invoker);
  if (outcome.result === 'none') {
    state.events.push({
      tick: state.tick,
      type: 'oom_no_victim',
      constraint,
      pod: scope?.name ?? null,
      slot: scope?.slot ?? null,
      message:
        constraint === 'global'
          ? 'Out of memory and no killable processes... (a real kernel panics: System is deadlocked on memory)'
          : 'Out of memory and no killable processes... (the allocation fails)',
    });
    return;
  }
  const ev = outcome.event;
  if (!ev) return; // 'waiting': a previous victim is still being reaped
  state.events.push(ev);
  if (ev.pod === null) {
    killDaemon(state, ctx, ev.pid);
    return;
  }
  const victim = state.pods.find((p) => p.pid === ev.pid && p.cState === 'Running');
  if (!victim) return;
  // K8: memory.oom.group=1 kills the container's whole cgroup; the pod has one process, so the effect is the same.
  victim.dying = true;
  victim.eventsOomKill += 1;
  return victim;
}

/** systemd restarts a killed node daemon after its RestartSec (10 s); its memory is freed meanwhile. */
function killDaemon(state: SimState, ctx: TickContext, pid: number): void {
  const daemons: DaemonState[] = state.node.daemons.map((d) => {
    if (d.pid !== pid) return d;
    ctx.usedPages -= d.rssPages;
    return { ...d, downUntilTick: state.tick + 100 };
  });
  state.node.daemons = daemons;
}

/**
 * The kernel's charge path for `n` new pages of a container (K9). Returns the pages granted (0..n).
 * 1. memory.max: over the limit → count a `max` event → reclaim the cgroup's cache → still over → memcg OOM.
 * 2. node RAM: short → reclaim cache node-wide → swap out → still short → global OOM.
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
  let grant = n;
  let memcgShort = false;
  const limit = p.spec.limitPages;
  if (limit !== null) {
    let over = podUsagePages(p) + grant - limit;
    if (over > 0) {
      p.eventsMax += 1;
      const freed = reclaimPodCache(p, over);
      ctx.usedPages -= freed;
      over -= freed;
      if (over > 0) {
        grant -= over;
        memcgShort = true;
        p.eventsOom += 1;
      }
    }
  }
  let nodeShort = false;
  if (grant > 0) {
    let short = ctx.usedPages + grant - state.node.capacityPages;
    if (short > 0) {
      // M3: like kswapd, reclaim past the shortfall up to a watermark, so the next allocations find free pages.
      const freed = reclaimNodeCache(state, short + (state.node.capacityPages >> 8));
      ctx.usedPages -= freed;
      short = ctx.usedPages + grant - state.node.capacityPages;
      if (short > 0) {
        const swapped = swapOut(state, short);
        ctx.usedPages -= swapped;
        short -= swapped;
      }
      if (short > 0) {
        grant -= short;
        nodeShort = true;
      }
    }
  }
  // What fits is charged first, so the OOM killer sees the cgroup at its limit or the node full.
  if (grant > 0) {
    addPages(p, kind, grant);
    ctx.usedPages += grant;
  }
  if (memcgShort || nodeShort) {
    const victim = killVictim(state, ctx, memcgShort ? 'memcg' : 'global', memcgShort ? p : null, invokerOf(state, p));
    if (victim) onKill(victim);
  }
  return Math.max(0, grant);
}

/** Give anonymous pages back (requests finishing, a batch processed): resident ones first, then swapped ones. */
export function uncharge(state: SimState, ctx: TickContext, p: PodState, n: number): void {
  const resident = Math.min(n, p.anonPages);
  p.anonPages -= resident;
  ctx.usedPages -= resident;
  const swapped = Math.min(n - resident, p.swapPages);
  p.swapPages -= swapped;
  state.node.swapUsedPages -= swapped;
}
