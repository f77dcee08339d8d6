import type { PodState, SimEvent, SimState, TerminatedInfo } from '../sim/types.ts';
import { qosClass } from '../sim/qos.ts';
import { ticksToSec } from '../sim/units.ts';
import { quantity } from '../sim/eviction.ts';
import { formatSimTime, humanDuration } from './time.ts';
import { podUid } from './kernelLog.ts';

export interface GetPodsRow {
  name: string;
  ready: string;
  status: string;
  restarts: string;
  age: string;
}

/** STATUS as `kubectl get pods` computes it: the pod's reason, else the container's waiting or terminated reason. */
export function podStatus(p: PodState): string {
  if (p.phaseReason) return p.phaseReason;
  if (p.cState === 'Waiting') return p.cWaitingReason ?? 'Waiting';
  if (p.cState === 'Terminated') return p.cTerminated?.reason ?? 'Terminated';
  if (p.phase === 'Pending') return 'Pending';
  return 'Running';
}

/** One row of `kubectl get pods` (FIDELITY §6): RESTARTS reads `4 (25s ago)` after a restart. */
export function getPodsRow(p: PodState, tick: number): GetPodsRow {
  const status = p.phase === 'Pending' && p.scheduledTick < 0 ? 'Pending' : podStatus(p);
  const last = p.lastState?.finishedTick;
  const restarts =
    p.restartCount > 0 && last !== undefined ? `${p.restartCount} (${humanDuration(ticksToSec(tick - last))} ago)` : `${p.restartCount}`;
  return {
    name: p.name,
    ready: p.cState === 'Running' ? '1/1' : '0/1',
    status,
    restarts,
    age: humanDuration(ticksToSec(tick - p.createdTick)),
  };
}

/** `kubectl get pods` as text, columns padded like kubectl's tabwriter. */
export function formatGetPods(pods: readonly PodState[], tick: number): string {
  const rows = [{ name: 'NAME', ready: 'READY', status: 'STATUS', restarts: 'RESTARTS', age: 'AGE' }, ...pods.map((p) => getPodsRow(p, tick))];
  const width = (k: keyof GetPodsRow) => Math.max(...rows.map((r) => r[k].length)) + 3;
  return rows
    .map((r) => r.name.padEnd(width('name')) + r.ready.padEnd(width('ready')) + r.status.padEnd(width('status')) + r.restarts.padEnd(width('restarts')) + r.age)
    .join('\n');
}

function terminatedBlock(t: TerminatedInfo, indent: string): string[] {
  return [
    `${indent}  Reason:       ${t.reason}`,
    `${indent}  Exit Code:    ${t.exitCode}`,
    ...(t.signal ? [`${indent}  Signal:       ${t.signal}`] : []),
    `${indent}  Started:      ${formatSimTime(t.startedTick)}`,
    `${indent}  Finished:     ${formatSimTime(t.finishedTick)}`,
  ];
}

/** The pod's `kubectl describe pod` text: status, QoS, limits, and the container's State / Last State block. */
export function describePod(p: PodState, state: SimState): string {
  const lines = [
    `Name:             ${p.name}`,
    `Namespace:        default`,
    `Priority:         ${p.spec.priority}`,
    `Node:             ${p.scheduledTick >= 0 ? state.node.name : '<none>'}`,
    `Status:           ${p.phase}`,
  ];
  if (p.phaseReason) lines.push(`Reason:           ${p.phaseReason}`);
  if (p.phaseMessage) lines.push(`Message:          ${p.phaseMessage}`);
  lines.push('Containers:', '  app:');
  if (p.spec.limitPages !== null) lines.push('    Limits:', `      memory:  ${quantity(p.spec.limitPages)}`);
  if (p.spec.requestPages !== null) lines.push('    Requests:', `      memory:  ${quantity(p.spec.requestPages)}`);
  if (p.cState === 'Running') {
    lines.push(`    State:          Running`, `      Started:      ${formatSimTime(p.startedTick)}`);
  } else if (p.cState === 'Waiting') {
    lines.push(`    State:          Waiting`, `      Reason:       ${p.cWaitingReason ?? 'ContainerCreating'}`);
  } else if (p.cTerminated) {
    lines.push(`    State:          Terminated`, ...terminatedBlock(p.cTerminated, '    '));
  }
  if (p.lastState) lines.push(`    Last State:     Terminated`, ...terminatedBlock(p.lastState, '    '));
  lines.push(
    `    Ready:          ${p.cState === 'Running' ? 'True' : 'False'}`,
    `    Restart Count:  ${p.restartCount}`,
    `QoS Class:        ${qosClass(p.spec.requestPages, p.spec.limitPages)}`,
  );
  return lines.join('\n');
}

/** The kubelet's CrashLoopBackOff waiting message. */
export function backoffMessage(podName: string, backoffSec: number): string {
  return `back-off ${backoffSec}s restarting failed container=app pod=${podName}_default(${podUid(podName)})`;
}

/** An event as `kubectl get events` shows it (TYPE REASON OBJECT MESSAGE), or null for events kubectl has no line for. */
export function kubectlEventLine(e: SimEvent): string | null {
  const row = (type: 'Normal' | 'Warning', reason: string, object: string, message: string) =>
    `${type.padEnd(8)} ${reason.padEnd(17)} ${object}  ${message}`;
  switch (e.type) {
    case 'scheduled':
      return row('Normal', 'Scheduled', `pod/${e.pod}`, `Successfully assigned default/${e.pod} to node-1`);
    case 'failed_scheduling':
      return row('Warning', 'FailedScheduling', `pod/${e.pod}`, e.message);
    case 'started':
    case 'restarted':
      return row('Normal', 'Started', `pod/${e.pod}`, 'Started container app');
    case 'backoff':
      return row('Warning', 'BackOff', `pod/${e.pod}`, `Back-off restarting failed container app in pod ${e.pod}_default(${podUid(e.pod)})`);
    case 'oom_kill':
      return e.constraint === 'global'
        ? row('Warning', 'SystemOOM', 'node/node-1', `System OOM encountered, victim process: ${e.comm}, pid: ${e.pid}`)
        : null;
    case 'evicted':
      return row('Warning', 'Evicted', `pod/${e.pod}`, e.message);
    case 'memory_pressure':
      return row(
        'Normal',
        e.on ? 'NodeHasInsufficientMemory' : 'NodeHasSufficientMemory',
        'node/node-1',
        `Node node-1 status is now: ${e.on ? 'NodeHasInsufficientMemory' : 'NodeHasSufficientMemory'}`,
      );
    case 'pod_deleted':
      return row('Normal', 'Killing', `pod/${e.pod}`, `Stopping container app (${e.reason})`);
    case 'pod_created':
      return row('Normal', 'SuccessfulCreate', `replicaset/${e.slot}`, `Created pod: ${e.pod}`);
    default:
      return null;
  }
}
