/** The tournament for programs (docs/game.md, TN10): `--format json`, one object with the figures and the claims. */
import type { Dict } from '../util/dict.ts';
import { SCORING } from './score.ts';
import { checkClaims, type ClaimCheck } from './tournamentClaims.ts';
import type { TournamentResult } from './tournamentTable.ts';

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
