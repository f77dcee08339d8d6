/**
 * The simulation's state and its inputs and outputs: plain JSON data only (no classes, Maps or Dates) so that it
 * serialises, hashes and replays. Sub-objects marked Readonly are replaced, never mutated, so a state clone may share them.
 */

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';
export type ContainerStateName = 'Waiting' | 'Running' | 'Terminated';
export type TerminatedReason = 'OOMKilled' | 'Error' | 'Completed';
export type WaitingReason = 'ContainerCreating' | 'CrashLoopBackOff';
/**
 * The three kinds of OOM (K10): a container reaching its own limit ('memcg'), the pods together reaching the
 * node-allocatable limit of /kubepods.slice ('kubepods', also CONSTRAINT_MEMCG to the kernel), and the whole node
 * running out of RAM ('global', CONSTRAINT_NONE).
 */
export type OomConstraint = 'memcg' | 'kubepods' | 'global';

/** How a pod's batch is processed: all at once (peak = whole batch) or streamed in chunks (peak = one chunk). */
export type BatchMode = 'load' | 'stream';

/** What the student's application does. All rates are per simulated second. */
export interface WorkloadSpec {
  /** Process name shown in kernel log lines (the kernel's `comm`, at most 15 characters). */
  readonly comm: string;
  /** Memory the process needs once started (code, heap, runtime). */
  readonly baselineMiB: number;
  /** The seed's module-level `cache` that only grows: MiB retained per second while running. */
  readonly leakMiBps: number;
  /** Incoming requests per second (before traffic spikes). */
  readonly requestsPerSec: number;
  /** Memory each request holds while it is in flight. */
  readonly mibPerRequest: number;
  /** How long a request stays in flight, in seconds. */
  readonly requestSec: number;
  /** A bounded buffer (backpressure): in-flight memory is capped here, excess requests are dropped. null = unbounded. */
  readonly bufferCapMiB: number | null;
  /** A batch job the process takes: size, how it loads, and how often it arrives (0 = once at start). */
  readonly batch: Readonly<BatchSpec> | null;
  /** File reads that fill the page cache (reclaimable memory, counted in usage). */
  readonly fileReadMiBps: number;
  /** Size of the file set read; reads past it re-read cached pages and make them active. */
  readonly fileSetMiB: number;
}

export interface BatchSpec {
  sizeMiB: number;
  mode: BatchMode;
  /** Load speed for mode 'load' and processing speed for 'stream', MiB/s. */
  rateMiBps: number;
  /** Chunk size when streaming. */
  chunkMiB: number;
  /** Seconds from start (or from the previous batch's end) until a batch arrives. */
  everySec: number;
}

/** What the pod asks Kubernetes for. Replaced whole on change. */
export interface PodSpec {
  /** Memory request in pages, after API defaulting (a limit alone defaults the request to the limit). */
  readonly requestPages: number | null;
  readonly limitPages: number | null;
  readonly priority: number;
  readonly restartPolicy: RestartPolicy;
  /** The "what if" control: a value written to /proc/PID/oom_score_adj. null = what the kubelet sets. */
  readonly oomScoreAdjOverride: number | null;
  readonly workload: Readonly<WorkloadSpec>;
}

/** The container's last termination, as `kubectl describe` shows it under Last State. */
export interface TerminatedInfo {
  readonly reason: TerminatedReason;
  readonly exitCode: number;
  readonly signal: number | null;
  readonly startedTick: number;
  readonly finishedTick: number;
}

/** A change that takes engineering time before it is deployed (fix the leak, add backpressure, stream the batch). */
export interface PendingChange {
  readonly kind: 'fix_leak' | 'add_backpressure' | 'stream_batch';
  readonly readyTick: number;
  /** The buffer cap (add_backpressure) or chunk size (stream_batch), MiB; null for fix_leak. */
  readonly valueMiB: number | null;
}

