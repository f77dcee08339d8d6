import { nodeUsedPages } from './memory.ts';
import type { DaemonState, NodeReadyStatus, SimState } from './types.ts';
import { secToTicks, TICKS_PER_SEC } from './units.ts';

/**
 * The node agents (N3–N5): the kubelet and containerd are systemd services. When the OOM killer takes one, systemd
 * records `Failed with result 'oom-kill'` and restarts it after its unit's RestartSec; meanwhile the node works
 * without it. Running containers keep running (their shims are separate processes), but:
 * - without the kubelet nothing is started, restarted or evicted, and the API stops hearing from the node;
 * - without containerd the kubelet cannot create containers, so nothing is started or restarted.
 */

/** The kubelet posts node status every 10 s (nodeStatusUpdateFrequency). */
export const NODE_STATUS_UPDATE_TICKS = 10 * TICKS_PER_SEC;

export function agentUp(state: Pick<SimState, 'node'>, comm: 'kubelet' | 'containerd'): boolean {
  const d = state.node.daemons.find((x) => x.comm === comm);
  return !d || d.downUntilTick === -1;
}

/** Can the kubelet act on containers now (start, restart, evict)? Both agents must be up. */
export function kubeletCanRunContainers(state: Pick<SimState, 'node'>): boolean {
  return agentUp(state, 'kubelet') && agentUp(state, 'containerd');
}

/** A daemon was OOM-killed: it holds no memory until systemd restarts it (N4). Returns pages freed. */
export function markDaemonKilled(state: SimState, pid: number): number {
  let freed = 0;
  state.node.daemons = state.node.daemons.map((d) => {
    if (d.pid !== pid || d.downUntilTick !== -1) return d;
    freed = d.rssPages;
    const restartAtTick = state.tick + Math.max(1, secToTicks(d.restartSec));
    state.events.push({ tick: state.tick, type: 'daemon_down', comm: d.comm, pid: d.pid, result: 'oom-kill', restartAtTick });
    return { ...d, downUntilTick: restartAtTick, downSinceTick: state.tick };
  });
  return freed;
}

/**
 * N4: systemd restarts a killed agent after its RestartSec, as a new process (a new pid), if its memory fits in free
 * RAM; otherwise the start fails and is retried next tick (memory is never charged outside the allocation path).
 */
export function restartDaemons(state: SimState): void {
  const node = state.node;
  if (node.daemons.every((d) => d.downUntilTick === -1 || d.downUntilTick > state.tick)) return;
  let free = node.capacityPages - nodeUsedPages(state);
  node.daemons = node.daemons.map((d): DaemonState => {
    if (d.downUntilTick === -1 || d.downUntilTick > state.tick || d.rssPages > free) return d;
    free -= d.rssPages;
    const pid = state.nextPid++;
    const restarts = d.restarts + 1;
    state.events.push({ tick: state.tick, type: 'daemon_restarted', comm: d.comm, pid, restarts });
    return { ...d, pid, downUntilTick: -1, downSinceTick: -1, restarts };
  });
}

/**
 * N5: the node's Ready condition. A running kubelet posts it (False while the container runtime is down, at its next
 * status update); a dead kubelet posts nothing, and the node lifecycle controller sets Unknown once
 * node-monitor-grace-period has passed since the kubelet stopped. An event marks each change.
 */
export function updateNodeReady(state: SimState): void {
  const node = state.node;
  const kubelet = node.daemons.find((d) => d.comm === 'kubelet');
  let next: NodeReadyStatus = node.ready;
  let reason = '';
  let message = '';
  if (kubelet && kubelet.downUntilTick !== -1) {
    if (node.ready !== 'Unknown' && state.tick - kubelet.downSinceTick >= secToTicks(node.nodeMonitorGraceSec)) {
      next = 'Unknown';
      reason = 'NodeStatusUnknown';
      message = 'Kubelet stopped posting node status.';
    }
  } else if (!agentUp(state, 'containerd')) {
    if (node.ready !== 'False' && (node.ready === 'Unknown' || state.tick % NODE_STATUS_UPDATE_TICKS === 0)) {
      next = 'False';
      reason = 'KubeletNotReady';
      message = 'container runtime is down';
    }
  } else if (node.ready !== 'True') {
    next = 'True';
    reason = 'KubeletReady';
    message = 'kubelet is posting ready status';
  }
  if (next === node.ready) return;
  node.ready = next;
  state.events.push({ tick: state.tick, type: 'node_ready', status: next, reason, message });
}
