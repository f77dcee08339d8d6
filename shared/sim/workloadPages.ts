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

/** An object to fill (fillWorkloadPages), every field present in one order so every one has one shape. */
export function blankWorkloadPages(): WorkloadPages {
  return { baseline: 0, leakPerSec: 0, perRequest: 0, bufferCap: 0, batchSize: 0, batchRatePerSec: 0, batchChunk: 0, fileReadPerSec: 0, fileSet: 0 };
}

/**
 * `w`'s figures written into `out` (returned): a tick runs fifty workloads one after the other, and each needs its
 * figures only while it runs, so one object filled again for each is enough (a new one each was a megabyte a second
 * of garbage in a 1,000-student server).
 */
export function fillWorkloadPages(w: WorkloadSpec, out: WorkloadPages): WorkloadPages {
  out.baseline = mibToPages(w.baselineMiB);
  out.leakPerSec = mibToPages(w.leakMiBps);
  out.perRequest = Math.max(1, mibToPages(w.mibPerRequest));
  out.bufferCap = w.bufferCapMiB === null ? Number.POSITIVE_INFINITY : mibToPages(w.bufferCapMiB);
  out.batchSize = w.batch ? mibToPages(w.batch.sizeMiB) : 0;
  out.batchRatePerSec = w.batch ? mibToPages(w.batch.rateMiBps) : 0;
  out.batchChunk = w.batch ? mibToPages(w.batch.chunkMiB) : 0;
  out.fileReadPerSec = mibToPages(w.fileReadMiBps);
  out.fileSet = mibToPages(w.fileSetMiB);
  return out;
}
