import { renewBackoff, restartAllowedAt } from './backoff.ts';
import { restartsAfter, startContainer } from './podLifecycle.ts';
import { qosClass } from './qos.ts';
import type { PodState, SimState } from './types.ts';

export const MSG_INSUFFICIENT_MEMORY = '0/1 nodes are available: 1 Insufficient memory.';
export const MSG_PRESSURE_TAINT =
  '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }.';

/** S1: pods are placed against allocatable = capacity − reserved − the hard eviction threshold. */
export function allocatablePages(state: Pick<SimState, 'node'>): number {
  const n = state.node;
  return n.capacityPages - n.reservedPages - n.evictionThresholdPages;
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
    if (state.node.memoryPressure && qosClass(p.spec.requestPages, p.spec.limitPages) === 'BestEffort') {
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

/** R1–R4: start created containers, restart terminated ones now or after the back-off, as restartPolicy says. */
function syncContainers(state: SimState): void {
  const tick = state.tick;
  for (const p of state.pods) {
    if (!isBound(p) || p.dying) continue;
    if (p.cState === 'Waiting' && p.cWaitingReason === 'ContainerCreating') {
      if (p.scheduledTick < tick) startContainer(state, p, 0);
      continue;
    }
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
