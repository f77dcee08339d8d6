import { createSimulation } from '../sim/create.ts';
import { KUBELET_OOM_SCORE_ADJ, CONTAINERD_OOM_SCORE_ADJ } from '../sim/qos.ts';
import { FILE_RSS_PAGES } from '../sim/podLifecycle.ts';
import { advance } from '../sim/step.ts';
import type { OomKillEvent } from '../sim/types.ts';
import { mibToPages, secToTicks, TICKS_PER_SEC } from '../sim/units.ts';
import { timelineByTick } from '../scenario/run.ts';
import { parseScenario, type Scenario, type ScenarioInput } from '../scenario/schema.ts';
import type { Candidate, Kill } from './explanation.ts';

/**
 * "Play this incident": a scenario file that rebuilds the moment of an OOM kill on OOM Arena's node, so a teacher can
 * start a round from it. Every process of the kernel's table becomes a pod holding the same memory (rss + swap) with
 * the same oom_score_adj (a what-if override), memory the table does not list becomes one exempt pod, and at the kill's
 * moment the process that invoked the OOM killer asks for a little more. The node's kubelet eviction is off, so the
 * kernel's choice is what the class sees. docs/explain.md walks through one.
 */

/** The most pods a played incident gets (the largest by points; the rest of their memory joins the exempt pod). */
export const MAX_PLAY_PODS = 40;
/** OOM Arena's node booted an hour before the round began (shared/views/time.ts dmesgStamp). */
const ARENA_BOOT_SEC = 3600;
const DEFAULT_KILL_AT_SEC = 20;
/** Before this, pods are still starting (scheduling, then a second to build their memory). */
const MIN_KILL_AT_SEC = 2;
const MAX_KILL_AT_SEC = 3600;
/**
 * The ask at the kill's moment: a batch that arrives only when `start_batch` says so (everySec: a day) and loads at
 * 1 GiB/s, so all of it is asked for in the moment's tick and the OOM happens then, not a tick later.
 */
const TRIGGER_BATCH = { sizeMiB: 16, mode: 'load', rateMiBps: 1024, chunkMiB: 16, everySec: 86_400 } as const;
const TRIGGER = { type: 'start_batch' } as const;
/** The sim's node agents: rows of these names are the sim's own daemons, not pods. */
const DAEMONS: ReadonlyMap<string, { pages: number; adj: number }> = new Map([
  ['containerd', { pages: mibToPages(48), adj: CONTAINERD_OOM_SCORE_ADJ }],
  ['kubelet', { pages: mibToPages(96), adj: KUBELET_OOM_SCORE_ADJ }],
]);
const FILLER = 'rest-of-node';
/** A kubepods incident's node: the cgroup's limit plus this much reserved for the system (more than its agents use). */
const KUBEPODS_RESERVE_MIB = 512;

export interface PlayedPod {
  /** The pod's name in the scenario. */
  name: string;
  /** The table row it stands for (null for the exempt pod that holds unlisted memory). */
  pid: number | null;
  comm: string;
}

export type PlayResult =
  | {
      ok: true;
      scenario: Scenario;
      raw: ScenarioInput;
      pods: PlayedPod[];
      /** Table rows played by the node's own agents (containerd, kubelet): their pid in the report. */
      daemons: { comm: string; pid: number }[];
      killAtSec: number;
      notes: string[];
    }
  | { ok: false; message: string };

/** Which process of the report a kill in the played round stands for: its pid in the report, or null. */
export function reportPidOf(
  play: Extract<PlayResult, { ok: true }>,
  e: Pick<OomKillEvent, 'slot' | 'comm'>,
): number | null {
  if (e.slot !== null) return play.pods.find((p) => p.name === e.slot)?.pid ?? null;
  return play.daemons.find((d) => d.comm === e.comm)?.pid ?? null;
}

