import type { Candidate, Kill, KillScope } from './explanation.ts';
import {
  candidatesOf,
  clampsToOne,
  constraintOf,
  memcgPathOf,
  type NodeFigures,
  pageSizeOf,
  recomputeVictim,
  scopeOf,
  totalPagesOf,
} from './kernelArithmetic.ts';
import { qosNotes } from './qosReading.ts';
import { remediesFor } from './remedies.ts';
import type { KernelReport } from './types.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
const mib = (pages: number, pageSize: number) => `${fmt(Math.round((pages * pageSize) / 1048576))} MiB`;

function scopeWords(scope: KillScope, cgroup: string | null): string {
  switch (scope) {
    case 'container':
      return `inside one container's memory cgroup (${cgroup}): the container reached its own limit`;
    case 'pod':
      return `inside one pod's memory cgroup (${cgroup}): the pod reached its limit`;
    case 'kubepods':
      return `inside ${cgroup}, the cgroup of all pods together: the pods reached the node's allocatable memory`;
    case 'cgroup':
      return `inside the memory cgroup ${cgroup}, which reached its limit`;
    case 'node':
      return 'on the whole node: RAM and swap ran out';
    case 'cpuset':
      return 'inside a cpuset: its NUMA nodes ran out';
    case 'mempolicy':
      return 'under a NUMA memory policy: its nodes ran out';
    default:
      return 'in a scope the report does not say';
  }
}

/** `25600 + 1000 × 1048 = 1073600`: a candidate's points with the numbers filled in. */
export function pointsSum(c: Candidate, totalPages: number | null): string {
  if (!c.eligible) return 'exempt (oom_score_adj -1000)';
  const base = c.rssPages + c.swapPages + c.pgtablesPages;
  const per = totalPages === null ? '?' : fmt(Math.floor(totalPages / 1000));
  const parts = `${fmt(c.rssPages)} rss + ${fmt(c.swapPages)} swap + ${fmt(c.pgtablesPages)} page tables`;
  return `${parts} = ${fmt(base)}, ${c.oomScoreAdj < 0 ? '−' : '+'} ${fmt(Math.abs(c.oomScoreAdj))} × ${per} → ${c.points === null ? '?' : fmt(c.points)}`;
}

