import type { PodState, SimState } from './types.ts';

/**
 * A deep copy for `step`. Sub-objects typed Readonly (specs, workloads, terminated info, daemons) are replaced and
 * never mutated, so they are shared; only the mutable parts are copied.
 */
export function cloneState(s: SimState): SimState {
  return {
    ...s,
    node: { ...s.node },
    pods: s.pods.map(clonePod),
    events: [],
  };
}

function clonePod(p: PodState): PodState {
  return { ...p, inflightPages: p.inflightPages.slice(), inflightReqs: p.inflightReqs.slice() };
}
