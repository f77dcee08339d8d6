import type { BatchSpec, PodSpec, WorkloadSpec } from './types.ts';

/**
 * One object shape per kind of spec. Specs are replaced whole on every change (a spread of the old one with the new
 * field), and each spread or literal site gives V8 another hidden class for the same fields: the tick then reads a
 * pod's spec and workload through polymorphic loads (14 and 8 classes in a 50-pod round). Building every spec here,
 * fields in their declared order, keeps one class each. The order is the one every spread kept, so the state's hash
 * (which walks these objects' keys in order) does not change.
 */
export function podSpec(s: PodSpec): PodSpec {
  return {
    requestPages: s.requestPages,
    limitPages: s.limitPages,
    priority: s.priority,
    restartPolicy: s.restartPolicy,
    oomScoreAdjOverride: s.oomScoreAdjOverride,
    workload: s.workload,
  };
}

export function workloadSpec(w: WorkloadSpec): WorkloadSpec {
  return {
    comm: w.comm,
    baselineMiB: w.baselineMiB,
    leakMiBps: w.leakMiBps,
    requestsPerSec: w.requestsPerSec,
    mibPerRequest: w.mibPerRequest,
    requestSec: w.requestSec,
    bufferCapMiB: w.bufferCapMiB,
    batch: w.batch === null ? null : batchSpec(w.batch),
    fileReadMiBps: w.fileReadMiBps,
    fileSetMiB: w.fileSetMiB,
  };
}

export function batchSpec(b: BatchSpec): BatchSpec {
  return {
    sizeMiB: b.sizeMiB,
    mode: b.mode,
    rateMiBps: b.rateMiBps,
    chunkMiB: b.chunkMiB,
    everySec: b.everySec,
  };
}
