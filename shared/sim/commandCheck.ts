import { podUsagePages } from './memory.ts';
import { activePod } from './podLifecycle.ts';
import { OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN, qosClass } from './qos.ts';
import { fail, ok, SimErrorCode, type Result } from './result.ts';
import type { Command, PendingChange, PodState, SimState, WorkloadPatch } from './types.ts';
import { mibToPages } from './units.ts';

/** The largest memory figure any command accepts (1 TiB), so nothing overflows page arithmetic. */
export const MAX_MIB = 1024 * 1024;
const SLOT_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

export const CHANGE_LABEL: Record<PendingChange['kind'], string> = {
  fix_leak: 'the leak fix',
  add_backpressure: 'backpressure',
  stream_batch: 'streaming',
};

function badMiB(v: number | null | undefined, field: string, allowZero = true): Result<never> | null {
  if (v == null) return null;
  if (!Number.isFinite(v) || v < 0 || v > MAX_MIB || (!allowZero && v === 0)) {
    return fail(
      SimErrorCode.INVALID_VALUE,
      `${field} must be between ${allowZero ? 0 : 'above 0'} and ${MAX_MIB} MiB`,
    );
  }
  return null;
}

function checkResources(
  requestMiB: number | null | undefined,
  limitMiB: number | null | undefined,
): Result<never> | null {
  const bad = badMiB(requestMiB, 'request') ?? badMiB(limitMiB, 'limit', false);
  if (bad) return bad;
  if (limitMiB != null && mibToPages(limitMiB) < 1) {
    return fail(SimErrorCode.INVALID_VALUE, 'a limit is at least one 4 KiB page');
  }
  if (requestMiB != null && limitMiB != null && limitMiB < requestMiB) {
    return fail(
      SimErrorCode.LIMIT_BELOW_REQUEST,
      `limit (${limitMiB} MiB) must be at least the request (${requestMiB} MiB)`,
    );
  }
  return null;
}

function checkWorkload(w: WorkloadPatch): Result<never> | null {
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
  if (
    w.requestsPerSec != null &&
    (!Number.isFinite(w.requestsPerSec) || w.requestsPerSec < 0 || w.requestsPerSec > 100_000)
  ) {
    return fail(SimErrorCode.INVALID_VALUE, 'requestsPerSec must be between 0 and 100000');
  }
  if (w.batch) {
    const b = w.batch;
    const bad =
      badMiB(b.sizeMiB, 'batch.sizeMiB') ??
      badMiB(b.rateMiBps, 'batch.rateMiBps', false) ??
      badMiB(b.chunkMiB, 'batch.chunkMiB', false);
    if (bad) return bad;
    if (!Number.isFinite(b.everySec) || b.everySec < 0 || b.everySec > 86_400) {
      return fail(SimErrorCode.INVALID_VALUE, 'batch.everySec must be between 0 and 86400');
    }
  }
  return null;
}

function validAdj(v: number): boolean {
  return Number.isInteger(v) && v >= OOM_SCORE_ADJ_MIN && v <= OOM_SCORE_ADJ_MAX;
}
function badAdj(): Result<never> {
  return fail(
    SimErrorCode.INVALID_VALUE,
    `oom_score_adj is an integer from ${OOM_SCORE_ADJ_MIN} to ${OOM_SCORE_ADJ_MAX}`,
  );
}

/** The request and limit a `set_resources` asks for, in pages (no request: the limit, as the kubelet defaults it). */
export function resourcePages(
  requestMiB: number | null,
  limitMiB: number | null,
): { requestPages: number | null; limitPages: number | null } {
  const limitPages = limitMiB === null ? null : mibToPages(limitMiB);
  return { requestPages: requestMiB === null ? limitPages : mibToPages(requestMiB), limitPages };
}

/** P3: a resize is done in place when the node allows it, the pod runs and its QoS class would not change. */
export function resizesInPlace(
  state: SimState,
  p: PodState,
  requestPages: number | null,
  limitPages: number | null,
): boolean {
  const sameQos = qosClass(requestPages, limitPages) === qosClass(p.spec.requestPages, p.spec.limitPages);
  return state.node.inPlaceResize && sameQos && p.phase === 'Running';
}