/** A DNS-1123 label (the scenario's pod-name rule) from a process name. */
function podName(comm: string, used: Set<string>): string {
  let base = comm
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30);
  if (base === '') base = 'proc';
  let name = base;
  for (let i = 2; used.has(name) || name === FILLER; i++) name = `${base}-${i}`;
  used.add(name);
  return name;
}

/** The workload `comm` rule: letters, digits, dot, dash, underscore; at most 15 characters. */
function commOf(comm: string): string {
  const c = comm.replace(/[^\w.-]/g, '_').slice(0, 15);
  return c === '' ? 'proc' : c;
}

/** The round's second for the kill: a report OOM Arena printed keeps its moment; a real one happens after 20 s. */
export function defaultKillAtSec(kill: Kill): number {
  if (kill.atSec !== null) {
    const t = kill.atSec - ARENA_BOOT_SEC;
    if (t >= MIN_KILL_AT_SEC && t <= 600) return Math.round(t * TICKS_PER_SEC) / TICKS_PER_SEC;
  }
  return DEFAULT_KILL_AT_SEC;
}

const pagesToMiB = (pages: number) => pages / 256;

/** Build the scenario for one kill. `killAtSec` moves the moment (2 s … 1 h into the round). */
export function playIncident(kill: Kill, options: { killAtSec?: number } = {}): PlayResult {
  const killAtSec = options.killAtSec ?? defaultKillAtSec(kill);
  if (!Number.isFinite(killAtSec) || killAtSec < MIN_KILL_AT_SEC || killAtSec > MAX_KILL_AT_SEC) {
    return {
      ok: false,
      message: `The kill's moment must be between ${MIN_KILL_AT_SEC} s and ${MAX_KILL_AT_SEC} s into the round.`,
    };
  }
  const scale = kill.pageSize / 4096; // the sim counts 4 KiB pages
  const cgroupOom = kill.scope === 'container' || kill.scope === 'pod' || kill.scope === 'cgroup';
  if (cgroupOom) return playCgroup(kill, killAtSec, scale);
  if (kill.candidates.length === 0 || kill.totalPages === null || kill.limitPages === null) {
    return {
      ok: false,
      message:
        'This kill has no candidate table or no node memory figures, so there is nothing to rebuild: paste the whole kernel report.',
    };
  }
  return playNode(kill, killAtSec, scale);
}

function describe(kill: Kill, extra: string): string {
  const v = kill.victim
    ? `${kill.victim.comm}${kill.victim.pid !== null ? ` (pid ${kill.victim.pid})` : ''}`
    : 'a process';
  return (
    `Rebuilt from a real OOM report: ${v} was killed (${kill.constraint ?? 'OOM'}, scope ${kill.scope}). ${extra} ` +
    'Eviction is off on this node (threshold 0) so the kernel, not the kubelet, decides. Ask the class who will die, and why, before the moment comes.'
  ).slice(0, 4000);
}

function finish(
  raw: ScenarioInput,
  pods: PlayedPod[],
  killAtSec: number,
  notes: string[],
  daemons: { comm: string; pid: number }[] = [],
): PlayResult {
  const parsed = parseScenario(raw);
  if (!parsed.ok) return { ok: false, message: `The incident does not fit a scenario: ${parsed.message}` };
  return { ok: true, scenario: parsed.scenario, raw, pods, daemons, killAtSec, notes };
}

function scenarioName(kill: Kill): string {
  const v = (kill.victim?.comm ?? 'oom')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 28);
  return `incident-${v || 'oom'}`;
}

