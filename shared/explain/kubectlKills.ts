/** A kill for each container kubectl shows as OOMKilled, with what kubectl can and cannot say about it. */
import type { Kill } from './explanation.ts';
import type { ContainerView } from './kubectlContainer.ts';
import { adjMeaning } from './qosReading.ts';
import { remediesFor } from './remedies.ts';

function qosAdjNote(c: ContainerView): string[] {
  if (c.qosClass === 'Guaranteed')
    return [`QoS class Guaranteed: the kubelet set oom_score_adj -997 — ${adjMeaning(-997)}.`];
  if (c.qosClass === 'BestEffort')
    return [
      'QoS class BestEffort: the kubelet set oom_score_adj 1000, the first to go in a node-wide OOM of equal sizes.',
    ];
  if (c.qosClass === 'Burstable') {
    const req = c.requestBytes !== null ? `${Math.round(c.requestBytes / 1048576)} MiB` : 'its request';
    return [
      `QoS class Burstable: oom_score_adj = 1000 − 1000 × ${req} / the node's memory (between 2 and 999): the smaller the request, the higher.`,
    ];
  }
  return [];
}

/** A kill for each container kubectl shows as OOMKilled; 137 without OOMKilled becomes a note. */
export function killsFromContainers(views: readonly ContainerView[], notes: string[]): Kill[] {
  const kills: Kill[] = [];
  for (const c of views) {
    const t = c.terminated;
    if (!t) continue;
    if (t.reason !== 'OOMKilled') {
      if (t.exitCode === 137) {
        notes.push(
          `${c.pod}/${c.container} exited 137 (SIGKILL) with reason ${t.reason}: killed, but not by the OOM killer (a liveness probe, an eviction or kill -9).`,
        );
      }
      continue;
    }
    const limitPages = c.limitBytes === null ? null : Math.floor(c.limitBytes / 4096);
    const scope = limitPages === null ? 'node' : 'container';
    const warnings = [
      `kubectl shows that the container was OOM-killed, not the kernel's scan: paste the node's \`dmesg\` or \`journalctl -k\` from around ${t.finishedAt ?? 'that time'} for the candidate table and the points.`,
    ];
    if (limitPages === null)
      warnings.push(
        'The container has no memory limit, so its own cgroup cannot have run out: the node (or all pods together) ran out of memory.',
      );
    else
      warnings.push(
        'With a limit, this is most likely its own cgroup OOM; if its usage was well under the limit, the node ran out instead (a global OOM).',
      );
    const story = [
      `Container ${c.container} of pod ${c.namespace ? `${c.namespace}/` : ''}${c.pod} was killed by the kernel's OOM killer: reason OOMKilled, exit code ${t.exitCode ?? 137} (128 + 9, SIGKILL)${t.finishedAt ? ` at ${t.finishedAt}` : ''}.`,
    ];
    if (c.restarts !== null)
      story.push(
        `It has restarted ${c.restarts} time${c.restarts === 1 ? '' : 's'}${c.waitingReason ? ` and is now waiting: ${c.waitingReason}` : ''}.`,
      );
    if (c.limitBytes !== null)
      story.push(
        `Its memory limit is ${Math.round(c.limitBytes / 1048576)} MiB${c.requestBytes !== null ? `, its request ${Math.round(c.requestBytes / 1048576)} MiB` : ''}.`,
      );
    kills.push({
      source: 'kubectl',
      constraint: limitPages === null ? null : 'CONSTRAINT_MEMCG',
      scope,
      cgroup: null,
      totalPages: limitPages,
      totalPagesFrom:
        limitPages === null
          ? "unknown: kubectl does not show the node's RAM"
          : `if the container hit its own limit, totalpages is its limit: ${limitPages} pages`,
      victim: { pid: null, comm: c.container },
      recomputedVictim: null,
      candidates: [],
      warnings,
      atSec: null,
      atText: t.finishedAt,
      invoker: null,
      kernelVersion: null,
      clampToOne: false,
      pageSize: 4096,
      limitPages,
      usagePages: null,
      story,
      qosNotes: qosAdjNote(c),
      remedies: remediesFor({
        scope,
        candidates: [],
        victimPid: null,
        limitPages,
        usagePages: null,
        pageSize: 4096,
        repeatCount: c.restarts ?? 1,
      }),
      lines: { first: 0, last: 0 },
      pod: {
        name: c.pod,
        namespace: c.namespace,
        container: c.container,
        restarts: c.restarts,
        qosClass: c.qosClass,
        limitBytes: c.limitBytes,
        requestBytes: c.requestBytes,
      },
    });
  }
  return kills;
}
