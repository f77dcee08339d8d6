/**
 * The standings (docs/game.md, G7): slots ranked by score, ties broken so the order is total and the same on every
 * machine; the leaderboard and the podium.
 */
import { TICKS_PER_SEC } from '../sim/units.ts';
import type { GameStats, SlotStats } from './score.ts';

/** Total OOM kills of a slot (both kinds). */
export function oomKills(s: SlotStats): number {
  return s.killsMemcg + s.killsGlobal;
}

/** Seconds not serving since the slot joined: starting, Pending and down (G6). */
export function timeLostSec(s: SlotStats): number {
  return (s.startingTicks + s.pendingTicks + s.downTicks) / TICKS_PER_SEC;
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
  const rows = (slots ?? Object.keys(stats.slots)).map((k) => stats.slots[k]).filter((s): s is SlotStats => !!s);
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
