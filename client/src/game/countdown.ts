import { roundTicksLeft } from '../../../shared/game/round.ts';
import type { GameView } from '../../../shared/protocol/gameViews.ts';
import { clockOf } from '../replay/clock.ts';

/**
 * "7:42 left" while a round is on (frozen while a question holds the clock: sim time stops), else null. The same
 * arithmetic as the server's end of round (shared/game/round.ts), so 0:00 is when the podium comes.
 */
export function roundCountdown(game: GameView | null | undefined, tick: number): string | null {
  if (!game || (game.phase !== 'round' && game.phase !== 'question' && game.phase !== 'reveal')) return null;
  const left = roundTicksLeft(game.round, tick);
  return left === null ? null : `${clockOf(left)} left`;
}

/** "Round 2 · Friday deploy": which round of which scenario (a new round is a new simulation); null before round 1. */
export function roundHeading(game: GameView | null | undefined, title: string | undefined): string | null {
  const n = game?.roundNo ?? 0;
  return n > 0 && title ? `Round ${n} · ${title}` : null;
}