/** A cgroup OOM: one pod at its limit (the cgroup's processes together), which asks for more at the moment. */
function playCgroup(kill: Kill, killAtSec: number, scale: number): PlayResult {
  if (kill.limitPages === null)
    return {
      ok: false,
      message: "The cgroup's limit is not in the paste, so the incident cannot be rebuilt.",
    };
  const limitPages = Math.max(FILE_RSS_PAGES + 1, Math.ceil(kill.limitPages * scale));
  const victimRow = kill.candidates.find((c) => c.pid === kill.victim?.pid);
  const comm = commOf(kill.victim?.comm ?? kill.pod?.container ?? 'app');
  const name = podName(kill.pod?.container ?? kill.victim?.comm ?? 'app', new Set());
  const adj = victimRow?.oomScoreAdj ?? (kill.pod?.qosClass === 'Guaranteed' ? -997 : null);
  const memoryMiB = Math.max(1024, Math.ceil(pagesToMiB(limitPages)) * 2 + 512);
  const notes =
    kill.candidates.length > 1
      ? [`The cgroup's ${kill.candidates.length} processes are played as one pod, ${name}.`]
      : [];
  const raw: ScenarioInput = {
    name: scenarioName(kill),
    title: `Incident: ${kill.victim?.comm ?? 'a container'} hits its ${Math.round(pagesToMiB(limitPages))} MiB limit`,
    description: describe(
      kill,
      `The container's memory sits at its limit; at ${killAtSec} s it asks for more.`,
    ),
    durationSec: Math.ceil(killAtSec + 60),
    seed: 1,
    node: { memoryMiB, reservedMiB: 0, evictionThresholdMiB: 0 },
    pods: [
      {
        name,
        requestMiB: pagesToMiB(limitPages),
        limitMiB: pagesToMiB(limitPages),
        ...(adj !== null ? { oomScoreAdj: adj } : {}),
        workload: {
          comm,
          baselineMiB: pagesToMiB(limitPages - FILE_RSS_PAGES),
          requestsPerSec: 0,
          batch: { ...TRIGGER_BATCH },
        },
      },
    ],
    timeline: [{ atSec: killAtSec, pod: name, command: { ...TRIGGER } }],
  };
  return finish(raw, [{ name, pid: kill.victim?.pid ?? null, comm }], killAtSec, notes);
}

/**
 * A node-wide OOM: every listed process a pod, the node exactly full, the invoker asks for more. A kubepods OOM the
 * same inside /kubepods.slice: the node gets the cgroup's limit plus a reserve (the kubelet's node allocatable), so
 * the pods, not the node, run out.
 */
