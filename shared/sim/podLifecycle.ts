import { podSuffix } from './random.ts';
import { releaseAllMemory } from './memory.ts';
import type { PodSpec, PodState, PodTemplate, SimState, TerminatedReason, WorkloadSpec } from './types.ts';
import { podSpec, workloadSpec } from './specShapes.ts';
import { mibToPages, secToTicks } from './units.ts';

/** The workload a pod runs when its template leaves fields out: a small, healthy web service. */
export const DEFAULT_WORKLOAD: WorkloadSpec = {
  comm: 'app',
  baselineMiB: 64,
  leakMiBps: 0,
  requestsPerSec: 20,
  mibPerRequest: 1,
  requestSec: 0.5,
  bufferCapMiB: null,
  batch: null,
  fileReadMiBps: 0,
  fileSetMiB: 0,
};

/** Pages mapped from the binary and its libraries: counted in RSS (file-rss) and in the cgroup's usage. */
export const FILE_RSS_PAGES = 156;

/** The app's baseline is reached over one second after start (the runtime starting up). */
const STARTUP_TICKS = 10;
export { STARTUP_TICKS };

/** P1: API defaulting: a limit with no request gets request = limit (so a limit alone makes a Guaranteed pod). */
export function specFromTemplate(t: PodTemplate): PodSpec {
  const limitPages = t.limitMiB == null ? null : mibToPages(t.limitMiB);
  const requestPages = t.requestMiB == null ? limitPages : mibToPages(t.requestMiB);
  return podSpec({
    requestPages,
    limitPages,
    priority: t.priority ?? 0,
    restartPolicy: t.restartPolicy ?? 'Always',
    oomScoreAdjOverride: t.oomScoreAdj ?? null,
    workload: workloadSpec({ ...DEFAULT_WORKLOAD, ...t.workload, comm: (t.workload.comm ?? DEFAULT_WORKLOAD.comm).slice(0, 15) }),
  });
}

function ringLength(w: WorkloadSpec): number {
  return Math.max(1, secToTicks(w.requestSec));
}

/** Create a Pending pod for a slot (a new pod object: new uid, new name, restart count 0). */
export function createPod(state: SimState, slot: string, spec: PodSpec, replaces: string | null): PodState {
  const len = ringLength(spec.workload);
  const pod: PodState = {
    uid: state.nextUid++,
    slot,
    name: `${slot}-${podSuffix(state)}`,
    spec,
    createdTick: state.tick,
    scheduledTick: -1,
    phase: 'Pending',
    phaseReason: null,
    phaseMessage: null,
    cState: 'Waiting',
    // S4: no container status until the kubelet admits the pod on its node: `kubectl get pods` says Pending.
    cWaitingReason: null,
    cTerminated: null,
    pid: 0,
    startedTick: -1,
    restartCount: 0,
    lastState: null,
    backoffSec: 0,
    backoffUpdatedTick: 0,
    restartAtTick: -1,
    lastWaitSec: 0,
    dying: false,
    failcnt: 0,
    noVictimReported: false,
    anonPages: 0,
    fileRssPages: 0,
    cacheInactivePages: 0,
    cacheActivePages: 0,
    swapPages: 0,
    leakedPages: 0,
    inflightPages: new Array<number>(len).fill(0),
    inflightReqs: new Array<number>(len).fill(0),
    arrivalMilli: 0,
    batchWaitTicks: -1,
    batchLoadedPages: 0,
    batchRemainingPages: 0,
    schedMessage: null,
    requestsServed: 0,
    requestsDropped: 0,
    batchesDone: 0,
    eventsMax: 0,
    eventsOom: 0,
    eventsOomKill: 0,
    pending: null,
  };
  state.pods.push(pod);
  state.events.push({ tick: state.tick, type: 'pod_created', pod: pod.name, slot, replaces });
  return pod;
}

/**
 * Start (or restart) the container: a new process in a new container (new id, new cgroup scope) with empty memory
 * (R5): whatever the dead process held is freed first, so the new one starts from its workload's baseline. The
 * batch, if any, arrives on schedule.
 */
