/**
 * Scoring (docs/game.md, rules G1–G8): a pure function of what the simulation did, per slot (the student's app).
 * A service is paid for the requests it serves; everything else (kills, back-off, eviction, Pending) costs points
 * only because nothing is served meanwhile. There is no bonus for acting fast.
 */
import { pagesToMiB, TICKS_PER_SEC } from '../sim/units.ts';
import type { PodState, SimState } from '../sim/types.ts';

/** G1, G2: what each thing is worth. */
export const SCORING = {
  /** G1: one request completed while the container was running. */
  pointsPerRequest: 1,
  /** G2: one batch finished (about 10 s of requests at the template's 20 rps). A killed batch is lost work. */
  pointsPerBatch: 200,
  /**
   * G4: a container restarted after a crash, or a replacement pod after an eviction, earns nothing for its first
   * 10 s: it is not Ready yet (the readiness probe's default period is 10 s), so the Service sends it no traffic.
   * Rollouts (a resource change, a code fix) are rolling updates and pay no warm-up.
   */
  warmupSec: 10,
  /** G8: at most this many kills and evictions are kept per slot for the post-mortem. */
  maxIncidents: 50,
} as const;

/** One thing that stopped a slot's container: for the post-mortem card. */
export interface Incident {
  tick: number;
  kind: 'oom_memcg' | 'oom_global' | 'evicted' | 'sigkill' | 'exit';
  /** Pod object name at the time. */
  pod: string;
  usageMiB: number;
  limitMiB: number | null;
  requestMiB: number | null;
  /** Who asked for the memory that failed (OOM kills): comm and pod name, or null. */
  invoker: { comm: string; pod: string | null; self: boolean } | null;
  /** OOM kills: this pod's place in the kernel's ranking (1 = most points) and the number of candidates. */
  place: number | null;
  candidates: number | null;
  points: number | null;
  oomScoreAdj: number | null;
}

/** Per-slot totals across every pod object the slot has had (rollouts and evictions make new ones). */
export interface SlotStats {
  slot: string;
  /** G1–G2. Never decreases (G5). */
  score: number;
  requestsServed: number;
  /** Requests completed while warming up (G4): served, but not scored. */
  requestsUnready: number;
  requestsDropped: number;
  batchesDone: number;
  killsMemcg: number;
  killsGlobal: number;
  /** SIGKILL not from the OOM killer (the `kill` command), and other exits. */
  sigkills: number;
  exits: number;
  evictions: number;
  /** Container restarts in place (restartCount increments). */
  restarts: number;
  /** Pods created for this slot after the first (rollouts, evictions, resource changes). */
  podsReplaced: number;
  /** G6: ticks with a running container; ticks Pending (unscheduled); other ticks down (back-off, starting, dead). */
  runningTicks: number;
  pendingTicks: number;
  downTicks: number;
  /** Tick the slot was first seen. */
  firstTick: number;
  /** G4: requests count from this tick on; and whether the slot's next start follows an eviction. */
  readyAtTick: number;
  evictedAwaitingStart: boolean;
  incidents: Incident[];
}

/** The accumulator a server keeps beside the simulation state: plain data, so it serialises with the recording. */
export interface GameStats {
  /** Last tick folded in (updateStats is idempotent for a tick it has already seen). */
  tick: number;
  slots: Record<string, SlotStats>;
  /** Per pod object (by uid): counters already counted, so each tick adds only the difference. */
  seen: Record<string, { served: number; dropped: number; batches: number; restarts: number }>;
}

export function emptyStats(): GameStats {
  return { tick: -1, slots: {}, seen: {} };
}

function newSlot(slot: string, tick: number): SlotStats {
  return {
    slot,
    score: 0,
    requestsServed: 0,
    requestsUnready: 0,
    requestsDropped: 0,
    batchesDone: 0,
    killsMemcg: 0,
    killsGlobal: 0,
    sigkills: 0,
    exits: 0,
    evictions: 0,
    restarts: 0,
    podsReplaced: 0,
    runningTicks: 0,
    pendingTicks: 0,
    downTicks: 0,
    firstTick: tick,
    readyAtTick: 0,
    evictedAwaitingStart: false,
    incidents: [],
  };
}

