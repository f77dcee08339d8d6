/**
 * The scenario a game round is played on: the classroom's student app, tuned for the game (docs/game.md, GR1–GR3).
 * classroom.json is left as it is; the server can start a round from `roundScenario()` instead.
 */
import { builtinScenario } from '../scenario/builtin.ts';
import { scenarioSchema, type Scenario } from '../scenario/schema.ts';
import type { PodTemplate, WorkloadSpec } from '../sim/types.ts';

/**
 * GR1: the student's app. The classroom's app, except the batch is 200 MiB instead of 300: with the leak fixed the
 * batch fits under the 384 MiB limit (96 baseline + 10 in flight + 200 batch ≈ 306 MiB), so each remedy in the
 * seed's table solves exactly one problem and the leak is the one that keeps killing.
 */
export const ROUND_STUDENT = {
  requestMiB: 192,
  limitMiB: 384,
  workload: {
    comm: 'python',
    baselineMiB: 96,
    leakMiBps: 2,
    requestsPerSec: 20,
    mibPerRequest: 1,
    requestSec: 0.5,
    bufferCapMiB: null,
    batch: { sizeMiB: 200, mode: 'load', rateMiBps: 60, chunkMiB: 32, everySec: 90 },
    fileReadMiBps: 4,
    fileSetMiB: 64,
  } satisfies Partial<WorkloadSpec>,
} as const;

/** GR2: node RAM per student seat, so that a full room overcommits its limits (384 > 320) as the classroom does. */
export const ROUND_MIB_PER_STUDENT = 320;

export interface RoundScenarioOptions {
  /** Seats on the node (students plus bots). Sizes the node: GR2. */
  seats: number;
  durationSec?: number;
  seed?: number;
  /** Slots to create at tick 0 (the tournament); a live server adds pods as students join instead. */
  slots?: readonly string[];
  /** Override the node's RAM. */
  memoryMiB?: number;
}

/** The pod a student (or bot) gets in a round. */
export function studentPod(slot: string): PodTemplate {
  return {
    slot,
    requestMiB: ROUND_STUDENT.requestMiB,
    limitMiB: ROUND_STUDENT.limitMiB,
    workload: { ...ROUND_STUDENT.workload, batch: { ...ROUND_STUDENT.workload.batch } },
  };
}

/** GR3: a round's scenario: one node sized for its seats (at least 4 GiB), the student template, optional pods. */
export function roundScenario(o: RoundScenarioOptions): Scenario {
  const base = builtinScenario('classroom');
  const memoryMiB = o.memoryMiB ?? Math.max(4096, Math.round(o.seats * ROUND_MIB_PER_STUDENT));
  return scenarioSchema.parse({
    name: 'round',
    title: 'Game round: keep your service alive and serving',
    description: base?.description,
    durationSec: o.durationSec ?? 1200,
    seed: o.seed ?? 42,
    node: { memoryMiB, evictionThresholdMiB: 100 },
    pods: (o.slots ?? []).map((slot) => {
      const { slot: name, ...rest } = studentPod(slot);
      return { name, ...rest };
    }),
    timeline: [],
    student: {
      requestMiB: ROUND_STUDENT.requestMiB,
      limitMiB: ROUND_STUDENT.limitMiB,
      maxPods: Math.min(300, Math.max(1, o.seats)),
      workload: { ...ROUND_STUDENT.workload },
    },
  });
}
