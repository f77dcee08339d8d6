/** Server-side bots for empty seats (docs/game.md, B1–B4): which strategies, and what they are called. */
import { STRATEGIES, type StrategyName } from '../../shared/game/index.ts';
import { NICKNAME_MAX } from '../../shared/protocol/nickname.ts';

/** The strategies of `n` bots: all one, or 'mixed' = round-robin over every strategy. */
export function fillPlan(strategy: StrategyName | 'mixed', n: number): StrategyName[] {
  const count = Math.max(0, Math.floor(Number.isFinite(n) ? n : 0));
  return Array.from({ length: count }, (_, i) => (strategy === 'mixed' ? STRATEGIES[i % STRATEGIES.length]! : strategy));
}

/** Short names on the leaderboard ("careful" as in the bots CLI). */
const SHORT: Partial<Record<StrategyName, string>> = { 'careful-guaranteed': 'careful' };

/** "careful bot 3": the strategy shows on the leaderboard, so the class sees what each bot did. */
export function botNickname(strategy: StrategyName, n: number, taken: (nickname: string) => boolean): string {
  const label = SHORT[strategy] ?? strategy;
  for (let i = n; ; i++) {
    const suffix = ` bot ${i}`;
    const name = label.slice(0, NICKNAME_MAX - suffix.length) + suffix;
    if (!taken(name)) return name;
  }
}

/**
 * A server bot's seed: the room's, offset by the bot's participant id (base 36). The live room and a resume's
 * restorer must agree on it, or a resumed bot plays a different game.
 */
export function botSeed(roomSeed: number, participantId: string): number {
  return roomSeed + Number.parseInt(participantId, 36);
}
