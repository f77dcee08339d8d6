import { describeIssues } from '../schemas/commands.ts';
import { scenarioSchema, type Scenario } from './schema.ts';
import classroom from './builtin/classroom.json' with { type: 'json' };
import workedExample from './builtin/worked-example.json' with { type: 'json' };
import leak from './builtin/leak.json' with { type: 'json' };
import noisyNeighbour from './builtin/noisy-neighbour.json' with { type: 'json' };
import eviction from './builtin/eviction.json' with { type: 'json' };
import bestEffortSurprise from './builtin/besteffort-surprise.json' with { type: 'json' };
import nodeAllocatable from './builtin/node-allocatable.json' with { type: 'json' };
import kubeletOom from './builtin/kubelet-oom.json' with { type: 'json' };

/** The scenarios that ship with the product, validated once when first asked for. */
const RAW: Record<string, unknown> = {
  classroom,
  'worked-example': workedExample,
  leak,
  'noisy-neighbour': noisyNeighbour,
  eviction,
  'besteffort-surprise': bestEffortSurprise,
  'node-allocatable': nodeAllocatable,
  'kubelet-oom': kubeletOom,
};

let cache: Map<string, Scenario> | null = null;

export function builtinScenarios(): Map<string, Scenario> {
  if (cache) return cache;
  cache = new Map();
  for (const [name, raw] of Object.entries(RAW)) {
    const r = scenarioSchema.safeParse(raw);
    if (!r.success) throw new Error(`built-in scenario ${name} is invalid: ${describeIssues(r.error)}`);
    cache.set(name, r.data);
  }
  return cache;
}

export function builtinScenario(name: string): Scenario | undefined {
  return builtinScenarios().get(name);
}
