/**
 * The tournament (docs/game.md, TN1–TN11): bots play seeded sessions headless, no sockets, and the table shows which
 * strategies pay. Pure: the same options give the same table on every machine. This file composes the parts: a
 * session (tournamentSession.ts), the mixes (tournamentMixes.ts), the table (tournamentTable.ts), the claims
 * (tournamentClaims.ts), the JSON form (tournamentJson.ts), seed lists (tournamentSeeds.ts) and the worked round
 * (workedRound.ts).
 */
import { MIX_NAMES, mixSession, type MixName } from './tournamentMixes.ts';
import { runSession, type SessionResult } from './tournamentSession.ts';
import { summarise, type TournamentResult } from './tournamentTable.ts';

export * from './tournamentSession.ts';
export * from './tournamentMixes.ts';
export * from './tournamentTable.ts';
export * from './tournamentClaims.ts';
export * from './tournamentJson.ts';
export * from './tournamentSeeds.ts';
export * from './workedRound.ts';

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
