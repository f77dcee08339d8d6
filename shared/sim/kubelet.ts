import { agentUp } from './agents.ts';
import { renewBackoff, restartAllowedAt } from './backoff.ts';
import { restartsAfter, startContainer } from './podLifecycle.ts';
import { qosClass } from './qos.ts';
import type { PodState, SimState } from './types.ts';

// S5: the scheduler's FitError text, with the preemption plugin's PostFilter message after it.
const NO_VICTIMS = ' preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
const NOT_HELPFUL = ' preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
const taint = (key: string) => `0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/${key}: }.`;
export const MSG_INSUFFICIENT_MEMORY = `0/1 nodes are available: 1 Insufficient memory.${NO_VICTIMS}`;
export const MSG_PRESSURE_TAINT = `${taint('memory-pressure')}${NOT_HELPFUL}`;
/** N5: the node lifecycle controller taints a node whose Ready is Unknown (unreachable) or False (not-ready). */
export const MSG_UNREACHABLE_TAINT = `${taint('unreachable')}${NOT_HELPFUL}`;
export const MSG_NOT_READY_TAINT = `${taint('not-ready')}${NOT_HELPFUL}`;

/** S1: pods are placed against allocatable = capacity − reserved − the hard eviction threshold, at least 0. */
export function allocatablePages(state: Pick<SimState, 'node'>): number {
  const n = state.node;
  return Math.max(0, n.capacityPages - n.reservedPages - n.evictionThresholdPages);
}

/** A pod that holds its place on the node: scheduled and not finished. */
export function isBound(p: PodState): boolean {
  return p.scheduledTick >= 0 && p.phase !== 'Failed' && p.phase !== 'Succeeded';
}

/** Sum of requests of the pods placed on the node (limits are not counted: S2, overcommit). */
export function requestedPages(state: Pick<SimState, 'pods'>): number {
  let sum = 0;
  for (const p of state.pods) if (isBound(p)) sum += p.spec.requestPages ?? 0;
  return sum;
}

/**
 * S1–S3: place Pending pods in creation order; report FailedScheduling once per reason. Under MemoryPressure only
 * BestEffort pods are kept off: admission gives Guaranteed and Burstable pods a toleration for the taint.
 */
function schedule(state: SimState): void {
  let requested = requestedPages(state);
  const allocatable = allocatablePages(state);
  for (const p of state.pods) {
    if (p.phase !== 'Pending' || p.scheduledTick >= 0) continue;
    const req = p.spec.requestPages ?? 0;
    let message: string | null = null;
    if (state.node.ready === 'Unknown') message = MSG_UNREACHABLE_TAINT;
    else if (state.node.ready === 'False') message = MSG_NOT_READY_TAINT;
    else if (state.node.memoryPressure && qosClass(p.spec.requestPages, p.spec.limitPages) === 'BestEffort') {
      message = MSG_PRESSURE_TAINT;
    }
    if (!message && requested + req > allocatable) message = MSG_INSUFFICIENT_MEMORY;
    if (message) {
      if (p.schedMessage !== message) {
        state.events.push({ tick: state.tick, type: 'failed_scheduling', pod: p.name, slot: p.slot, message });
      }
      p.schedMessage = message;
      continue;
    }
    p.scheduledTick = state.tick;
    p.schedMessage = null;
    requested += req;
    state.events.push({ tick: state.tick, type: 'scheduled', pod: p.name, slot: p.slot });
  }
}

/**
 * R1–R4: start created containers, restart terminated ones now or after the back-off, as restartPolicy says.
 * N3: only while the kubelet runs, and containers are created only while containerd runs.
 */
function syncContainers(state: SimState): void {
  if (!agentUp(state, 'kubelet')) return;
  const runtimeUp = agentUp(state, 'containerd');
  const tick = state.tick;
  for (const p of state.pods) {
    if (!isBound(p) || p.dying) continue;
    if (p.cState === 'Waiting' && p.pid === 0) {
      // S4: the kubelet admits the bound pod; its container is created from the next tick.
      if (p.cWaitingReason === null) p.cWaitingReason = 'ContainerCreating';
      else if (runtimeUp && p.scheduledTick < tick) startContainer(state, p, 0);
      continue;
    }
    if (!runtimeUp) continue;
    if (p.cState === 'Waiting' && p.cWaitingReason === 'CrashLoopBackOff') {
      if (p.restartAtTick > tick) continue;
      const waited = p.backoffSec;
      renewBackoff(p, tick);
      startContainer(state, p, waited);
      continue;
    }
    if (p.cState !== 'Terminated' || !p.cTerminated || !restartsAfter(p, p.cTerminated.exitCode)) continue;
    const at = restartAllowedAt(p, p.cTerminated.finishedTick, tick);
    if (at > tick) {
      p.cState = 'Waiting';
      p.cWaitingReason = 'CrashLoopBackOff';
      // R6 (convertToAPIContainerStatuses): a waiting container's newest termination moves to Last State at once.
      p.lastState = p.cTerminated;
      p.cTerminated = null;
      p.restartAtTick = at;
      state.events.push({ tick, type: 'backoff', pod: p.name, slot: p.slot, backoffSec: p.backoffSec, restartAtTick: at });
    } else {
      renewBackoff(p, tick);
      startContainer(state, p, 0);
    }
  }
}

/** The kubelet's part of a tick, before the workloads run. */
export function kubeletSync(state: SimState): void {
  schedule(state);
  syncContainers(state);
}
