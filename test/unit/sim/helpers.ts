import { scenarioSchema, type Scenario, type ScenarioInput } from '../../../shared/scenario/schema.ts';
import { createSimulation } from '../../../shared/sim/create.ts';
import { advance } from '../../../shared/sim/step.ts';
import type { Command, PodState, SimEvent, SimState } from '../../../shared/sim/types.ts';

/** A scenario with defaults filled in: a 4 GiB node and the given pods. */
export function scenario(partial: Partial<ScenarioInput> & Pick<ScenarioInput, 'pods'>): Scenario {
  return scenarioSchema.parse({ name: 'test', durationSec: 60, node: { memoryMiB: 4096 }, ...partial });
}

export function sim(partial: Partial<ScenarioInput> & Pick<ScenarioInput, 'pods'>, seed = 1): SimState {
  return createSimulation(scenario(partial), { seed });
}

/** Advance `ticks` ticks, collecting every event; `commands` by tick number. */
export function run(state: SimState, ticks: number, commands: Record<number, Command[]> = {}): SimEvent[] {
  const events: SimEvent[] = [...state.events];
  for (let i = 0; i < ticks; i++) {
    advance(state, commands[state.tick + 1] ?? []);
    events.push(...state.events);
  }
  return events;
}

export function pod(state: SimState, slot: string): PodState {
  const p = state.pods.find((q) => q.slot === slot && q.phase !== 'Failed') ?? state.pods.find((q) => q.slot === slot);
  if (!p) throw new Error(`no pod ${slot}`);
  return p;
}

export function ofType<T extends SimEvent['type']>(events: SimEvent[], type: T): Extract<SimEvent, { type: T }>[] {
  return events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);
}
