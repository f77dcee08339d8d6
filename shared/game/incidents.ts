/**
 * A slot's incidents (docs/game.md, G8–G9): what each kill, eviction or exit cost it, and, for a node-wide shortage,
 * the neighbour that caused it, who gets a line of its own. Used by the score fold (score.ts).
 */
import { podWorkingSetPages } from '../sim/memory.ts';
import type { OomKillEvent, PodState, SimState } from '../sim/types.ts';
import { pagesToMiB } from '../sim/units.ts';
import type { GameStats, Incident, ScoringRules, SlotStats } from './score.ts';

/** Pages as whole MiB, as an incident shows them. */
export const mib = (pages: number) => Math.round(pagesToMiB(pages));

export function blankIncident(tick: number, kind: Incident['kind'], pod: string): Incident {
  return {
    tick,
    kind,
    pod,
    usageMiB: 0,
    limitMiB: null,
    requestMiB: null,
    invoker: null,
    place: null,
    candidates: null,
    points: null,
    oomScoreAdj: null,
    causedBy: null,
    lostInFlight: 0,
    downTicks: 0,
    lostRequests: 0,
    cost: 0,
    open: true,
  };
}

/**
 * G9: the slot that caused a node-wide shortage: the bound pod furthest over its request (working set − request),
 * other than the victim, if it is further over than the victim was. Null when the victim was the furthest over.
 */
export function culprit(state: SimState, victimSlot: string, victimExcessPages: number): string | null {
  let best: PodState | null = null;
  let bestExcess = Math.max(0, victimExcessPages);
  for (const p of state.pods) {
    if (p.slot === victimSlot || p.cState !== 'Running') continue;
    const excess = podWorkingSetPages(p) - (p.spec.requestPages ?? 0);
    if (excess > bestExcess || (best !== null && excess === bestExcess && p.uid < best.uid)) {
      best = p;
      bestExcess = excess;
    }
  }
  return best?.slot ?? null;
}

export function oomIncident(state: SimState, e: OomKillEvent): Incident {
  const ranked = [...e.candidates].filter((c) => c.points !== null).sort((a, b) => b.points! - a.points! || b.pid - a.pid);
  const i = blankIncident(e.tick, e.constraint === 'memcg' ? 'oom_memcg' : 'oom_global', e.pod ?? '');
  i.usageMiB = mib(e.usagePages);
  i.limitMiB = e.limitPages === null ? null : mib(e.limitPages);
  i.requestMiB = e.requestPages === null ? null : mib(e.requestPages);
  i.invoker = { comm: e.invoker.comm, pod: e.invoker.pod, self: e.invoker.pod === e.pod };
  i.place = ranked.findIndex((c) => c.pid === e.pid) + 1;
  i.candidates = e.candidates.length;
  i.points = e.victim.points;
  i.oomScoreAdj = e.victim.oomScoreAdj;
  if (e.constraint !== 'memcg' && e.slot !== null) {
    i.causedBy = culprit(state, e.slot, e.victim.rssPages - (e.requestPages ?? 0));
  }
  return i;
}

/** The incident still counting its cost, if any (only the newest own one can be: a `caused` line never is). */
export function openIncident(s: SlotStats): Incident | null {
  const own = newestOwnIncident(s.incidents, 0);
  return own !== null && own.open ? own : null;
}

/** The newest incident of `list` at `from` or after that is the slot's own (not a `caused` line), or null. */
export function newestOwnIncident(list: readonly Incident[], from: number): Incident | null {
  for (let i = list.length - 1; i >= from; i--) if (list[i]!.kind !== 'caused') return list[i]!;
  return null;
}

/** G3, G9: lost requests charged to an incident, and to the neighbour that caused it. */
export function addLoss(stats: GameStats, i: Incident, lost: number, rules: Readonly<ScoringRules>): void {
  i.lostRequests += lost;
  i.cost += lost * rules.pointsPerLostRequest;
  if (i.causedBy === null) return;
  const culpritStats = stats.slots[i.causedBy];
  if (!culpritStats) return;
  culpritStats.requestsHarmed += lost;
  const mirror = culpritStats.incidents.find((x) => x.kind === 'caused' && x.tick === i.tick && x.pod === i.pod);
  if (mirror) {
    mirror.lostRequests += lost;
    mirror.cost += lost * rules.pointsPerHarmedRequest;
  }
}

export function pushIncident(s: SlotStats, i: Incident, rules: Readonly<ScoringRules>): void {
  // A new stop closes the one before (its cost is what it was until now).
  const before = openIncident(s);
  if (before && i.kind !== 'caused') before.open = false;
  if (s.incidents.length < rules.maxIncidents) s.incidents.push(i);
}

/** G9: the culprit's own line: whose service it stopped. Its cost grows with the victim's incident. */
export function recordCaused(s: SlotStats, victim: Incident, victimSlot: string, rules: Readonly<ScoringRules>): void {
  s.caused += 1;
  const i = blankIncident(victim.tick, 'caused', victim.pod);
  i.causedBy = victimSlot;
  i.usageMiB = victim.usageMiB;
  i.limitMiB = victim.limitMiB;
  i.requestMiB = victim.requestMiB;
  i.open = false;
  pushIncident(s, i, rules);
}
