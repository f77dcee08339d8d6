import { podUsagePages } from './memory.ts';
import { activePod, createPod, deletePod, replacePod, specFromTemplate, terminateContainer } from './podLifecycle.ts';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN, qosClass } from './qos.ts';
import { fail, ok, SimErrorCode, type Result } from './result.ts';
import { podSpec, workloadSpec } from './specShapes.ts';
import type { Command, PendingChange, PodSpec, PodState, SimState, WorkloadPatch } from './types.ts';
import { mibToPages, secToTicks } from './units.ts';

/** The largest memory figure any command accepts (1 TiB), so nothing overflows page arithmetic. */
export const MAX_MIB = 1024 * 1024;
const SLOT_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

function badMiB(v: number | null | undefined, field: string, allowZero = true): Result<void> | null {
  if (v == null) return null;
  if (!Number.isFinite(v) || v < 0 || v > MAX_MIB || (!allowZero && v === 0)) {
    return fail(SimErrorCode.INVALID_VALUE, `${field} must be between ${allowZero ? 0 : 'above 0'} and ${MAX_MIB} MiB`);
  }
  return null;
}

function checkResources(requestMiB: number | null | undefined, limitMiB: number | null | undefined): Result<void> | null {
  const bad = badMiB(requestMiB, 'request') ?? badMiB(limitMiB, 'limit', false);
  if (bad) return bad;
  if (limitMiB != null && mibToPages(limitMiB) < 1) {
    return fail(SimErrorCode.INVALID_VALUE, 'a limit is at least one 4 KiB page');
  }
  if (requestMiB != null && limitMiB != null && limitMiB < requestMiB) {
    return fail(SimErrorCode.LIMIT_BELOW_REQUEST, `limit (${limitMiB} MiB) must be at least the request (${requestMiB} MiB)`);
  }
  return null;
}

function checkWorkload(w: WorkloadPatch): Result<void> | null {
  for (const [field, v] of [
    ['leakMiBps', w.leakMiBps],
    ['mibPerRequest', w.mibPerRequest],
    ['fileReadMiBps', w.fileReadMiBps],
    ['fileSetMiB', w.fileSetMiB],
    ['bufferCapMiB', w.bufferCapMiB],
  ] as const) {
    const bad = badMiB(v, field);
    if (bad) return bad;
  }
  if (w.requestsPerSec != null && (!Number.isFinite(w.requestsPerSec) || w.requestsPerSec < 0 || w.requestsPerSec > 100_000)) {
    return fail(SimErrorCode.INVALID_VALUE, 'requestsPerSec must be between 0 and 100000');
  }
  if (w.batch) {
    const b = w.batch;
    const bad = badMiB(b.sizeMiB, 'batch.sizeMiB') ?? badMiB(b.rateMiBps, 'batch.rateMiBps', false) ?? badMiB(b.chunkMiB, 'batch.chunkMiB', false);
    if (bad) return bad;
    if (!Number.isFinite(b.everySec) || b.everySec < 0 || b.everySec > 86_400) {
      return fail(SimErrorCode.INVALID_VALUE, 'batch.everySec must be between 0 and 86400');
    }
  }
  return null;
}

function findPod(state: SimState, slot: string): Result<PodState> {
  const p = activePod(state, slot);
  return p ? ok(p) : fail(SimErrorCode.UNKNOWN_POD, `there is no pod "${slot}" on this node`);
}

/** P3: in-place resize is possible when the node allows it and the QoS class would not change. */
function resizeInPlace(state: SimState, p: PodState, spec: PodSpec): Result<void> {
  if (spec.limitPages !== null && spec.limitPages < podUsagePages(p)) {
    return fail(
      SimErrorCode.LIMIT_BELOW_USAGE,
      `a memory limit cannot be lowered below current usage (${Math.ceil(podUsagePages(p) / 256)} MiB) in place`,
    );
  }
  p.spec = spec;
  state.events.push({
    tick: state.tick,
    type: 'resized',
    pod: p.name,
    slot: p.slot,
    requestPages: spec.requestPages,
    limitPages: spec.limitPages,
  });
  return ok(undefined);
}

/** P2: changing resources recreates the pod (a rollout), unless it can be resized in place. */
function setResources(state: SimState, p: PodState, requestMiB: number | null, limitMiB: number | null): Result<void> {
  const bad = checkResources(requestMiB, limitMiB);
  if (bad) return bad;
  const limitPages = limitMiB === null ? null : mibToPages(limitMiB);
  const requestPages = requestMiB === null ? limitPages : mibToPages(requestMiB);
  if (requestPages === p.spec.requestPages && limitPages === p.spec.limitPages) {
    return fail(SimErrorCode.NOTHING_TO_CHANGE, 'the pod already has this request and limit');
  }
  const spec = podSpec({ ...p.spec, requestPages, limitPages });
  const sameQos = qosClass(requestPages, limitPages) === qosClass(p.spec.requestPages, p.spec.limitPages);
  if (state.node.inPlaceResize && sameQos && p.phase === 'Running') return resizeInPlace(state, p, spec);
  const next = replacePod(state, p, spec, 'recreated with new resources', false);
  next.pending = p.pending;
  return ok(undefined);
}

const CHANGE_LABEL: Record<PendingChange['kind'], string> = {
  fix_leak: 'the leak fix',
  add_backpressure: 'backpressure',
  stream_batch: 'streaming',
};