function pendingChange(p: PodState): Result<never> | null {
  if (!p.pending) return null;
  return fail(
    SimErrorCode.CHANGE_IN_PROGRESS,
    `${CHANGE_LABEL[p.pending.kind]} is already being built for this pod`,
  );
}

/**
 * Whether `cmd` would apply to `state`, and if not the coded error applying it would return; changes nothing. The
 * pod it acts on (null: a command for the node, or a new pod). `applyCommand` runs this first, so a command judged
 * here is judged the same there: a student's command is checked on arrival against the live state without a copy.
 */
export function checkCommand(state: SimState, cmd: Command): Result<PodState | null> {
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
      return ok(null);
    }
    case 'traffic_spike':
      if (
        !(cmd.multiplier >= 0.1 && cmd.multiplier <= 20) ||
        !(cmd.durationSec >= 1 && cmd.durationSec <= 3600)
      ) {
        return fail(SimErrorCode.INVALID_VALUE, 'a traffic spike is 0.1–20 times normal, for 1–3600 seconds');
      }
      return ok(null);
    default:
      break;
  }
  const p = activePod(state, cmd.pod);
  if (!p) return fail(SimErrorCode.UNKNOWN_POD, `there is no pod "${cmd.pod}" on this node`);
  const bad = podCommandRefusal(state, p, cmd);
  return bad ?? ok(p);
}

/** Why a command for pod `p` cannot apply, or null. */
function podCommandRefusal(
  state: SimState,
  p: PodState,
  cmd: Exclude<Command, { type: 'add_pod' | 'traffic_spike' }>,
): Result<never> | null {
  switch (cmd.type) {
    case 'remove_pod':
      return null;
    case 'set_workload':
      return checkWorkload(cmd.workload);
    case 'set_resources': {
      const bad = checkResources(cmd.requestMiB, cmd.limitMiB);
      if (bad) return bad;
      const { requestPages, limitPages } = resourcePages(cmd.requestMiB, cmd.limitMiB);
      if (requestPages === p.spec.requestPages && limitPages === p.spec.limitPages) {
        return fail(SimErrorCode.NOTHING_TO_CHANGE, 'the pod already has this request and limit');
      }
      if (
        resizesInPlace(state, p, requestPages, limitPages) &&
        limitPages !== null &&
        limitPages < podUsagePages(p)
      ) {
        return fail(
          SimErrorCode.LIMIT_BELOW_USAGE,
          `a memory limit cannot be lowered below current usage (${Math.ceil(podUsagePages(p) / 256)} MiB) in place`,
        );
      }
      return null;
    }
    case 'set_oom_score_adj':
      return cmd.value !== null && !validAdj(cmd.value) ? badAdj() : null;
    case 'fix_leak':
      if (p.spec.workload.leakMiBps === 0)
        return fail(SimErrorCode.NOTHING_TO_CHANGE, 'this pod has no leak to fix');
      return pendingChange(p);
    case 'add_backpressure':
      return badMiB(cmd.bufferCapMiB, 'bufferCapMiB', false) ?? pendingChange(p);
    case 'stream_batch': {
      const bad = badMiB(cmd.chunkMiB, 'chunkMiB', false);
      if (bad) return bad;
      if (!p.spec.workload.batch)
        return fail(SimErrorCode.NOTHING_TO_CHANGE, 'this pod has no batch to stream');
      if (p.spec.workload.batch.mode === 'stream') {
        return fail(SimErrorCode.NOTHING_TO_CHANGE, 'this pod already streams its batch');
      }
      return pendingChange(p);
    }
    case 'start_batch':
      return badMiB(cmd.sizeMiB, 'sizeMiB', false);
    case 'kill':
    case 'exit':
      if (p.cState !== 'Running' || p.dying)
        return fail(SimErrorCode.POD_NOT_RUNNING, `pod "${cmd.pod}" is not running`);
      if (cmd.type === 'exit' && (!Number.isInteger(cmd.code) || cmd.code < 0 || cmd.code > 255)) {
        return fail(SimErrorCode.INVALID_VALUE, 'an exit code is an integer from 0 to 255');
      }
      return null;
  }
}
