import type { PodState, SimEvent, SimState, TerminatedInfo } from '../sim/types.ts';
import { qosClass } from '../sim/qos.ts';
import { ticksToSec } from '../sim/units.ts';
import { quantity } from '../sim/eviction.ts';
import { formatSimTime, humanDuration } from './time.ts';
import { containerId, podUid } from './kernelLog.ts';

export interface GetPodsRow {
  name: string;
  ready: string;
  status: string;
  restarts: string;
  age: string;
}

/**
 * STATUS as `kubectl get pods` computes it (printers.go printPod): the pod's reason, else the container's waiting or
 * terminated reason, else the phase. A pod with no container status yet (not scheduled, or not admitted by a
 * kubelet) shows its phase, Pending (S4).
 */
export function podStatus(p: PodState): string {
  if (p.phaseReason) return p.phaseReason;
  if (p.cState === 'Waiting') return p.cWaitingReason ?? p.phase;
  if (p.cState === 'Terminated') return p.cTerminated?.reason ?? 'Terminated';
  if (p.phase === 'Pending') return 'Pending';
  return 'Running';
}

/**
 * One row of `kubectl get pods` (printers.go): RESTARTS reads `4 (25s ago)`, counted from the finish of the
 * container's Last State, which is its newest termination once it waits to restart (R6).
 */
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
  // describe.go prints Signal only when non-zero; containerd (CRI) never sets it, so real output has no Signal line.
  return [
    `${indent}  Reason:       ${t.reason}`,
    `${indent}  Exit Code:    ${t.exitCode}`,
    `${indent}  Started:      ${formatSimTime(t.startedTick)}`,
    `${indent}  Finished:     ${formatSimTime(t.finishedTick)}`,
  ];
}

/** True once a kubelet has reported the container (admitted on the node): describe then prints its state. */
function hasContainerStatus(p: PodState): boolean {
  return p.pid !== 0 || p.cWaitingReason !== null;
}

/**
 * The pod's `kubectl describe pod` text, in describe.go's order: the pod, then for the container its ID, State,
 * Last State, Ready and Restart Count, then Limits and Requests (K13), QoS Class, and the pod's Events if given.
 */
export function describePod(p: PodState, state: Pick<SimState, 'node' | 'tick'>, events: readonly SimEvent[] | null = null): string {
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
  if (hasContainerStatus(p)) {
    lines.push(`    Container ID:   ${p.pid !== 0 ? `containerd://${containerId(p.name, p.restartCount)}` : ''}`.trimEnd());
    if (p.cState === 'Running') {
      lines.push(`    State:          Running`, `      Started:      ${formatSimTime(p.startedTick)}`);
    } else if (p.cState === 'Waiting') {
      lines.push(`    State:          Waiting`, `      Reason:       ${p.cWaitingReason ?? 'ContainerCreating'}`);
    } else if (p.cTerminated) {
      lines.push(`    State:          Terminated`, ...terminatedBlock(p.cTerminated, '    '));
    }
    if (p.lastState) lines.push(`    Last State:     Terminated`, ...terminatedBlock(p.lastState, '    '));
    lines.push(`    Ready:          ${p.cState === 'Running' ? 'True' : 'False'}`, `    Restart Count:  ${p.restartCount}`);
  }
  if (p.spec.limitPages !== null) lines.push('    Limits:', `      memory:  ${quantity(p.spec.limitPages)}`);
  if (p.spec.requestPages !== null) lines.push('    Requests:', `      memory:  ${quantity(p.spec.requestPages)}`);
  lines.push(`QoS Class:        ${qosClass(p.spec.requestPages, p.spec.limitPages)}`);
  if (events) lines.push(...describeEvents(p, events, state.tick));
  return lines.join('\n');
}

interface EventRow {
  type: 'Normal' | 'Warning';
  reason: string;
  from: string;
  message: string;
}

/** The pod's own events as describe lists them: identical ones folded into `Age (xN over First)`. */
function describeEvents(p: PodState, events: readonly SimEvent[], tick: number): string[] {
  const rows: { row: EventRow; first: number; last: number; count: number }[] = [];
  for (const e of events) {
    if (!('pod' in e) || e.pod !== p.name) continue;
    const row = podEventRow(e);
    if (!row) continue;
    const same = rows.find((r) => r.row.reason === row.reason && r.row.message === row.message);
    if (same) {
      same.count += 1;
      same.last = e.tick;
    } else rows.push({ row, first: e.tick, last: e.tick, count: 1 });
  }
  if (rows.length === 0) return ['Events:                      <none>'];
  const ago = (t: number) => humanDuration(ticksToSec(tick - t));
  const table = [
    ['Type', 'Reason', 'Age', 'From', 'Message'],
    ['----', '------', '----', '----', '-------'],
    ...rows
      .sort((a, b) => a.last - b.last)
      .map((r) => [
        r.row.type,
        r.row.reason,
        r.count > 1 ? `${ago(r.last)} (x${r.count} over ${ago(r.first)})` : ago(r.last),
        r.row.from,
        r.row.message,
      ]),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...table.map((r) => r[c]!.length)) + 2);
  return ['Events:', ...table.map((r) => `  ${r.slice(0, 4).map((c, i) => c.padEnd(widths[i]!)).join('')}${r[4]}`.trimEnd())];
}

function podEventRow(e: SimEvent): EventRow | null {
  switch (e.type) {
    case 'scheduled':
      return { type: 'Normal', reason: 'Scheduled', from: 'default-scheduler', message: `Successfully assigned default/${e.pod} to node-1` };
    case 'failed_scheduling':
      return { type: 'Warning', reason: 'FailedScheduling', from: 'default-scheduler', message: e.message };
    case 'started':
    case 'restarted':
      return { type: 'Normal', reason: 'Started', from: 'kubelet', message: 'Started container app' };
    case 'backoff':
      return { type: 'Warning', reason: 'BackOff', from: 'kubelet', message: `Back-off restarting failed container app in pod ${e.pod}_default(${podUid(e.pod)})` };
    case 'evicted':
      return { type: 'Warning', reason: 'Evicted', from: 'kubelet', message: e.message };
    default:
      return null;
  }
}

/** `kubectl get nodes` (N5): STATUS is Ready, or NotReady while the Ready condition is False or Unknown. */
export function formatGetNodes(state: Pick<SimState, 'node' | 'tick'>): string {
  const status = state.node.ready === 'True' ? 'Ready' : 'NotReady';
  const rows = [
    ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    [state.node.name, status, '<none>', humanDuration(3600 + ticksToSec(state.tick)), 'v1.33.0'],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)) + 3);
  return rows.map((r) => r.slice(0, 4).map((c, i) => c.padEnd(widths[i]!)).join('') + r[4]).join('\n');
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
    case 'node_ready':
      return row('Normal', e.status === 'True' ? 'NodeReady' : 'NodeNotReady', 'node/node-1', `Node node-1 status is now: ${e.status === 'True' ? 'NodeReady' : 'NodeNotReady'}`);
    case 'daemon_restarted':
      return e.comm === 'kubelet' ? row('Normal', 'Starting', 'node/node-1', 'Starting kubelet.') : null;
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
