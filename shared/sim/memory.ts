import type { DaemonState, PodState, SimState } from './types.ts';

/** The parts of a state that node-wide figures read (a replay frame has them too). */
export type NodeFrame = Pick<SimState, 'tick' | 'node' | 'pods'>;

/** M1: memory.current of a container: anonymous memory, mapped files and page cache (swap is counted apart). */
export function podUsagePages(p: PodState): number {
  return p.anonPages + p.fileRssPages + p.cacheInactivePages + p.cacheActivePages;
}

/** M2: the kubelet's working set: usage minus inactive file pages (active cache counts as used). */
export function podWorkingSetPages(p: PodState): number {
  return podUsagePages(p) - p.cacheInactivePages;
}

/** The process's resident set as the OOM killer counts it: anon + file-backed mapped pages (not page cache). */
export function podRssPages(p: PodState): number {
  return p.anonPages + p.fileRssPages;
}

export function daemonRssPages(d: DaemonState): number {
  return d.downUntilTick === -1 ? d.rssPages : 0;
}

/** RAM in use on the node: daemons plus every pod's usage. */
export function nodeUsedPages(state: NodeFrame): number {
  let used = 0;
  for (const d of state.node.daemons) used += daemonRssPages(d);
  for (const p of state.pods) used += podUsagePages(p);
  return used;
}

/** memory.available as the kubelet computes it: capacity minus the node's working set. */
export function nodeAvailablePages(state: NodeFrame): number {
  let ws = 0;
  for (const d of state.node.daemons) ws += daemonRssPages(d);
  for (const p of state.pods) ws += podWorkingSetPages(p);
  return state.node.capacityPages - ws;
}

/** Reclaim up to `want` pages of a container's page cache, inactive first (M3). Returns pages freed. */
export function reclaimPodCache(p: PodState, want: number): number {
  const fromInactive = Math.min(want, p.cacheInactivePages);
  p.cacheInactivePages -= fromInactive;
  const fromActive = Math.min(want - fromInactive, p.cacheActivePages);
  p.cacheActivePages -= fromActive;
  return fromInactive + fromActive;
}

/** Free every page a process held (reaped, evicted or deleted), swap included. Returns pages freed from RAM. */
export function releaseAllMemory(state: SimState, p: PodState): number {
  const freed = podUsagePages(p);
  state.node.swapUsedPages -= p.swapPages;
  p.anonPages = 0;
  p.fileRssPages = 0;
  p.cacheInactivePages = 0;
  p.cacheActivePages = 0;
  p.swapPages = 0;
  p.leakedPages = 0;
  p.inflightPages.fill(0);
  p.inflightReqs.fill(0);
  p.batchLoadedPages = 0;
  return freed;
}