/** C5: a code change takes engineering time, then deploys as a rollout (a new pod). */
function startChange(state: SimState, p: PodState, kind: PendingChange['kind'], valueMiB: number | null): Result<void> {
  if (p.pending) {
    return fail(SimErrorCode.CHANGE_IN_PROGRESS, `${CHANGE_LABEL[p.pending.kind]} is already being built for this pod`);
  }
  const readyTick = state.tick + secToTicks(state.node.engineeringSec[kind]);
  p.pending = { kind, readyTick, valueMiB };
  state.events.push({ tick: state.tick, type: 'change_started', pod: p.name, slot: p.slot, kind, readyTick });
  return ok(undefined);
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

/** C1: apply one command. Bad input returns a coded error and changes nothing. */
export function applyCommand(state: SimState, cmd: Command): Result<void> {
  switch (cmd.type) {
    case 'add_pod': {
      const t = cmd.pod;
      if (!SLOT_NAME.test(t.slot)) {
        return fail(SimErrorCode.INVALID_VALUE, 'a pod name is 1–40 lower-case letters, digits or dashes');
      }
      if (state.pods.some((p) => p.slot === t.slot)) {
        return fail(SimErrorCode.DUPLICATE_POD, `a pod "${t.slot}" is already on this node`);
      }
      const bad = checkResources(t.requestMiB, t.limitMiB) ?? checkWorkload(t.workload);
      if (bad) return bad;
      if (t.oomScoreAdj != null && !validAdj(t.oomScoreAdj)) return badAdj();
      createPod(state, t.slot, specFromTemplate(t), null);
      return ok(undefined);
    }
    case 'traffic_spike': {
      if (!(cmd.multiplier >= 0.1 && cmd.multiplier <= 20) || !(cmd.durationSec >= 1 && cmd.durationSec <= 3600)) {
        return fail(SimErrorCode.INVALID_VALUE, 'a traffic spike is 0.1–20 times normal, for 1–3600 seconds');
      }
      state.node.trafficMilli = Math.round(cmd.multiplier * 1000);
      state.node.trafficUntilTick = state.tick + secToTicks(cmd.durationSec);
      state.events.push({
        tick: state.tick,
        type: 'traffic',
        multiplierMilli: state.node.trafficMilli,
        untilTick: state.node.trafficUntilTick,
      });
      return ok(undefined);
    }
    default:
      break;
  }
  const found = findPod(state, cmd.pod);
  if (!found.ok) return found;
  const p = found.value;
  switch (cmd.type) {
    case 'remove_pod':
      for (const q of state.pods.filter((q) => q.slot === cmd.pod)) deletePod(state, q, 'removed');
      return ok(undefined);
    case 'set_workload': {
      const bad = checkWorkload(cmd.workload);
      if (bad) return bad;
      p.spec = podSpec({ ...p.spec, workload: workloadSpec({ ...p.spec.workload, ...cmd.workload }) });
      return ok(undefined);
    }
    case 'set_resources':
      return setResources(state, p, cmd.requestMiB, cmd.limitMiB);
    case 'set_oom_score_adj':
      if (cmd.value !== null && !validAdj(cmd.value)) return badAdj();
      p.spec = podSpec({ ...p.spec, oomScoreAdjOverride: cmd.value });
      return ok(undefined);
    case 'fix_leak':
      if (p.spec.workload.leakMiBps === 0) return fail(SimErrorCode.NOTHING_TO_CHANGE, 'this pod has no leak to fix');
      return startChange(state, p, 'fix_leak', null);
    case 'add_backpressure': {
      const bad = badMiB(cmd.bufferCapMiB, 'bufferCapMiB', false);
      if (bad) return bad;
      return startChange(state, p, 'add_backpressure', cmd.bufferCapMiB);
    }
    case 'stream_batch': {
      const bad = badMiB(cmd.chunkMiB, 'chunkMiB', false);
      if (bad) return bad;
      if (!p.spec.workload.batch) return fail(SimErrorCode.NOTHING_TO_CHANGE, 'this pod has no batch to stream');
      if (p.spec.workload.batch.mode === 'stream') {
        return fail(SimErrorCode.NOTHING_TO_CHANGE, 'this pod already streams its batch');
      }
      return startChange(state, p, 'stream_batch', cmd.chunkMiB);
    }
    case 'start_batch': {
      const bad = badMiB(cmd.sizeMiB, 'sizeMiB', false);
      if (bad) return bad;
      const current = p.spec.workload.batch;
      const batch = current
        ? { ...current, sizeMiB: cmd.sizeMiB ?? current.sizeMiB }
        : { sizeMiB: cmd.sizeMiB ?? 700, mode: 'load' as const, rateMiBps: 60, chunkMiB: 32, everySec: 0 };
      p.spec = podSpec({ ...p.spec, workload: workloadSpec({ ...p.spec.workload, batch }) });
      if (p.cState === 'Running' && p.batchRemainingPages === 0 && p.batchLoadedPages === 0) p.batchWaitTicks = 0;
      return ok(undefined);
    }
    case 'kill':
    case 'exit': {
      if (p.cState !== 'Running' || p.dying) return fail(SimErrorCode.POD_NOT_RUNNING, `pod "${cmd.pod}" is not running`);
      if (cmd.type === 'kill') {
        terminateContainer(state, p, 'Error', 137, 9);
        return ok(undefined);
      }
      if (!Number.isInteger(cmd.code) || cmd.code < 0 || cmd.code > 255) {
        return fail(SimErrorCode.INVALID_VALUE, 'an exit code is an integer from 0 to 255');
      }
      terminateContainer(state, p, cmd.code === 0 ? 'Completed' : 'Error', cmd.code, null);
      return ok(undefined);
    }
  }
}

function validAdj(v: number): boolean {
  return Number.isInteger(v) && v >= OOM_SCORE_ADJ_MIN && v <= OOM_SCORE_ADJ_MAX;
}
function badAdj(): Result<void> {
  return fail(SimErrorCode.INVALID_VALUE, `oom_score_adj is an integer from ${OOM_SCORE_ADJ_MIN} to ${OOM_SCORE_ADJ_MAX}`);
}