function playNode(kill: Kill, killAtSec: number, scale: number): PlayResult {
  const notes: string[] = [];
  const kubepods = kill.scope === 'kubepods';
  const limitPages = Math.ceil(kill.limitPages! * scale);
  const swapPages = kubepods ? 0 : Math.max(0, Math.round((kill.totalPages! - kill.limitPages!) * scale));
  const target = (c: Candidate) => Math.round((c.rssPages + c.swapPages) * scale);
  let daemonPages = 0;
  for (const d of DAEMONS.values()) daemonPages += d.pages;

  const daemons = kubepods
    ? []
    : kill.candidates.filter((c) => DAEMONS.has(c.comm)).map((c) => ({ comm: c.comm, pid: c.pid }));
  const rows = kill.candidates.filter((c) => kubepods || !DAEMONS.has(c.comm));
  const must = new Set([kill.victim?.pid, kill.recomputedVictim?.pid, kill.invoker?.pid]);
  const ranked = [...rows].sort((a, b) => (b.points ?? -Infinity) - (a.points ?? -Infinity));
  const kept = ranked.filter((c, i) => i < MAX_PLAY_PODS - 1 || must.has(c.pid));
  const keptSet = new Set(kept);
  const byScan = rows.filter((c) => keptSet.has(c));
  if (rows.length > kept.length)
    notes.push(
      `The ${rows.length - kept.length} processes with the fewest points are folded into the exempt pod "${FILLER}".`,
    );

  const used = new Set<string>();
  const pods: PlayedPod[] = [];
  const podsRaw: ScenarioInput['pods'] = [];
  let listed = 0;
  for (const c of byScan) {
    const name = podName(c.comm, used);
    const t = target(c);
    listed += Math.max(t, FILE_RSS_PAGES);
    pods.push({ name, pid: c.pid, comm: commOf(c.comm) });
    podsRaw.push({
      name,
      oomScoreAdj: c.oomScoreAdj,
      workload: {
        comm: commOf(c.comm),
        baselineMiB: pagesToMiB(Math.max(0, t - FILE_RSS_PAGES)),
        requestsPerSec: 0,
      },
    });
  }
  // Fill exactly: the node's RAM and swap less the sim's own node agents, or /kubepods.slice's limit.
  let sizeMiB = Math.max(kubepods ? 1 : 256, Math.round(pagesToMiB(limitPages)));
  const swapMiB = Math.round(pagesToMiB(swapPages));
  let rest = mibToPages(sizeMiB) + mibToPages(swapMiB) - (kubepods ? 0 : daemonPages) - listed;
  if (rest < 0) {
    const more = Math.ceil(-rest / 256);
    sizeMiB += more;
    rest += more * 256;
    notes.push(
      `The table adds up to more than the ${kubepods ? "cgroup's limit" : "node's memory"} (rss counts shared pages once per process): the round has ${more} MiB more.`,
    );
  }
  if (mibToPages(sizeMiB) !== limitPages)
    notes.push(
      `The round's ${kubepods ? 'kubepods limit' : 'node'} is ${sizeMiB} MiB (whole MiB), so its points differ slightly from the report's.`,
    );
  // What the table does not list (the kernel, page cache, processes left out) is one exempt pod; less than its own
  // mapped files stays free, and the ask at the moment takes it first.
  if (rest >= FILE_RSS_PAGES) {
    pods.push({ name: FILLER, pid: null, comm: 'other' });
    podsRaw.push({
      name: FILLER,
      oomScoreAdj: -1000,
      workload: { comm: 'other', baselineMiB: pagesToMiB(rest - FILE_RSS_PAGES), requestsPerSec: 0 },
    });
  }
  if (pods.length === 0) return { ok: false, message: 'The table lists no process that could be played.' };

  const invoker =
    pods.find((p) => p.pid !== null && p.pid === kill.invoker?.pid) ??
    pods.find((p) => p.pid !== null && p.pid === kill.victim?.pid) ??
    pods[0]!;
  if (invoker.pid !== kill.invoker?.pid)
    notes.push(`The process that asked for memory is not among the pods; ${invoker.name} asks instead.`);
  const invokerRaw = podsRaw.find((p) => p.name === invoker.name)!;
  invokerRaw.workload = { ...invokerRaw.workload, batch: { ...TRIGGER_BATCH } };
  const reserveMiB = kubepods ? KUBEPODS_RESERVE_MIB : 0;
  const raw: ScenarioInput = {
    name: scenarioName(kill),
    title: `Incident: who dies when the ${kubepods ? 'pods fill their share of the node' : 'node runs out'}?`,
    description: describe(
      kill,
      `${podsRaw.length} processes hold their memory from the report; at ${killAtSec} s ${invoker.name} asks for more.`,
    ),
    durationSec: Math.ceil(killAtSec + 60),
    seed: 1,
    node: { memoryMiB: sizeMiB + reserveMiB, swapMiB, reservedMiB: reserveMiB, evictionThresholdMiB: 0 },
    pods: podsRaw,
    timeline: [{ atSec: killAtSec, pod: invoker.name, command: { ...TRIGGER } }],
  };
  return finish(raw, pods, killAtSec, notes, daemons);
}

/** The first OOM kill when the scenario runs: its tick and event (null when none happens by `maxSec`). */
export function firstKill(scenario: Scenario, maxSec: number): OomKillEvent | null {
  const state = createSimulation(scenario);
  const timeline = timelineByTick(scenario);
  const ticks = secToTicks(maxSec);
  for (let t = 1; t <= ticks; t++) {
    advance(state, timeline.get(t) ?? []);
    for (const e of state.events) if (e.type === 'oom_kill') return e;
  }
  return null;
}
