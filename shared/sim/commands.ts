import { CHANGE_LABEL, checkCommand, resizesInPlace, resourcePages } from './commandCheck.ts';
import { createPod, deletePod, replacePod, specFromTemplate, terminateContainer } from './podLifecycle.ts';
import { ok, type Result } from './result.ts';
import { podSpec, workloadSpec } from './specShapes.ts';
import type { Command, PendingChange, PodSpec, PodState, SimState } from './types.ts';
import { secToTicks } from './units.ts';

/** P3: the pod keeps running with its new spec (checkCommand refused a limit below its usage). */
function resizeInPlace(state: SimState, p: PodState, spec: PodSpec): void {
  p.spec = spec;
  state.events.push({
    tick: state.tick,
    type: 'resized',
    pod: p.name,
    slot: p.slot,
    requestPages: spec.requestPages,
    limitPages: spec.limitPages,
  });
}

/** P2: changing resources recreates the pod (a rollout), unless it can be resized in place. */
function setResources(state: SimState, p: PodState, requestMiB: number | null, limitMiB: number | null): void {
  const { requestPages, limitPages } = resourcePages(requestMiB, limitMiB);
  const spec = podSpec({ ...p.spec, requestPages, limitPages });
  if (resizesInPlace(state, p, requestPages, limitPages)) return resizeInPlace(state, p, spec);
  const next = replacePod(state, p, spec, 'recreated with new resources', false);
  next.pending = p.pending;
}

/** C5: a code change takes engineering time, then deploys as a rollout (a new pod). */
function startChange(state: SimState, p: PodState, kind: PendingChange['kind'], valueMiB: number | null): void {
  const readyTick = state.tick + secToTicks(state.node.engineeringSec[kind]);
  p.pending = { kind, readyTick, valueMiB };
  state.events.push({ tick: state.tick, type: 'change_started', pod: p.name, slot: p.slot, kind, readyTick });
}

/** The spec a finished code change deploys, applied to the pod's spec as it is then. */
export function specAfterChange(spec: PodSpec, change: PendingChange): PodSpec {
  const w = spec.workload;
  if (change.kind === 'fix_leak') return podSpec({ ...spec, workload: workloadSpec({ ...w, leakMiBps: 0 }) });
  if (change.kind === 'add_backpressure') return podSpec({ ...spec, workload: workloadSpec({ ...w, bufferCapMiB: change.valueMiB }) });
  if (!w.batch) return spec;
  const batch = { ...w.batch, mode: 'stream' as const, chunkMiB: change.valueMiB ?? w.batch.chunkMiB };
  return podSpec({ ...spec, workload: workloadSpec({ ...w, batch }) });
}

/** Whether a pod's code change is ready to deploy this tick. */
function hasDueChange(state: SimState): boolean {
  for (const p of state.pods) if (p.pending !== null && p.pending.readyTick <= state.tick) return true;
  return false;
}

/** Deploy the code changes whose engineering time is over (a rollout: the pod is replaced). */
export function deployReadyChanges(state: SimState): void {
  // Most ticks deploy nothing: the list is copied (replacePod changes it) only when something is due.
  if (!hasDueChange(state)) return;
  for (const p of [...state.pods]) {
    if (!p.pending || p.pending.readyTick > state.tick) continue;
    const change = p.pending;
    p.pending = null;
    replacePod(state, p, specAfterChange(p.spec, change), `rollout: ${CHANGE_LABEL[change.kind]} deployed`, false);
  }
}

/** C1: apply one command. Bad input returns a coded error and changes nothing (checkCommand judges it first). */
export function applyCommand(state: SimState, cmd: Command): Result<void> {
  const checked = checkCommand(state, cmd);
  if (!checked.ok) return checked;
  const p = checked.value;
  if (cmd.type === 'add_pod') {
    createPod(state, cmd.pod.slot, specFromTemplate(cmd.pod), null);
  } else if (cmd.type === 'traffic_spike') {
    state.node.trafficMilli = Math.round(cmd.multiplier * 1000);
    state.node.trafficUntilTick = state.tick + secToTicks(cmd.durationSec);
    state.events.push({ tick: state.tick, type: 'traffic', multiplierMilli: state.node.trafficMilli, untilTick: state.node.trafficUntilTick });
  } else {
    applyToPod(state, p!, cmd);
  }
  return ok(undefined);
}

/** A checked command's effect on its pod. */
function applyToPod(state: SimState, p: PodState, cmd: Exclude<Command, { type: 'add_pod' | 'traffic_spike' }>): void {
  switch (cmd.type) {
    case 'remove_pod':
      for (const q of state.pods.filter((q) => q.slot === cmd.pod)) deletePod(state, q, 'removed');
      return;
    case 'set_workload':
      p.spec = podSpec({ ...p.spec, workload: workloadSpec({ ...p.spec.workload, ...cmd.workload }) });
      return;
    case 'set_resources':
      return setResources(state, p, cmd.requestMiB, cmd.limitMiB);
    case 'set_oom_score_adj':
      p.spec = podSpec({ ...p.spec, oomScoreAdjOverride: cmd.value });
      return;
    case 'fix_leak':
      return startChange(state, p, 'fix_leak', null);
    case 'add_backpressure':
      return startChange(state, p, 'add_backpressure', cmd.bufferCapMiB);
    case 'stream_batch':
      return startChange(state, p, 'stream_batch', cmd.chunkMiB);
    case 'start_batch': {
      const current = p.spec.workload.batch;
      const batch = current
        ? { ...current, sizeMiB: cmd.sizeMiB ?? current.sizeMiB }
        : { sizeMiB: cmd.sizeMiB ?? 700, mode: 'load' as const, rateMiBps: 60, chunkMiB: 32, everySec: 0 };
      p.spec = podSpec({ ...p.spec, workload: workloadSpec({ ...p.spec.workload, batch }) });
      if (p.cState === 'Running' && p.batchRemainingPages === 0 && p.batchLoadedPages === 0) p.batchWaitTicks = 0;
      return;
    }
    case 'kill':
      return terminateContainer(state, p, 'Error', 137, 9);
    case 'exit':
      return terminateContainer(state, p, cmd.code === 0 ? 'Completed' : 'Error', cmd.code, null);
  }
}