const warmupTicks = SCORING.warmupSec * TICKS_PER_SEC;
const mib = (pages: number) => Math.round(pagesToMiB(pages));

/** G3: a tick counts as running only while the container is Running and not an unreaped OOM victim. */
function podStatus(p: PodState): 0 | 1 | 2 | 3 {
  if (p.cState === 'Running' && !p.dying) return 3; // running
  if (p.phase === 'Pending' && p.scheduledTick < 0) return 2; // pending
  if (p.phase === 'Failed' || p.phase === 'Succeeded') return 0; // a finished pod object (an evicted one)
  return 1; // down: creating, back-off, just killed
}

function pushIncident(s: SlotStats, i: Incident): void {
  if (s.incidents.length < SCORING.maxIncidents) s.incidents.push(i);
}

/**
 * Fold one tick of the simulation into the stats, in place, after `advance`. O(pods + events); cheap for 300 pods.
 * Call it once per tick: a tick already folded in is ignored.
 */
export function updateStats(stats: GameStats, state: SimState): void {
  if (state.tick <= stats.tick) return;
  stats.tick = state.tick;
  const slots = stats.slots;
  const slotOf = (slot: string) => (slots[slot] ??= newSlot(slot, state.tick));

  // Events first, so a restart this tick starts its warm-up (G4) before its requests are counted.
  for (const e of state.events) {
    switch (e.type) {
      case 'oom_kill': {
        if (e.slot === null) break;
        const s = slotOf(e.slot);
        if (e.constraint === 'memcg') s.killsMemcg += 1;
        else s.killsGlobal += 1;
        const ranked = [...e.candidates]
          .filter((c) => c.points !== null)
          .sort((a, b) => b.points! - a.points! || b.pid - a.pid);
        pushIncident(s, {
          tick: e.tick,
          kind: e.constraint === 'memcg' ? 'oom_memcg' : 'oom_global',
          pod: e.pod ?? '',
          usageMiB: mib(e.usagePages),
          limitMiB: e.limitPages === null ? null : mib(e.limitPages),
          requestMiB: e.requestPages === null ? null : mib(e.requestPages),
          invoker: { comm: e.invoker.comm, pod: e.invoker.pod, self: e.invoker.pod === e.pod },
          place: ranked.findIndex((c) => c.pid === e.pid) + 1,
          candidates: e.candidates.length,
          points: e.victim.points,
          oomScoreAdj: e.victim.oomScoreAdj,
        });
        break;
      }
      case 'evicted': {
        const s = slotOf(e.slot);
        s.evictions += 1;
        s.evictedAwaitingStart = true;
        const p = state.pods.find((q) => q.name === e.pod);
        pushIncident(s, {
          tick: e.tick,
          kind: 'evicted',
          pod: e.pod,
          usageMiB: mib(e.usagePages),
          limitMiB: p?.spec.limitPages == null ? null : mib(p.spec.limitPages),
          requestMiB: e.requestPages === null ? null : mib(e.requestPages),
          invoker: null,
          place: null,
          candidates: null,
          points: null,
          oomScoreAdj: null,
        });
        break;
      }
      case 'terminated': {
        if (e.reason === 'OOMKilled') break;
        const s = slotOf(e.slot);
        const kind = e.signal === 9 ? 'sigkill' : 'exit';
        if (kind === 'sigkill') s.sigkills += 1;
        else s.exits += 1;
        const p = state.pods.find((q) => q.name === e.pod);
        pushIncident(s, {
          tick: e.tick,
          kind,
          pod: e.pod,
          usageMiB: 0,
          limitMiB: p?.spec.limitPages == null ? null : mib(p.spec.limitPages),
          requestMiB: p?.spec.requestPages == null ? null : mib(p.spec.requestPages),
          invoker: null,
          place: null,
          candidates: null,
          points: null,
          oomScoreAdj: null,
        });
        break;
      }
      case 'restarted':
        slotOf(e.slot).readyAtTick = e.tick + warmupTicks;
        break;
      case 'started': {
        const s = slotOf(e.slot);
        if (s.evictedAwaitingStart) s.readyAtTick = e.tick + warmupTicks;
        s.evictedAwaitingStart = false;
        break;
      }
      case 'pod_created':
        if (e.replaces !== null) slotOf(e.slot).podsReplaced += 1;
        break;
      default:
        break;
    }
  }
  // G1, G2: counters as differences per pod object.
  const status: Record<string, number> = {};
  for (const p of state.pods) {
    const s = slotOf(p.slot);
    const key = String(p.uid);
    const seen = (stats.seen[key] ??= { served: 0, dropped: 0, batches: 0, restarts: 0 });
    const dServed = p.requestsServed - seen.served;
    const dBatches = p.batchesDone - seen.batches;
    s.requestsServed += dServed;
    const scored = state.tick < s.readyAtTick ? 0 : dServed;
    s.requestsUnready += dServed - scored;
    s.requestsDropped += p.requestsDropped - seen.dropped;
    s.batchesDone += dBatches;
    s.restarts += p.restartCount - seen.restarts;
    s.score += scored * SCORING.pointsPerRequest + dBatches * SCORING.pointsPerBatch;
    seen.served = p.requestsServed;
    seen.dropped = p.requestsDropped;
    seen.batches = p.batchesDone;
    seen.restarts = p.restartCount;
    const st = podStatus(p);
    if ((status[p.slot] ?? -1) < st) status[p.slot] = st;
  }
  // G6: one status per slot per tick: running beats pending beats down.
  for (const slot in status) {
    const s = slots[slot]!;
    const st = status[slot]!;
    if (st === 3) s.runningTicks += 1;
    else if (st === 2) s.pendingTicks += 1;
    else s.downTicks += 1;
  }

  // Forget pod objects that are gone (deleted by a rollout or garbage-collected after an eviction).
  const seenKeys = Object.keys(stats.seen);
  if (seenKeys.length > state.pods.length) {
    const live = new Set(state.pods.map((p) => String(p.uid)));
    for (const k of seenKeys) if (!live.has(k)) delete stats.seen[k];
  }
}

