import type { SimEvent } from '../sim/types.ts';
import { journalStamp } from './time.ts';

/** The systemd units of the node agents, with the Description= lines of their upstream unit files. */
// A Map: `comm` comes from scenario files ("constructor" is a valid comm).
const UNITS = new Map<string, { unit: string; description: string }>([
  ['containerd', { unit: 'containerd.service', description: 'containerd container runtime' }],
  ['kubelet', { unit: 'kubelet.service', description: 'kubelet: The Kubernetes Node Agent' }],
]);

function unitOf(comm: string): { unit: string; description: string } {
  return UNITS.get(comm) ?? { unit: `${comm}.service`, description: comm };
}

/**
 * N4: what `journalctl` shows when systemd's view of a node agent changes. An OOM-killed service gets no exit code
 * 137 and no OOMKilled reason: systemd says the OOM killer took a process of the unit and the unit `Failed with
 * result 'oom-kill'`, then restarts it after RestartSec as a new process.
 */
export function journalLines(e: SimEvent, node = 'node-1'): string[] {
  if (e.type !== 'daemon_down' && e.type !== 'daemon_restarted') return [];
  const { unit, description } = unitOf(e.comm);
  const at = `${journalStamp(e.tick)} ${node} systemd[1]:`;
  if (e.type === 'daemon_down') {
    return [
      `${at} ${unit}: A process of this unit has been killed by the OOM killer.`,
      `${at} ${unit}: Main process exited, code=killed, status=9/KILL`,
      `${at} ${unit}: Failed with result 'oom-kill'.`,
    ];
  }
  return [
    `${at} ${unit}: Scheduled restart job, restart counter is at ${e.restarts}.`,
    `${at} Stopped ${unit} - ${description}.`,
    `${at} Started ${unit} - ${description}.`,
  ];
}
