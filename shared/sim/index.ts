/** The simulation core's public surface: a pure, deterministic model of one node, its pods, the kernel and kubelet. */
export * from './types.ts';
export * from './units.ts';
export { SimErrorCode, type SimError, type Result } from './result.ts';
export { step, advance } from './step.ts';
export { applyCommand } from './commands.ts';
export { createSimulation, SIM_VERSION, DEFAULT_SEED } from './create.ts';
export { cloneState } from './clone.ts';
export { stateHash } from './hash.ts';
export { qosClass, kubeletOomScoreAdj, effectiveOomScoreAdj } from './qos.ts';
export { oomBadness, procOomScore, pgtablePages } from './badness.ts';
export { scanCandidates, chooseVictim, globalTotalPages } from './oomKiller.ts';
export { podUsagePages, podWorkingSetPages, podRssPages, nodeUsedPages, nodeAvailablePages } from './memory.ts';
export { allocatablePages, requestedPages } from './kubelet.ts';
export { activePod, DEFAULT_WORKLOAD } from './podLifecycle.ts';
