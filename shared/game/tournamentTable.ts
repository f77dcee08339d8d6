/** The tournament's table (docs/game.md, TN1): each strategy's results per mix, averaged over seeds, and as text. */
import { secToTicks } from '../sim/units.ts';
import type { StrategyName } from './strategies.ts';
import { MIX_NAMES } from './tournamentMixes.ts';
import type { SessionResult } from './tournamentSession.ts';

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

/** A tournament as played: every session, and the table the claims and the JSON read. */
export interface TournamentResult {
  sessions: SessionResult[];
  rows: StrategyRow[];
}

/** TN1: fold the sessions into one row per mix and strategy, mixes in MIXES order, best mean score first. */
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
