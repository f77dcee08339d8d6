/** Kills read from `kubectl get events`: they name the victim, never the kernel's scan. */
import type { Kill } from './explanation.ts';
import { parseUInt } from './input.ts';
import { readKilled } from './kernelLines.ts';
import { remediesFor } from './remedies.ts';

const SYSTEM_OOM = 'System OOM encountered, victim process: ';

/**
 * `kubectl get events` rows: the kubelet's `SystemOOM` (`System OOM encountered, victim process: x, pid: 1`) and
 * node-problem-detector's `OOMKilling` (which quotes the kernel's Killed line).
 */
export function killsFromEvents(rawLines: readonly string[]): Kill[] {
  const kills: Kill[] = [];
  for (const raw of rawLines) {
    const sys = raw.indexOf(SYSTEM_OOM);
    if (sys >= 0) {
      const rest = raw.slice(sys + SYSTEM_OOM.length);
      const comma = rest.lastIndexOf(', pid: ');
      const comm = comma >= 0 ? rest.slice(0, comma) : rest.trim();
      const pid = comma >= 0 ? parseUInt(rest.slice(comma + 7).trim()) : null;
      kills.push(eventKill('CONSTRAINT_NONE', 'node', { pid, comm }, raw));
      continue;
    }
    if (!raw.includes('OOMKilling')) continue;
    const at = Math.max(
      raw.indexOf('Memory cgroup out of memory: Killed process'),
      raw.indexOf('Out of memory: Killed process'),
    );
    const k = at >= 0 ? readKilled(raw.slice(at), 0) : null;
    if (k)
      kills.push(
        eventKill(
          k.message === 'Out of memory' ? 'CONSTRAINT_NONE' : 'CONSTRAINT_MEMCG',
          k.message === 'Out of memory' ? 'node' : 'container',
          { pid: k.pid, comm: k.comm },
          raw,
        ),
      );
  }
  return kills;
}

function eventKill(
  constraint: string,
  scope: 'node' | 'container',
  victim: { pid: number | null; comm: string },
  raw: string,
): Kill {
  return {
    source: 'kubectl',
    constraint,
    scope,
    cgroup: null,
    totalPages: null,
    totalPagesFrom: 'unknown: an event does not carry the memory figures',
    victim,
    recomputedVictim: null,
    candidates: [],
    warnings: [
      "An event names the victim but not the kernel's scan: paste the node's `dmesg` or `journalctl -k` for the candidate table and the points.",
    ],
    atSec: null,
    atText: null,
    invoker: null,
    kernelVersion: null,
    clampToOne: false,
    pageSize: 4096,
    limitPages: null,
    usagePages: null,
    story: [
      `The event says: ${raw.trim().slice(0, 300)}`,
      `The kernel killed ${victim.comm}${victim.pid !== null ? ` (pid ${victim.pid})` : ''} ${scope === 'node' ? 'because the whole node ran out of memory' : 'because its cgroup reached its limit'}.`,
    ],
    qosNotes: [],
    remedies: remediesFor({
      scope,
      candidates: [],
      victimPid: victim.pid,
      limitPages: null,
      usagePages: null,
      pageSize: 4096,
      repeatCount: 1,
    }),
    lines: { first: 0, last: 0 },
    pod: null,
  };
}
