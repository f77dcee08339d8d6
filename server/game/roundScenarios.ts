/** Which scenarios a host may start a round with: the built-in ones, and `round` (the game's, sized for the seats). */
import { roundScenario } from '../../shared/game/index.ts';
import { ROUND_MAX_SEC, ROUND_MIN_SEC } from '../../shared/game/round.ts';
import { builtinScenario } from '../../shared/scenario/builtin.ts';
import type { Scenario } from '../../shared/scenario/schema.ts';

export const ROUND_SCENARIO = 'round';

/**
 * A built-in round by name. `nodeMemoryMiB` is the node size the teacher chose when creating the session: it holds
 * for every built-in round (a small class on the scenario's 16 GiB node would never fill it).
 */
export function scenarioForRound(
  name: string,
  o: { seats: number; durationSec?: number; seed: number; nodeMemoryMiB?: number },
): Scenario | undefined {
  const s = name === ROUND_SCENARIO ? roundScenario({ seats: o.seats, durationSec: o.durationSec, seed: o.seed }) : builtinScenario(name);
  return s && o.nodeMemoryMiB ? { ...s, node: { ...s.node, memoryMiB: o.nodeMemoryMiB } } : s;
}

/**
 * A round's length: the host's, else the scenario's own within what a round may last (a scenario file may run 1 s
 * to 24 h headless; a round lasts 10 s to 2 h).
 */
export function roundLength(scenario: Scenario, durationSec?: number): number {
  return durationSec ?? Math.min(ROUND_MAX_SEC, Math.max(ROUND_MIN_SEC, scenario.durationSec));
}
