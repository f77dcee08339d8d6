import type { OomKillEvent } from '../sim/types.ts';
import { pagesToKiB } from '../sim/units.ts';
import { kernelLogLines } from './kernelLog.ts';

/** The node figures the kernel prints in a global OOM's memory summary. */
export interface ReportNode {
  capacityPages: number;
  swapPages: number;
  swapUsedPages: number;
}

/** Pages the firmware and kernel keep for themselves (show_mem's "pages reserved"), on top of the node's capacity. */
export function kernelReservedPages(capacityPages: number): number {
  return Math.floor(capacityPages / 50);
}

const pad = (v: number | string, w: number) => String(v).padStart(w, ' ');

/**
 * The whole kernel report for one OOM kill, as `dmesg` shows it on a 6.x kernel (mm/oom_kill.c dump_header,
 * lib/show_mem.c, dump_tasks): the short log (kernelLogLines) with the CPU line after the first line, the memory
 * summary for a global OOM (a cgroup OOM prints its cgroup's counters instead, already in the short log), and the
 * "Tasks state" table just before the `oom-kill:` summary line. `npm run explain` reads it back and recomputes every
 * candidate's points from it.
 */
export function kernelReportLines(e: OomKillEvent, node: ReportNode): string[] {
  const short = kernelLogLines(e);
  const first = short[0]!;
  const stamp = first.slice(0, first.indexOf(']') + 1);
  const at = short.findIndex((l) => l.includes(' oom-kill:constraint='));
  const head = [`CPU: 0 PID: ${e.invoker.pid} Comm: ${e.invoker.comm} Not tainted 6.1.0-oomarena #1`];
  const summary: string[] = [];
  if (!e.oomCgroup) {
    summary.push('Mem-Info:');
    const reserved = kernelReservedPages(node.capacityPages);
    summary.push(
      `Free swap  = ${pagesToKiB(node.swapPages - node.swapUsedPages)}kB`,
      `Total swap = ${pagesToKiB(node.swapPages)}kB`,
      `${node.capacityPages + reserved} pages RAM`,
      '0 pages HighMem/MovableOnly',
      `${reserved} pages reserved`,
    );
  }
  summary.push(
    'Tasks state (memory values in pages):',
    '[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name',
  );
  for (const c of e.candidates) {
    const totalVm = c.rssPages + c.swapPages + 78_100;
    summary.push(
      `[${pad(c.pid, 7)}] ${pad(0, 5)} ${pad(c.pid, 5)} ${pad(totalVm, 8)} ${pad(c.rssPages, 8)} ${pad(c.anonPages, 8)} ${pad(c.fileRssPages, 8)} ` +
        `${pad(0, 9)} ${pad(c.pgtablePages * 4096, 8)} ${pad(c.swapPages, 8)}         ${pad(c.oomScoreAdj, 5)} ${c.comm}`,
    );
  }
  const stamped = (ls: string[]) => ls.map((l) => `${stamp} ${l}`);
  return [first, ...stamped(head), ...short.slice(1, at), ...stamped(summary), ...short.slice(at)];
}
