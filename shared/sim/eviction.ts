import { podWorkingSetPages, nodeAvailablePages, releaseAllMemory } from './memory.ts';
import { replacePod } from './podLifecycle.ts';
import { isBound } from './kubelet.ts';
import type { PodState, SimState } from './types.ts';
import { TICKS_PER_SEC } from './units.ts';

/** E1: the eviction manager checks every 10 s. */
export const EVICTION_INTERVAL_TICKS = 10 * TICKS_PER_SEC;
/** E4: MemoryPressure clears 5 minutes after the signal is last seen under the threshold. */
export const PRESSURE_TRANSITION_TICKS = 300 * TICKS_PER_SEC;

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * E6: a byte count as Kubernetes prints a binary quantity (apimachinery `Quantity.String`, BinarySI canonical form):
 * `0`; under 1024 bytes, plain bytes; otherwise the largest power-of-1024 suffix that keeps the number whole
 * (`76Mi`, `1Gi`, `1536Mi`, `92164Ki`).
 */
export function quantityBytes(bytes: number): string {
  if (bytes === 0) return '0';
  if (Math.abs(bytes) < 1024) return String(bytes);
  let v = bytes;
  let i = 0;
  while (i < BINARY_SUFFIXES.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i += 1;
  }
  return `${v}${BINARY_SUFFIXES[i]}`;
}

/** A page count as a Kubernetes quantity (pages are 4 KiB). */
export function quantity(pages: number): string {
  return quantityBytes(pages * 4096);
}

/** E2: eviction order: usage over request first, then lower priority, then larger usage − request. */
export function evictionOrder(a: PodState, b: PodState): number {
  const overA = podWorkingSetPages(a) > (a.spec.requestPages ?? 0) ? 1 : 0;
  const overB = podWorkingSetPages(b) > (b.spec.requestPages ?? 0) ? 1 : 0;
  if (overA !== overB) return overB - overA;
  if (a.spec.priority !== b.spec.priority) return a.spec.priority - b.spec.priority;
  const excessA = podWorkingSetPages(a) - (a.spec.requestPages ?? 0);
  const excessB = podWorkingSetPages(b) - (b.spec.requestPages ?? 0);
  return excessB - excessA || a.uid - b.uid;
}

/** E1–E5: one eviction check. At most one pod is evicted; its controller creates a replacement. */
export function evictionCheck(state: SimState): void {
  const node = state.node;
  const available = nodeAvailablePages(state);
  if (available >= node.evictionThresholdPages) {
    if (node.memoryPressure && state.tick - node.lastPressureTick >= PRESSURE_TRANSITION_TICKS) {
      node.memoryPressure = false;
      state.events.push({ tick: state.tick, type: 'memory_pressure', on: false, availablePages: available });
    }
    return;
  }
  node.lastPressureTick = state.tick;
  if (!node.memoryPressure) {
    node.memoryPressure = true;
    state.events.push({ tick: state.tick, type: 'memory_pressure', on: true, availablePages: available });
  }
  const candidates = state.pods.filter((p) => isBound(p) && p.phase === 'Running');
  if (candidates.length === 0) return;
  candidates.sort(evictionOrder);
  evict(state, candidates[0]!, available);
}

function evict(state: SimState, p: PodState, availablePages: number): void {
  const usage = podWorkingSetPages(p);
  const request = p.spec.requestPages ?? 0;
  const containerNote =
    usage > request
      ? ` Container app was using ${quantity(usage)}, request is ${quantity(request)}, has larger consumption of memory.`
      : '';
  const message =
    `The node was low on resource: memory. Threshold quantity: ${quantity(state.node.evictionThresholdPages)}, ` +
    `available: ${quantity(availablePages)}.${containerNote}`;
  for (const n of p.inflightReqs) p.requestsDropped += n;
  p.inflightReqs.fill(0);
  if (p.cState === 'Running') {
    p.cTerminated = { reason: 'Error', exitCode: 137, signal: 9, startedTick: p.startedTick, finishedTick: state.tick };
  }
  p.cState = 'Terminated';
  p.cWaitingReason = null;
  p.restartAtTick = -1;
  p.phase = 'Failed';
  p.phaseReason = 'Evicted';
  p.phaseMessage = message;
  releaseAllMemory(state, p);
  state.events.push({
    tick: state.tick,
    type: 'evicted',
    pod: p.name,
    slot: p.slot,
    message,
    usagePages: usage,
    requestPages: p.spec.requestPages,
    availablePages,
  });
  const replacement = replacePod(state, p, p.spec, 'evicted', true);
  replacement.pending = p.pending;
  p.pending = null;
}