export interface PodState {
  /** Unique per pod object; a replacement pod gets a new uid. */
  uid: number;
  /** The stable name of the student's app (the Deployment); commands address pods by slot. */
  slot: string;
  /** This pod object's name: slot plus a random suffix, as a ReplicaSet names pods. */
  name: string;
  spec: PodSpec;
  createdTick: number;
  /** -1 while Pending. */
  scheduledTick: number;
  phase: PodPhase;
  /** 'Evicted' for a pod the kubelet evicted. */
  phaseReason: string | null;
  phaseMessage: string | null;

  // The single container, `app`.
  cState: ContainerStateName;
  cWaitingReason: WaitingReason | null;
  cTerminated: TerminatedInfo | null;
  /** Process id of the current (or last) process; 0 before the first start. */
  pid: number;
  startedTick: number;
  restartCount: number;
  lastState: TerminatedInfo | null;
  /** The kubelet's back-off entry for this container: current duration (0 = no entry) and when it was last set. */
  backoffSec: number;
  backoffUpdatedTick: number;
  /** While waiting in CrashLoopBackOff: the tick the kubelet restarts it. -1 otherwise. */
  restartAtTick: number;
  /** The back-off the current run waited before it started (0 for an immediate restart). */
  lastWaitSec: number;
  /** Set while the process is an OOM victim that the kernel has not reaped yet. */
  dying: boolean;
  /** memory.max hits of the current container's cgroup (a new container, a new cgroup: reset at every start). */
  failcnt: number;
  /** "Out of memory and no killable processes" was reported for this container's cgroup (K11: once). */
  noVictimReported: boolean;

  // Memory, in pages.
  anonPages: number;
  fileRssPages: number;
  cacheInactivePages: number;
  cacheActivePages: number;
  swapPages: number;

  // Workload runtime.
  leakedPages: number;
  /** In-flight requests as rings indexed by tick: pages held and requests counted, one slot per tick of request time. */
  inflightPages: number[];
  inflightReqs: number[];
  /** Request arrivals carried between ticks, in thousandths of a request. */
  arrivalMilli: number;
  /** Batch progress: ticks until the next batch arrives (-1 none), pages loaded, pages left to process. */
  batchWaitTicks: number;
  batchLoadedPages: number;
  batchRemainingPages: number;
  /** The scheduler's last FailedScheduling message, so it is reported once per reason. */
  schedMessage: string | null;

  // Counters for the game and for memory.events.
  requestsServed: number;
  requestsDropped: number;
  batchesDone: number;
  eventsMax: number;
  eventsOom: number;
  eventsOomKill: number;
  pending: PendingChange | null;
}

/** A node-level process (kubelet, containerd): uses memory, is an OOM candidate unless its adj is -1000. */
export interface DaemonState {
  readonly pid: number;
  readonly comm: string;
  readonly rssPages: number;
  readonly oomScoreAdj: number;
  /**
   * -1 while it runs. After an OOM kill it holds no memory; systemd restarts it from this tick on, once its memory
   * fits in free RAM (a restart that cannot allocate fails and is retried).
   */
  readonly downUntilTick: number;
  /** The tick it was killed (-1 while it runs). */
  readonly downSinceTick: number;
  /** systemd's RestartSec for its unit (N4). */
  readonly restartSec: number;
  /** How many times systemd restarted it ("restart counter is at N"). */
  readonly restarts: number;
}

/** The node's Ready condition as the API shows it (N5): True, False (kubelet says not ready), Unknown (no kubelet). */
export type NodeReadyStatus = 'True' | 'False' | 'Unknown';

