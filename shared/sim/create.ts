import { CONTAINERD_OOM_SCORE_ADJ, KUBELET_OOM_SCORE_ADJ } from './qos.ts';
import { createPod, specFromTemplate } from './podLifecycle.ts';
import { normaliseSeed } from './random.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { NodeState, SimState } from './types.ts';
import { mibToPages } from './units.ts';

/** Bumped whenever a rule changes what a tick computes: recordings made under another version do not replay. */
export const SIM_VERSION = 1;

export const DEFAULT_SEED = 42;
export const DEFAULT_EVICTION_THRESHOLD_MIB = 100;
export const DEFAULT_ENGINEERING_SEC = { fix_leak: 60, add_backpressure: 20, stream_batch: 30 } as const;

/** N2: without a figure in the scenario, 10 % of RAM is reserved for the system, between 256 MiB and 1 GiB. */
export function defaultReservedMiB(memoryMiB: number): number {
  return Math.min(1024, Math.max(256, Math.round(memoryMiB * 0.1)));
}

function createNode(cfg: Scenario['node']): NodeState {
  return {
    name: 'node-1',
    capacityPages: mibToPages(cfg.memoryMiB),
    reservedPages: mibToPages(cfg.reservedMiB ?? defaultReservedMiB(cfg.memoryMiB)),
    evictionThresholdPages: mibToPages(cfg.evictionThresholdMiB ?? DEFAULT_EVICTION_THRESHOLD_MIB),
    swapPages: mibToPages(cfg.swapMiB ?? 0),
    inPlaceResize: cfg.inPlaceResize ?? false,
    engineeringSec: { ...DEFAULT_ENGINEERING_SEC, ...cfg.engineeringSec },
    // N3: node daemons use memory from the reserved share and are OOM candidates, protected but not exempt.
    daemons: [
      { pid: 540, comm: 'containerd', rssPages: mibToPages(48), oomScoreAdj: CONTAINERD_OOM_SCORE_ADJ, downUntilTick: -1 },
      { pid: 612, comm: 'kubelet', rssPages: mibToPages(96), oomScoreAdj: KUBELET_OOM_SCORE_ADJ, downUntilTick: -1 },
    ],
    memoryPressure: false,
    lastPressureTick: -1,
    trafficMilli: 1000,
    trafficUntilTick: 0,
    swapUsedPages: 0,
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
