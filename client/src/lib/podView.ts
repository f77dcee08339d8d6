import type { PodView } from '../../../shared/protocol/views.ts';
import { podView } from '../../../shared/protocol/viewBuilders.ts';
import type { PodState, SimState } from '../../../shared/sim/types.ts';

/** The parts of a simulation state the view builders read. */
export type SimFrameLike = Pick<SimState, 'tick' | 'node' | 'pods'>;

/** STATUS as `kubectl get pods` prints it, from the wire's pod view (same rule as shared/views podStatus). */
export function podViewStatus(p: PodView): string {
  if (p.phaseReason) return p.phaseReason;
  // A pod no kubelet has reported yet (unscheduled) has no container status: kubectl shows its phase, Pending.
  if (p.state === 'Waiting' && p.reason === null) return p.phase;
  if (p.state === 'Waiting' || p.state === 'Terminated') return p.reason ?? p.state;
  if (p.phase === 'Pending') return 'Pending';
  return 'Running';
}

/** A pod view from simulation state, for pages that run or replay the simulation in the browser (no score). */
export function podViewFromState(state: SimFrameLike, p: PodState, owner: string | null): PodView {
  return podView(state, p, owner, 0);
}

export { nodeView as nodeViewFromState } from '../../../shared/protocol/viewBuilders.ts';
