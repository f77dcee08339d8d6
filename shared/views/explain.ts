import type { OomKillEvent, SimEvent } from '../sim/types.ts';
import { pagesToMiB } from '../sim/units.ts';
import { oomKindLabel } from './kernelLog.ts';

const mib = (pages: number) => `${Math.round(pagesToMiB(pages))} MiB`;

/** Candidates sorted as the kernel ranked them: most points first; exempt (-1000) processes last. */
export function rankedCandidates(e: OomKillEvent) {
  return [...e.candidates].sort((a, b) => (b.points ?? -Infinity) - (a.points ?? -Infinity) || b.pid - a.pid);
}

/** The points formula for one candidate with its numbers filled in, e.g. `25600 + 1000 × 1048 = 1073600`. */
export function pointsFormula(e: OomKillEvent, pid: number): string {
  const c = e.candidates.find((x) => x.pid === pid);
  if (!c) return '';
  if (c.points === null) return 'exempt (oom_score_adj = -1000)';
  const per = Math.floor(e.totalPages / 1000);
  const base = c.rssPages + c.swapPages + c.pgtablePages;
  return `${base} + ${c.oomScoreAdj} × ${per} = ${c.points}`;
}

/**
 * "Why was I killed", in plain words, for the student whose pod this is about (or for the room).
 */
export function explainKill(e: OomKillEvent, mySlot: string | null = null): string {
  const you = mySlot !== null && e.slot === mySlot;
  const who = you ? 'Your container' : e.pod ? `Pod ${e.pod}` : `The node agent ${e.comm}`;
  const kind = `${oomKindLabel(e)}: `;
  if (e.constraint === 'memcg') {
    return (
      kind +
      `${who} used ${mib(e.usagePages)}, reaching its ${mib(e.limitPages ?? 0)} limit. The page cache could not be ` +
      `reclaimed far enough, so the kernel's cgroup OOM killer sent SIGKILL to ${e.comm} (pid ${e.pid}): exit code 137 ` +
      `(128 + 9), reason OOMKilled. Raising the limit only moves the line if memory keeps growing.`
    );
  }
  const ranked = rankedCandidates(e);
  // A student's copy of the table is cut short; it carries their place in the whole ranking.
  const place = e.studentRank ? e.studentRank.rank - 1 : mySlot ? ranked.findIndex((c) => c.slot === mySlot) : -1;
  const of = e.studentRank?.of ?? ranked.length;
  const asker =
    e.invoker.pod === e.pod ? (you ? 'your container' : (e.pod ?? e.comm)) : `${e.invoker.comm} in ${e.invoker.pod ?? 'a node daemon'}`;
  const per = Math.floor(e.totalPages / 1000);
  const what =
    e.constraint === 'kubepods'
      ? `The pods together reached the node-allocatable limit of /kubepods.slice (${mib(e.oomCgroup?.limitPages ?? 0)}: RAM minus what is reserved for the system and Kubernetes) when ${asker} asked for more. The kernel scored every pod's process (the node agents live outside /kubepods.slice and are never candidates)`
      : `The node ran out of memory when ${asker} asked for more. The kernel scored every process on the node, the kubelet and containerd included`;
  // N4: a node agent is a systemd service, not a container: no exit code 137, no OOMKilled.
  const fate =
    e.pod === null
      ? `was killed with SIGKILL. It is a systemd service, not a container: its journal says it was killed by the OOM killer and "Failed with result 'oom-kill'", and systemd restarts it after its RestartSec. Until then the node works without it`
      : `was killed with SIGKILL: exit code 137, reason OOMKilled${e.limitPages ? `, while under its own ${mib(e.limitPages)} limit` : ''}`;
  let text =
    kind +
    `${what}: points = rss + swap + page tables + oom_score_adj × ${per}. ${who} had the most points (${pointsFormula(e, e.pid)}) and ${fate}.`;
  if (mySlot && !you && place >= 0) text += ` Your pod ranked #${place + 1} of ${of}.`;
  return text;
}

/** Plain words for any event that ended or delayed a container, or null. */
export function explainEvent(e: SimEvent, mySlot: string | null = null): string | null {
  switch (e.type) {
    case 'oom_kill':
      return explainKill(e, mySlot);
    case 'evicted':
      return explainEviction(e, mySlot);
    case 'terminated':
      if (e.reason === 'OOMKilled') return null;
      return e.signal === 9
        ? `${e.pod} was killed with SIGKILL (exit code 137) but not by the OOM killer: reason ${e.reason}. 137 means SIGKILL, not always OOM.`
        : `${e.pod} exited with code ${e.exitCode} (${e.reason}).`;
    case 'backoff':
      return `CrashLoopBackOff: the kubelet waits ${e.backoffSec}s before restarting ${e.pod}. The wait doubles with each crash, up to 5 minutes.`;
    case 'failed_scheduling':
      return `${e.pod} is Pending: ${e.message} Requests decide where a pod fits, not limits.`;
    case 'daemon_down':
      return e.comm === 'kubelet'
        ? `The kubelet was OOM-killed. Until systemd restarts it, nothing on this node is started, restarted or evicted, though running containers keep running; after the node-monitor grace period the node's Ready condition turns Unknown.`
        : `containerd was OOM-killed. Until systemd restarts it, the kubelet cannot create containers: nothing starts or restarts, though running containers keep running.`;
    case 'node_ready':
      return `Node node-1 Ready=${e.status}: ${e.message}`;
    default:
      return null;
  }
}

/**
 * An eviction in MiB, not the kubelet's Ki quantities: how little the node had left, and how far this pod was over
 * its request (the kubelet evicts the pod most over its request first).
 */
export function explainEviction(e: Extract<SimEvent, { type: 'evicted' }>, mySlot: string | null = null): string {
  const who = e.slot === mySlot ? 'your pod' : e.pod;
  const over =
    e.requestPages === null || e.usagePages > e.requestPages
      ? ` ${e.slot === mySlot ? 'Your pod' : 'It'} used ${mib(e.usagePages)} against a request of ${mib(e.requestPages ?? 0)}: the furthest over its request, so it went first.`
      : ` It used ${mib(e.usagePages)}, within its ${mib(e.requestPages)} request.`;
  return (
    `The kubelet evicted ${who}: the node's free memory (memory.available) fell to ${mib(e.availablePages)}, below the eviction threshold.` +
    `${over} A new pod replaces it; it has to be scheduled and start again.`
  );
}
