import type { OomCandidate, OomKillEvent, QosClass } from '../sim/types.ts';
import { pagesToKiB } from '../sim/units.ts';
import { dmesgStamp } from './time.ts';

const GFP = 'gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0';

/** A stable, UUID-shaped pod UID derived from the pod name (systemd escapes its dashes as underscores in slices). */
export function podUid(podName: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x1b873593;
  for (let i = 0; i < podName.length; i++) {
    h1 = Math.imul(h1 ^ podName.charCodeAt(i), 0x01000193);
    h2 = Math.imul(h2 ^ podName.charCodeAt(i), 0x5bd1e995);
  }
  const hex = ((h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0')).repeat(2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The pod's cgroup path under the systemd driver, as the kernel prints it in task_memcg= and oom_memcg=. */
export function podCgroupPath(podName: string, qos: QosClass | null): string {
  const uid = podUid(podName).replaceAll('-', '_');
  const containerId = podUid(`${podName}/app`).replaceAll('-', '').repeat(2);
  if (qos === 'Guaranteed') return `/kubepods.slice/kubepods-pod${uid}.slice/cri-containerd-${containerId}.scope`;
  const q = qos === 'BestEffort' ? 'besteffort' : 'burstable';
  return `/kubepods.slice/kubepods-${q}.slice/kubepods-${q}-pod${uid}.slice/cri-containerd-${containerId}.scope`;
}

function candidatePath(e: OomKillEvent, c: OomCandidate): string {
  if (c.pod === null) return `/system.slice/${c.comm}.service`;
  return c.pod === e.pod ? podCgroupPath(c.pod, e.qosClass) : podCgroupPath(c.pod, null);
}

/** The lines `dmesg` shows for one OOM kill, in the kernel's own formats (mm/oom_kill.c, FIDELITY §2). */
export function kernelLogLines(e: OomKillEvent): string[] {
  const stamp = dmesgStamp(e.tick);
  const v = e.victim;
  const taskMemcg = candidatePath(e, v);
  const memcg = e.constraint === 'memcg';
  const lines = [`${stamp} ${e.invoker.comm} invoked oom-killer: ${GFP}, oom_score_adj=${e.invoker.oomScoreAdj}`];
  if (memcg) {
    lines.push(
      `${stamp} memory: usage ${pagesToKiB(e.usagePages)}kB, limit ${pagesToKiB(e.limitPages ?? 0)}kB, failcnt ${e.failcnt}`,
    );
  }
  const scope = memcg
    ? `constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=${taskMemcg.split('/').pop()},mems_allowed=0,oom_memcg=${taskMemcg}`
    : 'constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom';
  lines.push(`${stamp} oom-kill:${scope},task_memcg=${taskMemcg},task=${v.comm},pid=${v.pid},uid=0`);
  if (e.pod !== null) {
    lines.push(`${stamp} Tasks in ${taskMemcg} are going to be killed due to memory.oom.group set`);
  }
  const totalVm = pagesToKiB(v.rssPages + v.swapPages) + 312_400; // address space reserved but never touched
  lines.push(
    `${stamp} ${memcg ? 'Memory cgroup out of memory' : 'Out of memory'}: Killed process ${v.pid} (${v.comm}) ` +
      `total-vm:${totalVm}kB, anon-rss:${pagesToKiB(v.anonPages)}kB, file-rss:${pagesToKiB(v.fileRssPages)}kB, ` +
      `shmem-rss:0kB, UID:0 pgtables:${pagesToKiB(v.pgtablePages)}kB oom_score_adj:${v.oomScoreAdj}`,
  );
  return lines;
}
