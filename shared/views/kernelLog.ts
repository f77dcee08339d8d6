import type { OomKillEvent, QosClass } from '../sim/types.ts';
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

/**
 * The container's 64-hex id. Every start is a new container (R5): the id changes with the restart count, and with it
 * the container's cgroup scope, `cri-containerd-<id>.scope`.
 */
export function containerId(podName: string, restartCount: number): string {
  const base = restartCount === 0 ? `${podName}/app` : `${podName}/app/${restartCount}`;
  return podUid(base).replaceAll('-', '').repeat(2);
}

/** The pod's cgroup path under the systemd driver, as the kernel prints it in task_memcg= and oom_memcg=. */
export function podCgroupPath(podName: string, qos: QosClass | null, restartCount = 0): string {
  const uid = podUid(podName).replaceAll('-', '_');
  const id = containerId(podName, restartCount);
  if (qos === 'Guaranteed') return `/kubepods.slice/kubepods-pod${uid}.slice/cri-containerd-${id}.scope`;
  const q = qos === 'BestEffort' ? 'besteffort' : 'burstable';
  return `/kubepods.slice/kubepods-${q}.slice/kubepods-${q}-pod${uid}.slice/cri-containerd-${id}.scope`;
}

/** The cgroup that holds every pod when the kubelet enforces node allocatable (N6). */
export const KUBEPODS_CGROUP = '/kubepods.slice';

/** memory.swap.max left at "max": the kernel prints PAGE_COUNTER_MAX pages in kB. */
const SWAP_MAX_KB = '9007199254740988';

function victimPath(e: OomKillEvent): string {
  if (e.pod === null) return `/system.slice/${e.comm}.service`;
  return podCgroupPath(e.pod, e.qosClass, e.restartCount);
}

/** Which of the three OOM kinds (K10), in a few words for people. */
export function oomKindLabel(e: Pick<OomKillEvent, 'constraint'>): string {
  if (e.constraint === 'memcg') return 'Container limit (cgroup OOM)';
  if (e.constraint === 'kubepods') return 'Node allocatable, /kubepods.slice (cgroup OOM)';
  return 'Whole node out of memory (global OOM)';
}

/**
 * The lines `dmesg` shows for one OOM kill, in the kernel's own formats and order (mm/oom_kill.c `dump_header`,
 * `oom_kill_process`; mm/memcontrol.c `mem_cgroup_print_oom_meminfo`): invoked → memcg usage (cgroup OOMs) →
 * summary → Killed process → then, the victim killed, its group (K12).
 */
export function kernelLogLines(e: OomKillEvent): string[] {
  const stamp = dmesgStamp(e.tick);
  const v = e.victim;
  const taskMemcg = victimPath(e);
  const lines = [`${stamp} ${e.invoker.comm} invoked oom-killer: ${GFP}, oom_score_adj=${e.invoker.oomScoreAdj}`];
  const cg = e.oomCgroup;
  if (cg) {
    lines.push(
      `${stamp} memory: usage ${pagesToKiB(cg.usagePages)}kB, limit ${pagesToKiB(cg.limitPages)}kB, failcnt ${cg.failcnt}`,
      `${stamp} swap: usage ${pagesToKiB(cg.swapUsagePages)}kB, limit ${SWAP_MAX_KB}kB, failcnt 0`,
    );
  }
  const cpuset = e.pod === null ? '/' : taskMemcg.split('/').pop();
  const scope =
    e.constraint === 'global'
      ? 'constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom'
      : `constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=${cpuset},mems_allowed=0,oom_memcg=${e.constraint === 'kubepods' ? KUBEPODS_CGROUP : taskMemcg}`;
  lines.push(`${stamp} oom-kill:${scope},task_memcg=${taskMemcg},task=${v.comm},pid=${v.pid},uid=0`);
  const totalVm = pagesToKiB(v.rssPages + v.swapPages) + 312_400; // address space reserved but never touched
  lines.push(
    `${stamp} ${e.constraint === 'global' ? 'Out of memory' : 'Memory cgroup out of memory'}: Killed process ${v.pid} (${v.comm}) ` +
      `total-vm:${totalVm}kB, anon-rss:${pagesToKiB(v.anonPages)}kB, file-rss:${pagesToKiB(v.fileRssPages)}kB, ` +
      `shmem-rss:0kB, UID:0 pgtables:${pagesToKiB(v.pgtablePages)}kB oom_score_adj:${v.oomScoreAdj}`,
  );
  if (e.pod !== null) {
    lines.push(`${stamp} Tasks in ${taskMemcg} are going to be killed due to memory.oom.group set`);
  }
  return lines;
}
