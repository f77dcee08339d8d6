import type { Candidate, KillScope } from './explanation.ts';

export interface RemedyInput {
  scope: KillScope;
  candidates: readonly Candidate[];
  victimPid: number | null;
  limitPages: number | null;
  usagePages: number | null;
  pageSize: number;
  /** How many kills of the same process (by name) the paste holds: more than one is a crash loop or a leak. */
  repeatCount: number;
}

const mib = (pages: number, pageSize: number) => `${Math.round((pages * pageSize) / 1048576)} MiB`;

/**
 * What to do, in the seed's terms (raise the limit, fix the leak, add backpressure, requests that match use), picked
 * by where the OOM happened and who died.
 */
export function remediesFor(x: RemedyInput): string[] {
  const out: string[] = [];
  const victim = x.candidates.find((c) => c.pid === x.victimPid) ?? null;
  const cgroupScoped = x.scope === 'container' || x.scope === 'pod' || x.scope === 'cgroup';
  if (x.repeatCount > 1) {
    out.push(
      `The same process was killed ${x.repeatCount} times in this paste: memory that climbs back to the same wall after every restart is a leak or an input that never fits (CrashLoopBackOff).`,
    );
  }
  if (cgroupScoped) {
    const limit = x.limitPages !== null ? ` (${mib(x.limitPages, x.pageSize)})` : '';
    out.push(
      `It hit its own limit${limit}, not the node's: neighbours are not to blame, and the node may have had memory to spare.`,
      'Fix the leak if memory only grows (profile the heap; a cache that is never cleared is the classic one): permanent, but takes hours to days.',
      'Add backpressure or stream the input (bounded buffers, process in chunks): memory stays bounded whatever the input size.',
      `Raise the limit only if the working set really needs more${limit ? ` than${limit}` : ''}: it takes minutes but, for a leak, only moves the time of death.`,
    );
    return out;
  }
  if (x.scope === 'kubepods') {
    out.push(
      'The pods together used more than the node gives to pods (capacity minus kube- and system-reserved): their requests promised less than they use.',
      'Set requests that match real use, so the scheduler stops placing more pods than fit; put limits on the pods that grow.',
    );
  } else if (x.scope === 'node') {
    out.push(
      'The whole node ran out: the victim may be innocent — it had the most points, not necessarily the most memory.',
    );
    if (victim && victim.oomScoreAdj >= 2 && victim.oomScoreAdj <= 1000) {
      out.push(
        `Its oom_score_adj (${victim.oomScoreAdj}) came from a small or missing memory request. Requests that match use lower the adj of the pods that deserve protection and stop the scheduler from overfilling the node (the cost: fewer pods per node).`,
      );
    }
    out.push(
      'Give every pod a limit so one leak hits its own wall (a cgroup OOM) instead of taking the node down with it.',
    );
  }
  out.push(
    'Fix the leak or add backpressure in the process that grew; raising limits does not help when the node itself is full.',
  );
  return out;
}