/** Explain one kernel report: the constraint, totalpages, every candidate's points, the victim and why. */
export function explainKernelReport(r: KernelReport, node: NodeFigures, repeatCount: number): Kill {
  const warnings: string[] = [];
  const constraint = constraintOf(r);
  const scope = scopeOf(constraint, r);
  const cgroup = constraint === 'CONSTRAINT_MEMCG' ? memcgPathOf(r) : null;
  const pageSize = pageSizeOf(r);
  const total = totalPagesOf(r, constraint, node, pageSize);
  warnings.push(...total.warnings);
  const clampKnown = clampsToOne(r);
  const clamp = clampKnown === true;
  const candidates = candidatesOf(r, total.pages, pageSize, clamp);
  const best = recomputeVictim(candidates);

  // The victim as the report names it: the Killed line, else the summary, else the pre-5.1 "Kill process" line.
  const chosenPid = r.chose?.pid ?? r.killed?.pid ?? r.summary?.pid ?? null;
  const victim = r.killed
    ? { pid: r.killed.pid, comm: r.killed.comm }
    : r.summary?.pid != null
      ? { pid: r.summary.pid, comm: r.summary.task ?? '?' }
      : r.chose
        ? { pid: r.chose.pid, comm: r.chose.comm }
        : null;

  if (r.startMissing)
    warnings.push(
      `The start of this report (the "invoked oom-killer" line) is not in the paste; it begins at line ${r.firstLine}.`,
    );
  if (!r.killed && !r.noKillable)
    warnings.push(
      'The report ends before its "Killed process" line (cut off?); the victim is taken from the summary line.',
    );
  if (r.noKillable)
    warnings.push(
      '"Out of memory and no killable processes": nobody could be killed (a global OOM then panics the node).',
    );
  if (r.columns === null) {
    warnings.push(
      'The report has no "Tasks state" table (vm.oom_dump_tasks = 0, or its lines were filtered out of the paste), so no points can be recomputed: the victim is the one the report names.',
    );
  } else if (r.tasks.length === 0) {
    warnings.push('The "Tasks state" table is empty: its rows are not in the paste.');
  }
  if (r.badRows > 0)
    warnings.push(
      `${r.badRows} line${r.badRows === 1 ? '' : 's'} of the table could not be read: candidates may be missing.`,
    );
  if (victim && victim.pid !== null && r.tasks.length > 0 && !r.tasks.some((t) => t.pid === chosenPid)) {
    warnings.push(
      `The victim (pid ${chosenPid}) is not in the table: the table is incomplete, so the recomputation may miss the real winner.`,
    );
  }
  if (r.columns?.includes('nr_ptes')) {
    warnings.push(
      'This table layout is from a kernel before 4.15; kernels before 4.17 also took 3 % off the points of root processes, which is not applied here.',
    );
  }
  if (clampKnown === null && candidates.some((c) => c.points !== null && c.points < 1)) {
    warnings.push(
      'The kernel version is not in the paste; kernels before 5.9 count any score below 1 as 1, which would change these negative points.',
    );
  }
  if (pageSize !== 4096)
    warnings.push(
      `The pages here are ${pageSize / 1024} KiB (read from the victim's Killed line), not 4 KiB.`,
    );
  if (r.killed && r.killed.oomScoreAdj !== null) {
    const row = r.tasks.find((t) => t.pid === r.killed!.pid);
    if (row && row.oomScoreAdj !== r.killed.oomScoreAdj) {
      warnings.push(
        `The table gives pid ${row.pid} oom_score_adj ${row.oomScoreAdj}, the Killed line ${r.killed.oomScoreAdj}.`,
      );
    }
  }
  if (best && chosenPid !== null && best.pid !== chosenPid && r.tasks.some((t) => t.pid === chosenPid)) {
    const theirs = candidates.find((c) => c.pid === chosenPid);
    warnings.push(
      `The report's victim ${victim?.comm} (pid ${chosenPid}, ${theirs?.points === null ? 'no' : fmt(theirs?.points ?? 0)} points) is not the recomputed one: ` +
        `${best.comm} (pid ${best.pid}) has ${fmt(best.points ?? 0)}. The table is printed just before the choice, so a process that grew or exited ` +
        'in between, a task already being reaped (skipped), or one running swapoff (chosen first) can explain it.',
    );
  }
  if (r.chose && r.killed && r.chose.pid !== r.killed.pid) {
    warnings.push(
      `The kernel chose ${r.chose.comm} (pid ${r.chose.pid}) but killed its child ${r.killed.comm} (pid ${r.killed.pid}): kernels before 5.1 sacrificed a child first.`,
    );
  }
  if (best) {
    const ties = candidates.filter((c) => c.eligible && c.points === best.points);
    if (ties.length > 1)
      warnings.push(
        `${ties.length} processes tie at ${fmt(best.points ?? 0)} points: the later one in the scan wins.`,
      );
  }

  const story = storyOf(r, {
    constraint,
    scope,
    cgroup,
    total: total.pages,
    totalFrom: total.from,
    candidates,
    best,
    victim,
    pageSize,
    clamp,
  });
  const capacity = scope === 'node' ? total.limitPages : null;
  return {
    source: 'kernel',
    constraint,
    scope,
    cgroup,
    totalPages: total.pages,
    totalPagesFrom: total.from,
    victim,
    recomputedVictim: best ? { pid: best.pid, comm: best.comm } : null,
    candidates,
    warnings,
    atSec: r.stamp,
    atText: r.wall,
    invoker: r.invoker ? { pid: r.invokerPid, comm: r.invoker.comm } : null,
    kernelVersion: r.kernelVersion,
    clampToOne: clamp,
    pageSize,
    limitPages: total.limitPages,
    usagePages: total.usagePages,
    story,
    qosNotes: qosNotes(candidates, capacity ?? null, pageSize),
    remedies: remediesFor({
      scope,
      candidates,
      victimPid: victim?.pid ?? null,
      limitPages: total.limitPages,
      usagePages: total.usagePages,
      pageSize,
      repeatCount,
    }),
    lines: { first: r.firstLine, last: r.lastLine },
    pod: null,
  };
}