export function startContainer(state: SimState, p: PodState, waitedSec: number): void {
  const restarting = p.pid !== 0;
  if (restarting) {
    p.restartCount += 1;
    // R6: the newest termination is Last State (already moved there if the container waited in CrashLoopBackOff).
    if (p.cTerminated) p.lastState = p.cTerminated;
    releaseAllMemory(state, p);
  }
  p.dying = false;
  p.failcnt = 0;
  p.noVictimReported = false;
  const len = ringLength(p.spec.workload);
  p.pid = state.nextPid++;
  p.cState = 'Running';
  p.cWaitingReason = null;
  p.cTerminated = null;
  p.startedTick = state.tick;
  p.restartAtTick = -1;
  p.lastWaitSec = waitedSec;
  p.phase = 'Running';
  p.fileRssPages = 0;
  p.inflightPages = new Array<number>(len).fill(0);
  p.inflightReqs = new Array<number>(len).fill(0);
  p.arrivalMilli = 0;
  const batch = p.spec.workload.batch;
  p.batchWaitTicks = batch ? secToTicks(batch.everySec) : -1;
  p.batchLoadedPages = 0;
  p.batchRemainingPages = 0;
  state.events.push({
    tick: state.tick,
    type: restarting ? 'restarted' : 'started',
    pod: p.name,
    slot: p.slot,
    pid: p.pid,
    restartCount: p.restartCount,
    backoffSec: waitedSec,
  });
}

/** Does restartPolicy restart a container that exited with this code? */
export function restartsAfter(p: PodState, exitCode: number): boolean {
  const policy = p.spec.restartPolicy;
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/**
 * The process ends (OOM kill, SIGKILL, exit). In-flight requests are lost. Its memory is freed when the kernel
 * reaps it at the start of the next tick (so a victim's memory is still charged during the tick it dies in).
 */
export function terminateContainer(
  state: SimState,
  p: PodState,
  reason: TerminatedReason,
  exitCode: number,
  signal: number | null,
): void {
  for (const n of p.inflightReqs) p.requestsDropped += n;
  p.inflightReqs.fill(0);
  p.cState = 'Terminated';
  p.cWaitingReason = null;
  p.cTerminated = { reason, exitCode, signal, startedTick: p.startedTick, finishedTick: state.tick };
  p.batchRemainingPages = 0;
  if (!restartsAfter(p, exitCode)) p.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
  state.events.push({ tick: state.tick, type: 'terminated', pod: p.name, slot: p.slot, reason, exitCode, signal });
}

/** Remove a pod object at once (deleted, or recreated by a rollout), freeing its memory. */
export function deletePod(state: SimState, p: PodState, reason: string): void {
  releaseAllMemory(state, p);
  state.pods.splice(state.pods.indexOf(p), 1);
  state.events.push({ tick: state.tick, type: 'pod_deleted', pod: p.name, slot: p.slot, reason });
}

/** A Deployment's rollout or an eviction's replacement: a new pod for the same slot, with the given spec. */
export function replacePod(state: SimState, old: PodState, spec: PodSpec, reason: string, keepOld: boolean): PodState {
  if (keepOld) {
    // Keep one failed pod per slot for `kubectl get pods`; older ones are garbage-collected.
    for (const q of state.pods.filter((q) => q.slot === old.slot && q !== old && q.phase === 'Failed')) {
      state.pods.splice(state.pods.indexOf(q), 1);
    }
  } else {
    deletePod(state, old, reason);
  }
  return createPod(state, old.slot, spec, old.name);
}

/** The live (not Failed or Succeeded) pod of a slot: the one a student's commands act on. */
export function activePod(state: SimState, slot: string): PodState | undefined {
  for (const p of state.pods) if (p.slot === slot && p.phase !== 'Failed' && p.phase !== 'Succeeded') return p;
  // A pod that finished under restartPolicy Never/OnFailure is still the slot's pod.
  for (let i = state.pods.length - 1; i >= 0; i--) if (state.pods[i]!.slot === slot) return state.pods[i];
  return undefined;
}
