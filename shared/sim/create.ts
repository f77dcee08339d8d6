import { CONTAINERD_OOM_SCORE_ADJ, KUBELET_OOM_SCORE_ADJ } from './qos.ts';
import { createPod, specFromTemplate } from './podLifecycle.ts';
import { normaliseSeed } from './random.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { NodeState, SimState } from './types.ts';
import { mibToPages } from './units.ts';

/** Bumped whenever a rule changes what a tick computes: recordings made under another version do not replay. */
export const SIM_VERSION = 2;

export const DEFAULT_SEED = 42;
export const DEFAULT_EVICTION_THRESHOLD_MIB = 100;
export const DEFAULT_ENGINEERING_SEC = { fix_leak: 60, add_backpressure: 20, stream_batch: 30 } as const;

/** N5: kube-controller-manager's --node-monitor-grace-period (50 s since Kubernetes 1.29; 40 s before). */
export const DEFAULT_NODE_MONITOR_GRACE_SEC = 50;
/** N4: upstream containerd.service `RestartSec=5`; the kubeadm kubelet.service `RestartSec=10`. */
export const DEFAULT_CONTAINERD_RESTART_SEC = 5;
export const DEFAULT_KUBELET_RESTART_SEC = 10;

/** N2: system-reserved + kube-reserved. The kubelet reserves nothing unless configured (its flags default to none). */
export function reservedMiB(cfg: Scenario['node']): number {
  return (cfg.reservedMiB ?? 0) + (cfg.systemReservedMiB ?? 0) + (cfg.kubeReservedMiB ?? 0);
}

/**
 * N6 (pkg/kubelet/cm/node_container_manager_linux.go): with `enforceNodeAllocatable: [pods]` (the default) the
 * kubelet sets memory.max of /kubepods.slice to capacity − system-reserved − kube-reserved, at least 0 (the eviction
 * threshold is not subtracted). Without enforcement the pods' parent cgroup has no limit.
 */
export function kubepodsLimitMiB(cfg: Scenario['node']): number | null {
  const enforce = cfg.enforceNodeAllocatable ?? ['pods'];
  if (!enforce.includes('pods')) return null;
  return Math.max(0, cfg.memoryMiB - reservedMiB(cfg));
}

function createNode(cfg: Scenario['node']): NodeState {
  const kubepods = kubepodsLimitMiB(cfg);
  return {
    name: 'node-1',
    capacityPages: mibToPages(cfg.memoryMiB),
    reservedPages: mibToPages(reservedMiB(cfg)),
    kubepodsLimitPages: kubepods === null ? null : mibToPages(kubepods),
    nodeMonitorGraceSec: cfg.nodeMonitorGracePeriodSec ?? DEFAULT_NODE_MONITOR_GRACE_SEC,
    evictionThresholdPages: mibToPages(cfg.evictionThresholdMiB ?? DEFAULT_EVICTION_THRESHOLD_MIB),
    swapPages: mibToPages(cfg.swapMiB ?? 0),
    inPlaceResize: cfg.inPlaceResize ?? false,
    engineeringSec: { ...DEFAULT_ENGINEERING_SEC, ...cfg.engineeringSec },
    // N3: node daemons use memory from the reserved share and are OOM candidates, protected but not exempt.
    daemons: [
      {
        pid: 540,
        comm: 'containerd',
        rssPages: mibToPages(48),
        oomScoreAdj: CONTAINERD_OOM_SCORE_ADJ,
        downUntilTick: -1,
        downSinceTick: -1,
        restartSec: cfg.containerdRestartSec ?? DEFAULT_CONTAINERD_RESTART_SEC,
        restarts: 0,
      },
      {
        pid: 612,
        comm: 'kubelet',
        rssPages: mibToPages(96),
        oomScoreAdj: KUBELET_OOM_SCORE_ADJ,
        downUntilTick: -1,
        downSinceTick: -1,
        restartSec: cfg.kubeletRestartSec ?? DEFAULT_KUBELET_RESTART_SEC,
        restarts: 0,
      },
    ],
    memoryPressure: false,
    lastPressureTick: -1,
    trafficMilli: 1000,
    trafficUntilTick: 0,
    swapUsedPages: 0,
    ready: 'True',
    kubepodsFailcnt: 0,
    noVictimReported: false,
  };
}

/** The state at tick 0 of a scenario: the node and its pods, all Pending. `seed` overrides the scenario's. */
export function createSimulation(scenario: Scenario, options: { seed?: number } = {}): SimState {
  const seed = normaliseSeed(options.seed ?? scenario.seed ?? DEFAULT_SEED);
  const state: SimState = {
    simVersion: SIM_VERSION,
    tick: 0,
    seed,
    rng: seed,
    nextUid: 1,
    nextPid: 4000,
    node: createNode(scenario.node),
    pods: [],
    events: [],
  };
  for (const p of scenario.pods) {
    const { name, ...rest } = p;
    createPod(state, name, specFromTemplate({ ...rest, slot: name }), null);
  }
  return state;
}
