/**
 * The explanation of a paste: one `Kill` per OOM kill found. The field names of `kills`, `constraint`, `scope`,
 * `totalPages`, `victim`, `candidates` (pid, comm, rssPages, swapPages, pgtablesPages, oomScoreAdj, points, eligible)
 * and `warnings` are a published contract (`npm run explain -- --format json`, docs/explain.md): keep them.
 */

/** Where the OOM happened: one container's cgroup, a pod's, all pods (`kubepods`), another cgroup, or the node. */
export type KillScope =
  'container' | 'pod' | 'kubepods' | 'cgroup' | 'node' | 'cpuset' | 'mempolicy' | 'unknown';

/** One process the kernel scanned, with its points recomputed from the table. */
export interface Candidate {
  pid: number;
  comm: string;
  uid: number | null;
  rssPages: number;
  swapPages: number;
  /** pgtables_bytes / PAGE_SIZE, integer division, as oom_badness does it. */
  pgtablesPages: number;
  oomScoreAdj: number;
  /** oom_badness; null when the process is exempt (adj -1000) or totalpages is unknown and adj is not 0. */
  points: number | null;
  /** False only for oom_score_adj -1000 (OOM_SCORE_ADJ_MIN). */
  eligible: boolean;
  /** What the adj value says about who set it (a QoS class, a node agent…). */
  qos: string;
}

export interface Kill {
  /** `kernel` for a dmesg / journal report, `kubectl` for what Kubernetes shows. */
  source: 'kernel' | 'kubectl';
  /** The kernel's constraint as printed (`CONSTRAINT_MEMCG`, `CONSTRAINT_NONE`, …), or null when unknown. */
  constraint: string | null;
  scope: KillScope;
  /** The cgroup whose limit was hit (memcg OOM), else null. */
  cgroup: string | null;
  /** totalpages as the kernel computed it, or null when the paste does not tell. */
  totalPages: number | null;
  /** How totalPages was found, in words with the numbers. */
  totalPagesFrom: string;
  /** The process the report says was killed. */
  victim: { pid: number | null; comm: string } | null;
  /** The process with the most points by our recomputation (null without a table). */
  recomputedVictim: { pid: number; comm: string } | null;
  /** In the kernel's scan order (the table's order). */
  candidates: Candidate[];
  warnings: string[];
  /** Seconds since boot of the report (dmesg stamp), or null. */
  atSec: number | null;
  /** The report's wall-clock prefix or kubectl's Finished time, as printed. */
  atText: string | null;
  /** The task whose allocation failed. */
  invoker: { pid: number | null; comm: string } | null;
  kernelVersion: string | null;
  /** True when points were clamped to at least 1 (kernels before 5.9). */
  clampToOne: boolean;
  pageSize: number;
  /** Memory figures that describe the scope, in pages (null when unknown). */
  limitPages: number | null;
  usagePages: number | null;
  /** What happened, in plain words, with the arithmetic. */
  story: string[];
  /** What the oom_score_adj values say. */
  qosNotes: string[];
  /** What to do about it, in plain words. */
  remedies: string[];
  /** Where the report sits in the paste. */
  lines: { first: number; last: number };
  /** Kubernetes' view (kubectl): the pod and container. */
  pod: {
    name: string;
    namespace: string | null;
    container: string;
    restarts: number | null;
    qosClass: string | null;
    limitBytes: number | null;
    requestBytes: number | null;
  } | null;
}

export interface Explanation {
  kills: Kill[];
  /** What could not be read, in plain words (also when nothing at all was found). */
  notes: string[];
}
