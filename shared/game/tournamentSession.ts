/**
 * One tournament session (docs/game.md, TN1): bots play a seeded round headless, no sockets, and the session keeps
 * what the claims need (global kills, Pending for lack of memory). Pure: the same spec gives the same result.
 */
import { createSimulation } from '../sim/create.ts';
import { advance } from '../sim/step.ts';
import type { Command } from '../sim/types.ts';
import { pagesToMiB, secToTicks } from '../sim/units.ts';
import { hashString } from './rng.ts';
import { dict, type Dict } from '../util/dict.ts';
import { roundScenario } from './roundScenario.ts';
import { emptyStats, updateStats, type GameStats } from './score.ts';
import { leaderboard, type LeaderboardRow } from './standings.ts';
import { botAct, botView, createBot, nodeView, type BotState, type StrategyName } from './strategies.ts';

export interface Seat {
  slot: string;
  strategy: StrategyName;
}

export interface SessionSpec {
  mix: string;
  seed: number;
  durationSec: number;
  seats: Seat[];
  /** Node RAM; default from the seat count (GR2). */
  memoryMiB?: number;
}

/** A global OOM kill as the tournament saw it: was the victim the biggest pod on the node? */
export interface GlobalKill {
  tick: number;
  victim: string;
  victimStrategy: StrategyName | null;
  victimRssMiB: number;
  /** The largest RSS among the pod candidates, and whose it was (the first in pid order on a tie). */
  maxRssMiB: number;
  maxRssSlot: string | null;
  /** The victim had the most memory of all pods (ties included: the kernel takes the later pid on equal points). */
  victimIsBiggest: boolean;
}

export interface SessionResult {
  spec: SessionSpec;
  stats: GameStats;
  board: LeaderboardRow[];
  strategyOf: Dict<StrategyName>;
  globalKills: GlobalKill[];
  /** Ticks each slot spent Pending with `Insufficient memory` (not the pressure taint). */
  insufficientTicks: Dict<number>;
}

/** TN1: play one session: bots decide from the state after each tick; their commands apply on the next. */
export function runSession(spec: SessionSpec): SessionResult {
  const scenario = roundScenario({
    seats: spec.seats.length,
    durationSec: spec.durationSec,
    seed: spec.seed,
    slots: spec.seats.map((s) => s.slot),
    memoryMiB: spec.memoryMiB,
  });
  const state = createSimulation(scenario, { seed: spec.seed });
  const bots: BotState[] = spec.seats.map((s) =>
    createBot(s.strategy, s.slot, hashString(s.slot, spec.seed)),
  );
  const strategyOf = dict<StrategyName>();
  for (const s of spec.seats) strategyOf[s.slot] = s.strategy;
  const stats = emptyStats();
  const globalKills: GlobalKill[] = [];
  const insufficientTicks = dict<number>();
  const total = secToTicks(spec.durationSec);
  let commands: Command[] = [];
  for (let t = 1; t <= total; t++) {
    advance(state, commands);
    updateStats(stats, state);
    for (const e of state.events) {
      if (e.type !== 'oom_kill' || e.constraint !== 'global') continue;
      let max = -1;
      let maxSlot: string | null = null;
      for (const c of e.candidates) {
        if (c.slot !== null && c.rssPages > max) {
          max = c.rssPages;
          maxSlot = c.slot;
        }
      }
      globalKills.push({
        tick: e.tick,
        victim: e.slot ?? e.comm,
        victimStrategy: e.slot ? (strategyOf[e.slot] ?? null) : null,
        victimRssMiB: Math.round(pagesToMiB(e.victim.rssPages)),
        maxRssMiB: Math.round(pagesToMiB(Math.max(0, max))),
        maxRssSlot: maxSlot,
        victimIsBiggest: e.victim.rssPages === max,
      });
    }
    for (const p of state.pods) {
      if (p.phase === 'Pending' && p.scheduledTick < 0 && p.schedMessage?.includes('Insufficient memory')) {
        insufficientTicks[p.slot] = (insufficientTicks[p.slot] ?? 0) + 1;
      }
    }
    const node = nodeView(state);
    commands = [];
    for (let i = 0; i < bots.length; i++) {
      const r = botAct(bots[i]!, botView(state, bots[i]!.slot, node));
      bots[i] = r.bot;
      for (const c of r.commands) commands.push(c);
    }
  }
  return { spec, stats, board: leaderboard(stats), strategyOf, globalKills, insufficientTicks };
}