interface StoryInput {
  constraint: string | null;
  scope: KillScope;
  cgroup: string | null;
  total: number | null;
  totalFrom: string;
  candidates: Candidate[];
  best: Candidate | null;
  victim: { pid: number | null; comm: string } | null;
  pageSize: number;
  clamp: boolean;
}

function storyOf(r: KernelReport, s: StoryInput): string[] {
  const out: string[] = [];
  const who = r.invoker
    ? `${r.invoker.comm}${r.invokerPid !== null ? ` (pid ${r.invokerPid})` : ''}`
    : 'a process';
  out.push(
    `${who} asked for memory and could not get it, ${scopeWords(s.scope, s.cgroup)}${s.constraint ? ` (${s.constraint})` : ''}.`,
  );
  if (r.memory) {
    out.push(
      `The cgroup used ${fmt(r.memory.usageKb)} kB of its ${fmt(r.memory.limitKb)} kB limit${r.memory.failcnt !== null ? ` and had hit it ${fmt(r.memory.failcnt)} times` : ''}.`,
    );
  }
  if (s.total !== null)
    out.push(
      `totalpages = ${s.totalFrom}, so each point of oom_score_adj is worth ${fmt(Math.floor(s.total / 1000))} pages.`,
    );
  const eligible = s.candidates.filter((c) => c.eligible);
  if (s.candidates.length > 0) {
    out.push(
      `The kernel scored ${s.candidates.length} process${s.candidates.length === 1 ? '' : 'es'} (${eligible.length} could be killed): ` +
        `points = rss + swap + page tables + oom_score_adj × (totalpages / 1000)${s.clamp ? ', at least 1 (this kernel is older than 5.9)' : ''}.`,
    );
  }
  if (s.best) {
    const ranked = eligible.filter((c) => c.points !== null).sort((a, b) => b.points! - a.points!);
    const second = ranked.find((c) => c.pid !== s.best!.pid);
    out.push(`${s.best.comm} (pid ${s.best.pid}) had the most points: ${pointsSum(s.best, s.total)}.`);
    if (second) out.push(`Next was ${second.comm} (pid ${second.pid}): ${pointsSum(second, s.total)}.`);
    const biggest = [...eligible].sort((a, b) => b.rssPages + b.swapPages - (a.rssPages + a.swapPages))[0];
    if (biggest && biggest.pid !== s.best.pid) {
      out.push(
        `The biggest user of memory was ${biggest.comm} (${mib(biggest.rssPages + biggest.swapPages, s.pageSize)}), not the victim ` +
          `(${mib(s.best.rssPages + s.best.swapPages, s.pageSize)}): oom_score_adj (${biggest.oomScoreAdj} against ${s.best.oomScoreAdj}) decided it.`,
      );
    }
  }
  if (s.victim) {
    out.push(
      `The kernel sent SIGKILL to ${s.victim.comm}${s.victim.pid !== null ? ` (pid ${s.victim.pid})` : ''}: no handler runs; a container's exit code is 137 (128 + 9) and Kubernetes shows reason OOMKilled.`,
    );
  }
  if (r.groupPath)
    out.push(
      `memory.oom.group is set on ${r.groupPath}: every process in it was killed with the victim${r.groupKilled.length ? ` (${r.groupKilled.length} more)` : ''}.`,
    );
  if (r.reaped) out.push(`The oom_reaper then freed the victim's memory (pid ${r.reaped.pid}).`);
  return out;
}
