/** Which scenarios a host may start a round with: the built-in ones, and `round` (the game's, sized for the seats). */
import { roundScenario } from '../../shared/game/index.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';

export const ROUND_SCENARIO = 'round';

export function scenarioForRound(name: string, o: { seats: number; durationSec?: number; seed: number }): Scenario | undefined {
  if (name === ROUND_SCENARIO) return roundScenario({ seats: o.seats, durationSec: o.durationSec, seed: o.seed });
  return builtinScenario(name);
}