export interface NodeState {
  readonly name: string;
  readonly capacityPages: number;
  /** system-reserved + kube-reserved. */
  readonly reservedPages: number;
  /**
   * N6: memory.max of /kubepods.slice: capacity − reserved with `enforceNodeAllocatable: [pods]` (the default), or
   * null when enforcement is off (the pods' parent cgroup has no limit of its own).
   */
  readonly kubepodsLimitPages: number | null;
  /** node-monitor-grace-period: how long the API waits for a silent kubelet before Ready becomes Unknown (N5). */
  readonly nodeMonitorGraceSec: number;
  /** Hard eviction threshold for memory.available. */
  readonly evictionThresholdPages: number;
  readonly swapPages: number;
  /** InPlacePodVerticalScaling: limits change live instead of recreating the pod. */
  readonly inPlaceResize: boolean;
  /** Seconds of engineering time for each remedy before it is deployed. */
  readonly engineeringSec: Readonly<Record<PendingChange['kind'], number>>;
  /** Replaced whole when a daemon changes. */
  daemons: readonly DaemonState[];
  memoryPressure: boolean;
  /** Last tick at which memory.available was under the threshold (-1 never). */
  lastPressureTick: number;
  /** Traffic multiplier in thousandths (1000 = normal) and the tick it ends. */
  trafficMilli: number;
  trafficUntilTick: number;
  /** Pages swapped out, node-wide. */
  swapUsedPages: number;
  /** The Ready condition (N5). */
  ready: NodeReadyStatus;
  /** memory.max hits of /kubepods.slice. */
  kubepodsFailcnt: number;
  /** "Out of memory and no killable processes" was reported for the node (global) or /kubepods.slice (K11: once). */
  noVictimReported: boolean;
}

export interface SimState {
  /** The simulation rules' version: a recording made under other rules does not replay. */
  simVersion: number;
  tick: number;
  seed: number;
  /** The seeded PRNG's state (mulberry32), the only source of randomness. */
  rng: number;
  nextUid: number;
  nextPid: number;
  node: NodeState;
  pods: PodState[];
  /** Events emitted by the last step, in order. Replaced every step. */
  events: SimEvent[];
}

// ---- Commands: the only way anyone changes the state ----

export interface WorkloadPatch {
  leakMiBps?: number;
  requestsPerSec?: number;
  mibPerRequest?: number;
  bufferCapMiB?: number | null;
  batch?: BatchSpec | null;
  fileReadMiBps?: number;
  fileSetMiB?: number;
}

export interface PodTemplate {
  slot: string;
  requestMiB?: number | null;
  limitMiB?: number | null;
  oomScoreAdj?: number | null;
  priority?: number;
  restartPolicy?: RestartPolicy;
  workload: Partial<WorkloadSpec>;
}

export type Command =
  | { type: 'add_pod'; pod: PodTemplate }
  | { type: 'remove_pod'; pod: string }
  | { type: 'set_workload'; pod: string; workload: WorkloadPatch }
  | { type: 'set_resources'; pod: string; requestMiB: number | null; limitMiB: number | null }
  | { type: 'set_oom_score_adj'; pod: string; value: number | null }
  | { type: 'fix_leak'; pod: string }
  | { type: 'add_backpressure'; pod: string; bufferCapMiB: number }
  | { type: 'stream_batch'; pod: string; chunkMiB: number }
  | { type: 'start_batch'; pod: string; sizeMiB?: number }
  | { type: 'kill'; pod: string }
  | { type: 'exit'; pod: string; code: number }
  | { type: 'traffic_spike'; multiplier: number; durationSec: number };

export type CommandType = Command['type'];

// ---- Events: what happened in a step, for logs, views, charts and scoring ----

/** One row of the kernel's scan: what oom_badness saw for one process. */
export interface OomCandidate {
  pid: number;
  comm: string;
  /** Pod name, or null for a node daemon. */
  pod: string | null;
  slot: string | null;
  rssPages: number;
  anonPages: number;
  fileRssPages: number;
  swapPages: number;
  pgtablePages: number;
  oomScoreAdj: number;
  /** oom_badness: null for an exempt process (adj -1000). */
  points: number | null;
  /** /proc/PID/oom_score (always against the node's totalpages). */
  oomScore: number;
}

