import type { WorkloadSpec } from './types.ts';
import { mibToPages } from './units.ts';

/** A workload's figures in pages. Specs are immutable, so this is computed once per spec and cached by identity. */
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

const cache = new WeakMap<WorkloadSpec, WorkloadPages>();

export function workloadPages(w: WorkloadSpec): WorkloadPages {
  let p = cache.get(w);
  if (p) return p;
  p = {
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
  cache.set(w, p);
  return p;
}
