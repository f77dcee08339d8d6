import type { PodTemplate } from '../sim/types.ts';
import type { Scenario } from './schema.ts';

/** The pod a joining student gets in a live session: the scenario's `student` template under the student's slot. */
export function studentPodTemplate(scenario: Scenario, slot: string): PodTemplate {
  const s = scenario.student;
  return {
    slot,
    requestMiB: s?.requestMiB ?? null,
    limitMiB: s?.limitMiB ?? null,
    workload: { ...(s?.workload ?? {}) },
  };
}

/** How many student pods the scenario allows (0 when it has no student template). */
export function studentSlots(scenario: Scenario): number {
  return scenario.student?.maxPods ?? 0;
}
