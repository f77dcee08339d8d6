import type { WorkloadSpec } from './types.ts';
import { mibToPages } from './units.ts';

/**
 * A workload's figures in pages. Computed on each call: a few multiplications cost less than looking the spec up in
 * a cache keyed by identity (a WeakMap lookup was a measurable share of a tick in a 1,000-student server).
 */
export interface WorkloadPages {
  baseline: number;
  leakPerSec: number;
  perRequest: number;
  bufferCap: number;
  batchSize: number;
  batchRatePerSec: number;
  batchChunk: number;
  fileReadPerSec: number;
  fileSet: number;
}

export function workloadPages(w: WorkloadSpec): WorkloadPages {
  return {
    baseline: mibToPages(w.baselineMiB),
    leakPerSec: mibToPages(w.leakMiBps),
    perRequest: Math.max(1, mibToPages(w.mibPerRequest)),
    bufferCap: w.bufferCapMiB === null ? Number.POSITIVE_INFINITY : mibToPages(w.bufferCapMiB),
    batchSize: w.batch ? mibToPages(w.batch.sizeMiB) : 0,
    batchRatePerSec: w.batch ? mibToPages(w.batch.rateMiBps) : 0,
    batchChunk: w.batch ? mibToPages(w.batch.chunkMiB) : 0,
    fileReadPerSec: mibToPages(w.fileReadMiBps),
    fileSet: mibToPages(w.fileSetMiB),
  };
}
