import { createSimulation } from '../sim/create.ts';
import { advance } from '../sim/step.ts';
import type { Command, SimState } from '../sim/types.ts';
import { secToTicks } from '../sim/units.ts';
import type { Scenario } from './schema.ts';

/** The timeline's commands grouped by the tick they apply at (a command at 0 s applies at the first tick). */
export function timelineByTick(scenario: Scenario): Map<number, Command[]> {
  const byTick = new Map<number, Command[]>();
  for (const e of scenario.timeline) {
    const tick = Math.max(1, secToTicks(e.atSec));
    const cmd = ('pod' in e ? { ...e.command, pod: e.pod } : e.command) as Command;
    const list = byTick.get(tick) ?? [];
    list.push(cmd);
    byTick.set(tick, list);
  }
  return byTick;
}

export interface RunOptions {
  seed?: number;
  durationSec?: number;
  /** Extra commands by tick (tests, "what if" runs). */
  extra?: ReadonlyMap<number, readonly Command[]>;
}

/**
 * Run a scenario headless, calling `onTick` after every tick with the state (owned by the runner: copy what you
 * keep). Returns the final state.
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}, onTick?: (s: SimState) => void): SimState {
  const state = createSimulation(scenario, { seed: options.seed });
  const timeline = timelineByTick(scenario);
  const ticks = secToTicks(options.durationSec ?? scenario.durationSec);
  onTick?.(state);
  for (let t = 1; t <= ticks; t++) {
    const cmds = [...(timeline.get(t) ?? []), ...(options.extra?.get(t) ?? [])];
    advance(state, cmds);
    onTick?.(state);
  }
  return state;
}
