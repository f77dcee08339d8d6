/**
 * The tournament (docs/game.md, TN1–TN7): bots play seeded sessions headless, no sockets, and the table shows which
 * strategies pay. Pure: the same options give the same table on every machine.
 */
import { createSimulation } from '../sim/create.ts';
import { advance } from '../sim/step.ts';
import type { Command } from '../sim/types.ts';
import { pagesToMiB, secToTicks } from '../sim/units.ts';
import { RngCursor, hashString, seedRng } from './rng.ts';
import { dict, type Dict } from '../util/dict.ts';
import { roundScenario } from './roundScenario.ts';
import { emptyStats, SCORING, updateStats, type GameStats } from './score.ts';
import { leaderboard, type LeaderboardRow } from './standings.ts';
import {
  botAct,
  botView,
  createBot,
  nodeView,
  STRATEGIES,
  type BotState,
  type StrategyName,
} from './strategies.ts';

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

/** Seats for a mix: `count` of each strategy, in an order shuffled by the seed (creation order decides scheduling). */
function seatsFor(counts: readonly (readonly [StrategyName, number])[], seed: number): Seat[] {
  const seats: Seat[] = [];
  for (const [strategy, n] of counts)
    for (let i = 1; i <= n; i++) seats.push({ slot: `${strategy}-${i}`, strategy });
  const rng = new RngCursor(seedRng(hashString('seats', seed)));
  for (let i = seats.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [seats[i], seats[j]] = [seats[j]!, seats[i]!];
  }
  return seats;
}

/** TN2: the mixes the tournament plays, each built to test one claim of issue #6. */
export const MIXES = {
  /** Every strategy, three seats each, on a node sized for the room. */
  everyone: { durationSec: 1200, counts: STRATEGIES.map((s) => [s, 3] as const) },
  /** TN3: just raise the limit vs fix the leak, over a long round (30 min), with careful neighbours. */
  'leak-duel': {
    durationSec: 1800,
    counts: [
      ['raise-limit', 4],
      ['fix-leak', 4],
      ['careful-guaranteed', 4],
    ] as const,
  },
  /** TN5: everyone maxes their limit; two careful Guaranteed pods share the node. */
  'all-greedy': {
    durationSec: 900,
    counts: [
      ['max-limit', 16],
      ['careful-guaranteed', 2],
    ] as const,
  },
  /** TN4: two students ask for half the node each; the rest play it straight. */
  huge: {
    durationSec: 900,
    counts: [
      ['huge-request', 2],
      ['fix-leak', 6],
      ['careful-guaranteed', 6],
      ['idle', 4],
    ] as const,
  },
  /** TN7: everyone plays it safe with request = limit = 512 MiB: the node fits fewer pods, the rest wait Pending. */
  crowded: {
    durationSec: 900,
    counts: [
      ['careful-guaranteed', 14],
      ['fix-leak', 4],
    ] as const,
  },
} satisfies Record<string, { durationSec: number; counts: readonly (readonly [StrategyName, number])[] }>;
export type MixName = keyof typeof MIXES;
export const MIX_NAMES = Object.keys(MIXES) as MixName[];

export function mixSession(mix: MixName, seed: number, durationSec?: number): SessionSpec {
  const m = MIXES[mix];
  return { mix, seed, durationSec: durationSec ?? m.durationSec, seats: seatsFor(m.counts, seed) };
}

/** One row of the tournament table: a strategy's results in one mix, averaged over seeds. */
export interface StrategyRow {
  mix: string;
  strategy: StrategyName;
  seats: number;
  /** Mean score per seat, and the lowest and highest seat. */
  meanScore: number;
  minScore: number;
  maxScore: number;
  /** Mean rank as a fraction of the field: 0 = always first, 1 = always last. */
  meanPlace: number;
  killsMemcg: number;
  killsGlobal: number;
  evictions: number;
  /** Share of the round the slot's container was running / Pending, 0..1. */
  uptime: number;
  pending: number;
}

export interface TournamentResult {
  sessions: SessionResult[];
  rows: StrategyRow[];
}

/** TN1: play every mix with every seed and summarise per mix and strategy. */
export function runTournament(options: {
  seeds: readonly number[];
  mixes?: readonly MixName[];
  durationSec?: number;
}): TournamentResult {
  const sessions: SessionResult[] = [];
  for (const mix of options.mixes ?? MIX_NAMES) {
    for (const seed of options.seeds) sessions.push(runSession(mixSession(mix, seed, options.durationSec)));
  }
  return { sessions, rows: summarise(sessions) };
}

