/** What the parsers read out of a paste, before any arithmetic. Plain data: it serialises as JSON. */

/** One row of the kernel's `Tasks state (memory values in pages):` table (mm/oom_kill.c, dump_task). */
export interface TaskRow {
  pid: number;
  uid: number | null;
  tgid: number | null;
  totalVm: number | null;
  /** get_mm_rss: anon + file + shmem pages. */
  rss: number;
  rssAnon: number | null;
  rssFile: number | null;
  rssShmem: number | null;
  /** Page-table bytes (4.15+), or null where the table prints page counts instead. */
  pgtablesBytes: number | null;
  /** Kernels before 4.15 print page-table pages (nr_ptes + nr_pmds). */
  pgtablesPagesOld: number | null;
  swapents: number;
  oomScoreAdj: number;
  name: string;
  line: number;
}

/** A memory cgroup counter line: `memory: usage 524288kB, limit 524288kB, failcnt 12`. */
export interface CounterLine {
  usageKb: number;
  limitKb: number;
  failcnt: number | null;
}

/** The `Killed process …` line (__oom_kill_process). */
export interface KilledLine {
  /** The text before `Killed process`: `Out of memory`, `Memory cgroup out of memory`, or empty (4.19). */
  message: string;
  pid: number;
  comm: string;
  totalVmKb: number | null;
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
  uid: number | null;
  pgtablesKb: number | null;
  oomScoreAdj: number | null;
  line: number;
}

/** The one-line summary `oom-kill:constraint=…` (dump_oom_summary, 4.19+). */
export interface SummaryLine {
  constraint: string | null;
  nodemask: string | null;
  cpuset: string | null;
  memsAllowed: string | null;
  oomMemcg: string | null;
  globalOom: boolean;
  taskMemcg: string | null;
  task: string | null;
  pid: number | null;
  uid: number | null;
  line: number;
}

/** One OOM report: from `invoked oom-killer` to the `Killed process` line and what follows it. */
export interface KernelReport {
  firstLine: number;
  lastLine: number;
  /** Seconds since boot of the report's first stamped line. */
  stamp: number | null;
  wall: string | null;
  invoker: { comm: string; oomScoreAdj: number | null; order: number | null } | null;
  /** From the `CPU: 1 PID: 4481 Comm: stress Not tainted 6.1.0 #1` line. */
  invokerPid: number | null;
  kernelVersion: string | null;
  pagesRam: number | null;
  pagesReserved: number | null;
  totalSwapKb: number | null;
  freeSwapKb: number | null;
  memory: CounterLine | null;
  /** cgroup v2 `swap:` line. */
  swap: CounterLine | null;
  /** cgroup v1 `memory+swap:` line. */
  memsw: CounterLine | null;
  /** `Memory cgroup stats for <path>:` (the first one printed). */
  statsFor: string | null;
  /** Pre-4.19 `Task in <a> killed as a result of limit of <b>`. */
  limitOf: string | null;
  /** The table's column names after `[ pid ]`, as printed; null when there was no table. */
  columns: string[] | null;
  tasks: TaskRow[];
  /** Lines inside the table that could not be read as rows. */
  badRows: number;
  summary: SummaryLine | null;
  /** Pre-5.1 `Kill process 1234 (x) score 999 or sacrifice child`: the task the kernel chose. */
  chose: { pid: number; comm: string; score: number | null; line: number } | null;
  killed: KilledLine | null;
  /** memory.oom.group: `Tasks in <path> are going to be killed due to memory.oom.group set`. */
  groupPath: string | null;
  /** Further `Killed process` lines of the same group kill. */
  groupKilled: KilledLine[];
  reaped: { pid: number; comm: string } | null;
  noKillable: boolean;
  /** The report's start was not in the paste (it began mid-report). */
  startMissing: boolean;
}
