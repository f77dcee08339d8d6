/** The claims the tournament's table must show (docs/game.md, TN3–TN9), checked against the sessions played. */
import { secToTicks } from '../sim/units.ts';
import { STRATEGIES, type StrategyName } from './strategies.ts';
import type { StrategyRow, TournamentResult } from './tournamentTable.ts';

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