export function summarise(sessions: readonly SessionResult[]): StrategyRow[] {
  const acc = new Map<string, StrategyRow & { n: number }>();
  for (const r of sessions) {
    const ticks = secToTicks(r.spec.durationSec);
    const field = r.board.length;
    for (const row of r.board) {
      const strategy = r.strategyOf[row.slot];
      if (!strategy) continue;
      const key = `${r.spec.mix}\u0000${strategy}`;
      let a = acc.get(key);
      if (!a) {
        a = {
          mix: r.spec.mix,
          strategy,
          seats: 0,
          meanScore: 0,
          minScore: Infinity,
          maxScore: -Infinity,
          meanPlace: 0,
          killsMemcg: 0,
          killsGlobal: 0,
          evictions: 0,
          uptime: 0,
          pending: 0,
          n: 0,
        };
        acc.set(key, a);
      }
      const s = r.stats.slots[row.slot]!;
      a.n += 1;
      a.meanScore += s.score;
      a.minScore = Math.min(a.minScore, s.score);
      a.maxScore = Math.max(a.maxScore, s.score);
      a.meanPlace += field > 1 ? (row.rank - 1) / (field - 1) : 0;
      a.killsMemcg += s.killsMemcg;
      a.killsGlobal += s.killsGlobal;
      a.evictions += s.evictions;
      a.uptime += s.runningTicks / ticks;
      a.pending += s.pendingTicks / ticks;
    }
  }
  const rows: StrategyRow[] = [];
  for (const a of acc.values()) {
    const { n, ...row } = a;
    rows.push({
      ...row,
      seats: n,
      meanScore: Math.round(row.meanScore / n),
      meanPlace: row.meanPlace / n,
      killsMemcg: row.killsMemcg / n,
      killsGlobal: row.killsGlobal / n,
      evictions: row.evictions / n,
      uptime: row.uptime / n,
      pending: row.pending / n,
    });
  }
  const mixOrder = (m: string) => {
    const i = (MIX_NAMES as string[]).indexOf(m);
    return i < 0 ? MIX_NAMES.length : i;
  };
  rows.sort(
    (a, b) =>
      mixOrder(a.mix) - mixOrder(b.mix) || b.meanScore - a.meanScore || (a.strategy < b.strategy ? -1 : 1),
  );
  return rows;
}

