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
 * lib/show_mem.c, mm/memcontrol.c, dump_tasks): the short log (kernelLogLines) with the CPU line, the memory summary
 * (global) or the cgroup's counters (memcg) and the "Tasks state" table before the `oom-kill:` summary line.
 * `npm run explain` reads it back and recomputes every candidate's points from it.
 */
export function kernelReportLines(e: OomKillEvent, node: ReportNode): string[] {
  const short = kernelLogLines(e);
  const stamp = short[0]!.slice(0, short[0]!.indexOf(']') + 1);
  const extra: string[] = [
    `CPU: 0 PID: ${e.invoker.pid} Comm: ${e.invoker.comm} Not tainted 6.1.0-oomarena #1`,
    'Mem-Info:',
  ];
  if (e.constraint === 'memcg') {
    extra.push(`swap: usage 0kB, limit 0kB, failcnt 0`);
  } else {
    const reserved = kernelReservedPages(node.capacityPages);
    extra.push(
      `Free swap  = ${pagesToKiB(node.swapPages - node.swapUsedPages)}kB`,
      `Total swap = ${pagesToKiB(node.swapPages)}kB`,
      `${node.capacityPages + reserved} pages RAM`,
      '0 pages HighMem/MovableOnly',
      `${reserved} pages reserved`,
    );
  }
  extra.push(
    'Tasks state (memory values in pages):',
    '[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name',
  );
  for (const c of e.candidates) {
    const totalVm = c.rssPages + c.swapPages + 78_100;
    extra.push(
      `[${pad(c.pid, 7)}] ${pad(0, 5)} ${pad(c.pid, 5)} ${pad(totalVm, 8)} ${pad(c.rssPages, 8)} ${pad(c.anonPages, 8)} ${pad(c.fileRssPages, 8)} ` +
        `${pad(0, 9)} ${pad(c.pgtablePages * 4096, 8)} ${pad(c.swapPages, 8)}         ${pad(c.oomScoreAdj, 5)} ${c.comm}`,
    );
  }
  // The memcg counters line stays where kernelLogLines put it; everything else goes before the summary line.
  const at = short.findIndex((l) => l.includes(' oom-kill:constraint='));
  const memLine = short.findIndex((l) => l.includes(' memory: usage '));
  const head = short.slice(0, at);
  if (memLine >= 0 && memLine < at) {
    const withoutMem = head.filter((_, i) => i !== memLine);
    return [
      withoutMem[0]!,
      `${stamp} ${extra[0]}`,
      `${stamp} ${extra[1]}`,
      short[memLine]!,
      ...extra.slice(2).map((l) => `${stamp} ${l}`),
      ...withoutMem.slice(1),
      ...short.slice(at),
    ];
  }
  return [head[0]!, ...extra.map((l) => `${stamp} ${l}`), ...head.slice(1), ...short.slice(at)];
}
