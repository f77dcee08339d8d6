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

/**
 * A copy in which one slot's command can be tried (a student's dry run before it is queued): the slot's pods and the
 * node are copied, every other pod is shared. A pod command only changes its own slot's pods, the node's counters and
 * the events, so the live state never sees the trial; copying the other pods too cost a whole state per command.
 */
export function cloneForSlot(s: SimState, slot: string): SimState {
  return {
    ...s,
    node: { ...s.node },
    pods: s.pods.map((p) => (p.slot === slot ? clonePod(p) : p)),
    events: [],
  };
}