/** The table as text: one block per mix, strategies by mean score. */
export function formatTable(rows: readonly StrategyRow[]): string {
  const head = [
    'mix',
    'strategy',
    'seats',
    'score/seat',
    'place',
    'memcg',
    'global',
    'evicted',
    'uptime',
    'pending',
  ];
  const lines = rows.map((r) => [
    r.mix,
    r.strategy,
    String(r.seats),
    `${r.meanScore} (${r.minScore}..${r.maxScore})`,
    r.meanPlace.toFixed(2),
    r.killsMemcg.toFixed(1),
    r.killsGlobal.toFixed(1),
    r.evictions.toFixed(1),
    `${Math.round(r.uptime * 100)}%`,
    `${Math.round(r.pending * 100)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [fmt(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (let i = 0; i < rows.length; i++) {
    if (last && rows[i]!.mix !== last) out.push('');
    last = rows[i]!.mix;
    out.push(fmt(lines[i]!));
  }
  return out.join('\n');
}

/** One claim checked against a tournament's sessions. */
export interface ClaimCheck {
  id: string;
  claim: string;
  holds: boolean;
  evidence: string;
}

function rowOf(rows: readonly StrategyRow[], mix: string, strategy: StrategyName): StrategyRow | undefined {
  return rows.find((r) => r.mix === mix && r.strategy === strategy);
}

/** TN8: what the lesson teaches must win by this margin per seat. */
export const LESSON_MARGIN = 0.15;
/** TN8: the strategies the lesson teaches, and the ones it warns against. */
export const LESSON_WINNERS: readonly StrategyName[] = ['careful-guaranteed', 'fix-leak'];
export const LESSON_LOSERS: readonly StrategyName[] = ['max-limit', 'raise-limit', 'idle'];
/** TN9: the seed's other remedies, each against doing nothing with the same leak. */
export const SEED_REMEDIES: readonly StrategyName[] = ['stream', 'backpressure'];

/** How far `a` is ahead of `b`, as a share of |b| (a score can be below 0). */
export function margin(a: number, b: number): number {
  if (b === 0) return a > 0 ? Infinity : a === 0 ? 0 : -Infinity;
  return (a - b) / Math.abs(b);
}

const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 1000) / 10}%` : x > 0 ? '+∞' : '−∞');

/** TN3–TN9: the claims the table must show (docs/game.md). Only the mixes that were played are checked. */
export function checkClaims(result: TournamentResult): ClaimCheck[] {
  const { rows, sessions } = result;
  const out: ClaimCheck[] = [];
  const played = new Set(sessions.map((s) => s.spec.mix));
  const mixes = [...new Set(rows.map((r) => r.mix))];

  for (const mix of ['leak-duel', 'everyone'].filter((m) => played.has(m))) {
    const raise = rowOf(rows, mix, 'raise-limit');
    const fix = rowOf(rows, mix, 'fix-leak');
    if (!raise || !fix) continue;
    out.push({
      id: `TN3:${mix}`,
      claim: `"just raise the limit" loses to fixing the leak (${mix})`,
      holds: raise.meanScore < fix.meanScore,
      evidence: `raise-limit ${raise.meanScore} (${raise.killsMemcg.toFixed(1)} cgroup kills/seat) < fix-leak ${fix.meanScore} (${fix.killsMemcg.toFixed(1)})`,
    });
  }

  // TN8: in every mix, each lesson strategy beats each warned-against one by the margin, per seat.
  for (const mix of mixes) {
    const pairs: string[] = [];
    let holds = true;
    for (const w of LESSON_WINNERS) {
      const good = rowOf(rows, mix, w);
      if (!good) continue;
      for (const l of LESSON_LOSERS) {
        const bad = rowOf(rows, mix, l);
        if (!bad) continue;
        const m = margin(good.meanScore, bad.meanScore);
        if (!(m >= LESSON_MARGIN)) holds = false;
        pairs.push(`${w} ${good.meanScore} vs ${l} ${bad.meanScore} (${pct(m)})`);
      }
    }
    if (pairs.length === 0) continue;
    out.push({
      id: `TN8:${mix}`,
      claim: `careful and fix-the-leak beat max-the-limit, raise-the-limit and idle by ≥ ${LESSON_MARGIN * 100}% per seat (${mix})`,
      holds,
      evidence: pairs.join('; '),
    });
  }

  // TN9: streaming the batch and backpressure beat doing nothing with the same leak.
  for (const mix of mixes) {
    const idle = rowOf(rows, mix, 'idle');
    if (!idle) continue;
    const present = SEED_REMEDIES.map((r) => rowOf(rows, mix, r)).filter((r): r is StrategyRow => !!r);
    if (present.length === 0) continue;
    out.push({
      id: `TN9:${mix}`,
      claim: `streaming the batch and backpressure beat idle with the same leak (${mix})`,
      holds: present.every((r) => r.meanScore > idle.meanScore),
      evidence: present.map((r) => `${r.strategy} ${r.meanScore}`).join(', ') + ` > idle ${idle.meanScore}`,
    });
  }

  const hugeSessions = sessions.filter((s) => s.spec.seats.some((x) => x.strategy === 'huge-request'));
  if (hugeSessions.length > 0) {
    let seats = 0;
    let ok = 0;
    for (const s of hugeSessions) {
      const ticks = secToTicks(s.spec.durationSec);
      const others = s.spec.seats.filter((x) => x.strategy !== 'huge-request');
      const othersStarved = others.some((x) => (s.insufficientTicks[x.slot] ?? 0) > 10 * 10);
      for (const seat of s.spec.seats.filter((x) => x.strategy === 'huge-request')) {
        seats++;
        const pending = (s.stats.slots[seat.slot]?.pendingTicks ?? 0) / ticks;
        if (pending > 0.5 || othersStarved) ok++;
      }
    }
    out.push({
      id: 'TN4',
      claim: 'a huge request ends up Pending or starves others',
      holds: ok === seats,
      evidence: `${ok}/${seats} huge-request seats were Pending most of the round or left others Pending (Insufficient memory)`,
    });
  }

  const greedy = sessions.filter((s) => s.spec.mix === 'all-greedy');
  if (greedy.length > 0) {
    const kills = greedy.flatMap((s) => s.globalKills);
    const withOoms = greedy.filter((s) => s.globalKills.length > 0).length;
    const greediest = kills.filter((k) => k.victimIsBiggest && k.victimStrategy === 'max-limit').length;
    out.push({
      id: 'TN5',
      claim: 'everyone maxing their limit triggers global OOMs that hit the greediest',
      holds: withOoms === greedy.length && greediest === kills.length,
      evidence: `${withOoms}/${greedy.length} sessions had global OOMs; ${greediest}/${kills.length} victims were the max-limit pod with the most memory`,
    });
  }

  const careful = sessions.flatMap((s) =>
    s.spec.seats.filter((x) => x.strategy === 'careful-guaranteed').map((x) => s.stats.slots[x.slot]),
  );
  if (careful.length > 0) {
    const hit = careful.filter((c) => !c || c.killsMemcg + c.killsGlobal + c.sigkills + c.evictions > 0).length;
    out.push({
      id: 'TN6',
      claim: 'a careful Guaranteed pod is never killed',
      holds: hit === 0,
      evidence: `${careful.length - hit}/${careful.length} careful-guaranteed seats had no kill and no eviction`,
    });
  }

  if (mixes.length > 1) {
    const winners = mixes.map((m) => rows.filter((r) => r.mix === m).sort((a, b) => b.meanScore - a.meanScore)[0]!);
    const always = STRATEGIES.filter((st) =>
      mixes.every((m) => winners.find((w) => w.mix === m)?.strategy === st || !rowOf(rows, m, st)),
    );
    out.push({
      id: 'TN7',
      claim: 'no single strategy wins every mix it plays in',
      holds: always.length === 0,
      evidence: winners.map((w) => `${w.mix}: ${w.strategy}`).join('; '),
    });
  }
  return out;
}

/** One strategy in one mix, for programs (`--format json`). Scores are per seat; kills and evictions per seat. */
export interface StrategyJson {
  seats: number;
  mean: number;
  min: number;
  max: number;
  kills: number;
  killsMemcg: number;
  killsGlobal: number;
  evictions: number;
  uptime: number;
  pending: number;
}

/** TN10: the tournament as one object: mixes → strategies → figures, and the claims checked. */
export interface TournamentJson {
  seeds: number[];
  scoring: Readonly<{ [K in keyof typeof SCORING]?: number }>;
  mixes: Dict<{ durationSec: number; sessions: number; strategies: Dict<StrategyJson> }>;
  claims: ClaimCheck[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function tournamentJson(result: TournamentResult, seeds: readonly number[]): TournamentJson {
  const mixes: TournamentJson['mixes'] = Object.create(null);
  for (const s of result.sessions) {
    const m = (mixes[s.spec.mix] ??= { durationSec: s.spec.durationSec, sessions: 0, strategies: Object.create(null) });
    m.sessions += 1;
  }
  for (const r of result.rows) {
    const m = mixes[r.mix];
    if (!m) continue;
    m.strategies[r.strategy] = {
      seats: r.seats,
      mean: r.meanScore,
      min: r.minScore,
      max: r.maxScore,
      kills: r2(r.killsMemcg + r.killsGlobal),
      killsMemcg: r2(r.killsMemcg),
      killsGlobal: r2(r.killsGlobal),
      evictions: r2(r.evictions),
      uptime: r2(r.uptime),
      pending: r2(r.pending),
    };
  }
  const { maxIncidents: _unused, ...scoring } = SCORING;
  return { seeds: [...seeds], scoring, mixes, claims: checkClaims(result) };
}

/** Seeds are 32-bit: the simulation's PRNG state. */
export const SEED_MAX = 2 ** 32 - 1;
/** TN10: the most seeds one tournament plays. */
export const MAX_SEEDS = 1000;

/** TN10: `7`, `3,17,99`, `1-10`, or a mix of them: distinct seeds in the order given, or an error message. */
export function parseSeeds(text: string): number[] | string {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return `--seeds: "${part}" is not a seed or a range (like 7 or 1-10)`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > SEED_MAX || hi > SEED_MAX) return `--seeds: seeds go from 0 to ${SEED_MAX}`;
    if (hi < lo) return `--seeds: the range ${part.trim()} runs backwards`;
    if (hi - lo + out.length >= MAX_SEEDS) return `--seeds: at most ${MAX_SEEDS} seeds`;
    for (let s = lo; s <= hi; s++) if (!out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * TN11: the worked round docs/game.md explains the score with: six students, one strategy each, ten minutes on the
 * game's node, seed 7. `npm run tournament -- --worked-round` prints it; a test checks the doc still matches.
 */
export const WORKED_ROUND: SessionSpec = {
  mix: 'worked-round',
  seed: 7,
  durationSec: 600,
  seats: [
    { slot: 'ayesha', strategy: 'careful-guaranteed' },
    { slot: 'ben', strategy: 'fix-leak' },
    { slot: 'chen', strategy: 'raise-limit' },
    { slot: 'dana', strategy: 'max-limit' },
    { slot: 'eli', strategy: 'stream' },
    { slot: 'fatima', strategy: 'idle' },
  ],
};

/** TN11: each student's score line by line, as the post-mortem card adds it up, in rank order. */
export function formatWorkedRound(r: SessionResult, ledger: (s: GameStats['slots'][string]) => { label: string; points: number }[]): string {
  const out: string[] = [];
  for (const row of r.board) {
    const s = r.stats.slots[row.slot]!;
    out.push(`#${row.rank} ${row.slot} (${r.strategyOf[row.slot]}): ${s.score.toLocaleString('en-US')}`);
    for (const l of ledger(s)) {
      const pts = l.points > 0 ? `+${l.points.toLocaleString('en-US')}` : l.points < 0 ? `−${(-l.points).toLocaleString('en-US')}` : '0';
      out.push(`    ${pts.padStart(8)}  ${l.label}`);
    }
  }
  return out.join('\n');
}