interface EventBase {
  tick: number;
}

export interface OomKillEvent extends EventBase {
  type: 'oom_kill';
  constraint: OomConstraint;
  /** The victim's pod; null when the victim was a node daemon. */
  pod: string | null;
  slot: string | null;
  pid: number;
  comm: string;
  exitCode: 137;
  reason: 'OOMKilled';
  /** The task whose allocation failed (it may not be the victim). */
  invoker: { pid: number; comm: string; pod: string | null; oomScoreAdj: number };
  totalPages: number;
  candidates: OomCandidate[];
  victim: OomCandidate;
  /** The victim container's usage and its own limit, in pages; failcnt of its own cgroup. */
  usagePages: number;
  limitPages: number | null;
  failcnt: number;
  /**
   * The memory cgroup that reached its limit (memcg: the container's, kubepods: /kubepods.slice): usage, memory.max,
   * swap used and failcnt, as `mem_cgroup_print_oom_meminfo` prints them. null for a global OOM.
   */
  oomCgroup: { usagePages: number; limitPages: number; swapUsagePages: number; failcnt: number } | null;
  /** The victim container's restart count: each restart is a new container (id, cgroup scope). */
  restartCount: number;
  qosClass: QosClass | null;
  requestPages: number | null;
  /** Only on the copy sent to one student, whose table is cut short: their place in the whole ranking. */
  studentRank?: { rank: number; of: number };
}

export type SimEvent =
  | (EventBase & { type: 'pod_created'; pod: string; slot: string; replaces: string | null })
  | (EventBase & { type: 'scheduled'; pod: string; slot: string })
  | (EventBase & { type: 'failed_scheduling'; pod: string; slot: string; message: string })
  | (EventBase & { type: 'started'; pod: string; slot: string; pid: number; restartCount: number; backoffSec: number })
  /** A restart of a container that ran before: restartCount is the new count, backoffSec what it waited (0 = at once). */
  | (EventBase & { type: 'restarted'; pod: string; slot: string; pid: number; restartCount: number; backoffSec: number })
  | OomKillEvent
  | (EventBase & {
      type: 'oom_no_victim';
      constraint: OomConstraint;
      pod: string | null;
      slot: string | null;
      message: string;
    })
  | (EventBase & {
      type: 'terminated';
      pod: string;
      slot: string;
      reason: TerminatedReason;
      exitCode: number;
      signal: number | null;
    })
  | (EventBase & { type: 'backoff'; pod: string; slot: string; backoffSec: number; restartAtTick: number })
  | (EventBase & {
      type: 'evicted';
      pod: string;
      slot: string;
      message: string;
      usagePages: number;
      requestPages: number | null;
      availablePages: number;
    })
  | (EventBase & { type: 'memory_pressure'; on: boolean; availablePages: number })
  /** A node agent (systemd unit) was OOM-killed: `Failed with result 'oom-kill'`; systemd restarts it at restartAtTick. */
  | (EventBase & { type: 'daemon_down'; comm: string; pid: number; result: 'oom-kill'; restartAtTick: number })
  | (EventBase & { type: 'daemon_restarted'; comm: string; pid: number; restarts: number })
  | (EventBase & { type: 'node_ready'; status: NodeReadyStatus; reason: string; message: string })
  | (EventBase & { type: 'resized'; pod: string; slot: string; requestPages: number | null; limitPages: number | null })
  | (EventBase & { type: 'change_started'; pod: string; slot: string; kind: PendingChange['kind']; readyTick: number })
  | (EventBase & { type: 'pod_deleted'; pod: string; slot: string; reason: string })
  | (EventBase & { type: 'batch_done'; pod: string; slot: string; sizePages: number })
  | (EventBase & { type: 'traffic'; multiplierMilli: number; untilTick: number })
  | (EventBase & { type: 'command_rejected'; code: string; message: string; command: CommandType });

export type SimEventType = SimEvent['type'];
