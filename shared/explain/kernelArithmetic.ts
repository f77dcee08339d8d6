import { oomBadness } from '../sim/badness.ts';
import { chooseVictim } from '../sim/oomKiller.ts';
import { OOM_SCORE_ADJ_MIN } from '../sim/qos.ts';
import type { Candidate, KillScope } from './explanation.ts';
import { adjMeaning } from './qosReading.ts';
import type { KernelReport } from './types.ts';

/** The node figures a report may lack but a neighbour in the same paste printed (same machine, same boot). */
export interface NodeFigures {
  pagesRam: number | null;
  pagesReserved: number | null;
  totalSwapKb: number | null;
}

/** `5.4.0-42-generic` → [5, 4]; null when unreadable. */
export function kernelMajorMinor(version: string | null): [number, number] | null {
  if (!version) return null;
  const dot = version.indexOf('.');
  if (dot <= 0) return null;
  const major = Number(version.slice(0, dot));
  let end = dot + 1;
  while (end < version.length && version.charCodeAt(end) >= 48 && version.charCodeAt(end) <= 57) end++;
  const minor = Number(version.slice(dot + 1, end));
  return Number.isInteger(major) && Number.isInteger(minor) && end > dot + 1 ? [major, minor] : null;
}

/**
 * Kernels before 5.9 return `points > 0 ? points : 1` from oom_badness (commit 9066e5cfb73c removed it). Decided by
 * the CPU line's version, else by the report's layout; null when nothing tells.
 */
export function clampsToOne(r: KernelReport): boolean | null {
  const v = kernelMajorMinor(r.kernelVersion);
  if (v) return v[0] < 5 || (v[0] === 5 && v[1] < 9);
  if (r.chose !== null) return true; // "or sacrifice child": before 5.1
  if (r.columns?.includes('nr_ptes')) return true; // before 4.15
  if (r.killed !== null && r.killed.uid === null && r.killed.totalVmKb !== null) return true; // 4.19's Killed line
  if (r.columns?.includes('rss_anon')) return false; // 6.x
  return null;
}

/** The constraint the report states, or what its lines imply. */
export function constraintOf(r: KernelReport): string | null {
  if (r.summary?.constraint) return r.summary.constraint;
  if (r.killed?.message === 'Memory cgroup out of memory' || r.memory !== null || r.limitOf !== null)
    return 'CONSTRAINT_MEMCG';
  if (r.killed?.message === 'Out of memory' || r.pagesRam !== null) return 'CONSTRAINT_NONE';
  return null;
}

/** The cgroup whose limit was hit. */
export function memcgPathOf(r: KernelReport): string | null {
  return r.summary?.oomMemcg ?? r.limitOf ?? r.statsFor ?? null;
}

/**
 * Classify a cgroup path as Kubernetes lays them out (systemd and cgroupfs drivers):
 * `/kubepods.slice` or `/kubepods` (all pods, node allocatable), `/kubepods/burstable` (a QoS class's pods),
 * `…-pod<uid>.slice` or `/kubepods/burstable/pod<uid>` (one pod), and a container below it (`cri-containerd-….scope`,
 * `docker-….scope`, `crio-….scope`, or a container id).
 */
export function scopeOfPath(path: string | null): KillScope {
  if (path === null) return 'unknown';
  const parts = path.split('/').filter((p) => p.length > 0);
  const last = parts[parts.length - 1] ?? '';
  const podAt = parts.findIndex(
    (p) => (p.startsWith('pod') && p.length > 20) || (p.startsWith('kubepods') && p.includes('-pod')),
  );
  if (podAt >= 0) return podAt === parts.length - 1 ? 'pod' : 'container';
  if (parts[0] === 'kubepods' || parts[0] === 'kubepods.slice') return 'kubepods';
  if (
    last.endsWith('.scope') &&
    (last.startsWith('docker-') ||
      last.startsWith('cri-containerd-') ||
      last.startsWith('crio-') ||
      last.startsWith('libpod-'))
  ) {
    return 'container';
  }
  if (parts[0] === 'docker' && parts.length === 2) return 'container';
  return 'cgroup';
}

export function scopeOf(constraint: string | null, r: KernelReport): KillScope {
  if (constraint === 'CONSTRAINT_MEMCG') return scopeOfPath(memcgPathOf(r));
  if (constraint === 'CONSTRAINT_NONE') return 'node';
  if (constraint === 'CONSTRAINT_CPUSET') return 'cpuset';
  if (constraint === 'CONSTRAINT_MEMORY_POLICY') return 'mempolicy';
  return 'unknown';
}

/** PAGE_SIZE from the victim's row and its Killed line (rss pages vs kB), else 4096. */
export function pageSizeOf(r: KernelReport): number {
  const k = r.killed;
  if (!k || k.anonRssKb === null || k.fileRssKb === null) return 4096;
  const row = r.tasks.find((t) => t.pid === k.pid);
  if (!row || row.rss < 64) return 4096;
  const bytes = (k.anonRssKb + k.fileRssKb + (k.shmemRssKb ?? 0)) * 1024;
  for (const size of [16384, 65536]) {
    const ratio = bytes / (row.rss * size);
    if (ratio > 0.9 && ratio < 1.1) return size;
  }
  return 4096;
}

export interface TotalPages {
  pages: number | null;
  from: string;
  warnings: string[];
  limitPages: number | null;
  usagePages: number | null;
}

const kbToPages = (kb: number, pageSize: number) => Math.floor((kb * 1024) / pageSize);

/**
 * totalpages as out_of_memory computed it: for a memcg OOM mem_cgroup_get_max (the limit plus the swap the cgroup
 * may use, at most the node's swap); otherwise totalram_pages + total_swap_pages, where show_mem's "pages RAM" minus
 * "pages reserved" is totalram_pages (present minus managed pages).
 */
