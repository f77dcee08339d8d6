import { mibToPages } from '../../shared/sim/units.ts';
import { allocatablePages, isBound } from '../../shared/sim/kubelet.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';
import type { SimState } from '../../shared/sim/types.ts';

/**
 * How many student pods the node can schedule, by the student template's request: the node's allocatable memory
 * less the scenario's own pods, divided by one student pod's request. Bots fill only these seats, so none sits
 * Pending ("Insufficient memory") and a student who joins later still finds room. Infinity when students request
 * nothing (BestEffort pods always schedule).
 */
export function studentSeatsOnNode(scenario: Scenario, state: Pick<SimState, 'node' | 'pods'>, isStudentSlot: (slot: string) => boolean): number {
  // A limit alone defaults the request to the limit (API defaulting).
  const req = scenario.student?.requestMiB ?? scenario.student?.limitMiB ?? null;
  if (!req) return Infinity;
  let scenarioPods = 0;
  for (const p of state.pods) if (!isStudentSlot(p.slot) && (isBound(p) || p.phase === 'Pending')) scenarioPods += p.spec.requestPages ?? 0;
  return Math.max(0, Math.floor((allocatablePages(state) - scenarioPods) / mibToPages(req)));
}