/** Total OOM kills of a slot (both kinds). */
export function oomKills(s: SlotStats): number {
  return s.killsMemcg + s.killsGlobal;
}

/** Seconds not serving since the slot joined: Pending plus down (G6). */
export function timeLostSec(s: SlotStats): number {
  return (s.pendingTicks + s.downTicks) / 10;
}

export interface LeaderboardRow {
  /** 1..n, a permutation: ties are broken, never shared (G7). */
  rank: number;
  slot: string;
  score: number;
  oomKills: number;
  evictions: number;
  runningTicks: number;
}

/**
 * G7: the leaderboard. Higher score first; then fewer OOM kills, fewer evictions, more running ticks; then the slot
 * name (code-unit order), so the order is total and the same on every machine.
 */
export function compareSlots(a: SlotStats, b: SlotStats): number {
  return (
    b.score - a.score ||
    oomKills(a) - oomKills(b) ||
    a.evictions - b.evictions ||
    b.runningTicks - a.runningTicks ||
    (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0)
  );
}

export function leaderboard(stats: GameStats, slots?: readonly string[]): LeaderboardRow[] {
  const rows = (slots ?? Object.keys(stats.slots))
    .map((k) => stats.slots[k])
    .filter((s): s is SlotStats => !!s);
  rows.sort(compareSlots);
  return rows.map((s, i) => ({
    rank: i + 1,
    slot: s.slot,
    score: s.score,
    oomKills: oomKills(s),
    evictions: s.evictions,
    runningTicks: s.runningTicks,
  }));
}

/** The podium: the first three rows. */
export function podium(stats: GameStats, slots?: readonly string[]): LeaderboardRow[] {
  return leaderboard(stats, slots).slice(0, 3);
}