export function totalPagesOf(
  r: KernelReport,
  constraint: string | null,
  node: NodeFigures,
  pageSize: number,
): TotalPages {
  const warnings: string[] = [];
  const swapKb = r.totalSwapKb ?? node.totalSwapKb;
  if (constraint === 'CONSTRAINT_MEMCG') {
    if (!r.memory) {
      return {
        pages: null,
        from: 'unknown: the report has no "memory: usage …, limit …" line',
        warnings: ["The cgroup's limit line is missing, so totalpages (and every adj term) is unknown."],
        limitPages: null,
        usagePages: null,
      };
    }
    const limit = kbToPages(r.memory.limitKb, pageSize);
    const usage = kbToPages(r.memory.usageKb, pageSize);
    let allowance: number | null;
    let kind: string;
    if (r.swap) {
      allowance = kbToPages(r.swap.limitKb, pageSize);
      kind = 'swap.max (cgroup v2)';
    } else if (r.memsw) {
      allowance = Math.max(0, kbToPages(r.memsw.limitKb, pageSize) - limit);
      kind = 'memory+swap limit − memory limit (cgroup v1)';
    } else {
      allowance = null;
      kind = 'no swap line';
    }
    let swapPart = 0;
    let from = `the cgroup's limit ${limit} pages (${r.memory.limitKb} kB)`;
    if (allowance === null) {
      warnings.push(
        'The report has no swap or memory+swap line for the cgroup; totalpages assumes it could use no swap.',
      );
    } else if (allowance > 0) {
      if (swapKb !== null) {
        swapPart = Math.min(allowance, kbToPages(swapKb, pageSize));
        from += ` + min(${kind}, the node's swap) = + ${swapPart} pages of swap`;
      } else {
        warnings.push(
          `The cgroup may use swap (${kind} is not 0), but a cgroup OOM report does not print the node's swap size: totalpages assumes the node has none (the usual case on Kubernetes nodes). With swap, each point of oom_score_adj is worth more.`,
        );
      }
    } else {
      from += ' + no swap (its swap limit is 0)';
    }
    const pages = limit + swapPart || 1;
    return { pages, from: `${from} = ${pages}`, warnings, limitPages: limit, usagePages: usage };
  }
  const ram = r.pagesRam ?? node.pagesRam;
  const reserved = r.pagesReserved ?? node.pagesReserved;
  if (ram === null) {
    return {
      pages: null,
      from: 'unknown: the report has no "pages RAM" line',
      warnings: [
        'The memory summary ("pages RAM", "pages reserved", "Total swap") is missing, so totalpages (and every adj term) is unknown.',
      ],
      limitPages: null,
      usagePages: null,
    };
  }
  if (r.pagesRam === null)
    warnings.push(
      "This report's memory summary is missing; the node figures come from another report in the same paste.",
    );
  const swap = swapKb === null ? 0 : kbToPages(swapKb, pageSize);
  if (swapKb === null) warnings.push('The report has no "Total swap" line; totalpages assumes no swap.');
  if (constraint === 'CONSTRAINT_CPUSET' || constraint === 'CONSTRAINT_MEMORY_POLICY') {
    // constrained_alloc: total_swap_pages + node_present_pages of the allowed nodes (present, not managed).
    warnings.push(
      'For a cpuset or mempolicy OOM totalpages counts only the allowed NUMA nodes; this assumes they are all the RAM.',
    );
    const pages = ram + swap;
    return {
      pages,
      from: `pages RAM ${ram} + swap ${swap} pages = ${pages}`,
      warnings,
      limitPages: null,
      usagePages: null,
    };
  }
  if (reserved === null)
    warnings.push('The "pages reserved" line is missing; totalram_pages is taken as all of "pages RAM".');
  const totalram = ram - (reserved ?? 0);
  const pages = totalram + swap;
  return {
    pages,
    from: `totalram_pages (${ram} pages RAM − ${reserved ?? 0} reserved = ${totalram}) + ${swap} swap pages = ${pages}`,
    warnings,
    limitPages: totalram,
    usagePages: null,
  };
}

/** Each table row as oom_badness sees it, in the table's (the scan's) order. */
export function candidatesOf(
  r: KernelReport,
  totalPages: number | null,
  pageSize: number,
  clamp: boolean,
): Candidate[] {
  return r.tasks.map((t) => {
    const pgtablesPages =
      t.pgtablesBytes !== null ? Math.floor(t.pgtablesBytes / pageSize) : (t.pgtablesPagesOld ?? 0);
    const eligible = t.oomScoreAdj !== OOM_SCORE_ADJ_MIN;
    let points: number | null = null;
    if (eligible && (totalPages !== null || t.oomScoreAdj === 0)) {
      points = oomBadness(t.rss, t.swapents, pgtablesPages, t.oomScoreAdj, totalPages ?? 0);
      if (points !== null && clamp && points < 1) points = 1;
    }
    return {
      pid: t.pid,
      comm: t.name,
      uid: t.uid,
      rssPages: t.rss,
      swapPages: t.swapents,
      pgtablesPages,
      oomScoreAdj: t.oomScoreAdj,
      points,
      eligible,
      qos: adjMeaning(t.oomScoreAdj),
    };
  });
}

/** The kernel's pick over the scan: most points; a later row with equal points wins (`points < chosen` skips). */
export function recomputeVictim(cands: readonly Candidate[]): Candidate | null {
  if (cands.some((c) => c.eligible && c.points === null)) return null;
  return chooseVictim(cands);
}
