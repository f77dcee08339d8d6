/**
 * A room refreshes each pod's view in place every frame (refreshPodView) and sends students the changed fields as
 * wire bytes (writePodPatch). Both must say exactly what building the view afresh and diffing it would: run the
 * built-in scenarios, with kills, restarts, evictions and rollouts, and compare at every tick.
 */
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../server/room/JsonBytes.ts';
import { writePodPatch } from '../../server/room/frameBytes.ts';
import { POD_KEYS } from '../../shared/protocol/frames.ts';
import { podView, refreshPodView, type ChangedFields } from '../../shared/protocol/viewBuilders.ts';
import type { PodView } from '../../shared/protocol/views.ts';
import { builtinScenarios } from '../../shared/scenario/builtin.ts';
import { createSimulation } from '../../shared/sim/create.ts';
import { advance } from '../../shared/sim/step.ts';
import type { Command } from '../../shared/sim/types.ts';

describe('refreshPodView and writePodPatch', () => {
  // The classroom scenario starts empty (students bring the pods).
  const withPods = [...builtinScenarios()].filter(([, sc]) => sc.pods.length > 0).map(([name]) => name);
  it.each(withPods)('agree with a fresh view and its diff at every tick of %s', (name) => {
    const s = createSimulation(builtinScenarios().get(name)!, { seed: 5 });
    const views = new Map<string, PodView>();
    const changed: ChangedFields = { keys: [], count: 0 };
    let compared = 0;
    let changes = 0;
    for (let t = 1; t <= 900; t++) {
      const cmds: Command[] = [];
      const first = s.pods[0];
      // A few student moves so that specs, workloads and pending changes change too.
      if (first && t % 150 === 0) cmds.push({ type: 'set_oom_score_adj', pod: first.slot, value: t % 300 === 0 ? 500 : null });
      if (first && t === 450) cmds.push({ type: 'set_workload', pod: first.slot, workload: { leakMiBps: 30 } });
      advance(s, cmds);
      for (const p of s.pods) {
        const owner = t > 300 ? `owner-${p.slot}` : null;
        const score = Math.floor(t / 37);
        const fresh = podView(s, p, owner, score);
        const view = views.get(p.name);
        if (!view) {
          views.set(p.name, podView(s, p, owner, score));
          continue;
        }
        const before = { ...view };
        refreshPodView(view, s, p, owner, score, changed);
        expect(view).toEqual(fresh);
        const differing = (Object.keys(fresh) as (keyof PodView)[]).filter((k) => before[k] !== fresh[k]);
        // One list for every refresh, as the frame differ keeps it: only its first `count` names are this one's.
        expect(changed.keys.slice(0, changed.count)).toEqual(differing);
        // The wire: the changed fields the frame carries, under their short keys (docs/protocol.md).
        const shortKeys: Record<string, string> = POD_KEYS;
        const wire = new Map(differing.filter((k) => k in shortKeys).map((k) => [shortKeys[k]!, fresh[k]]));
        const out = new JsonBytes(16);
        const text = writePodPatch(out, view, changed.keys, changed.count) > 0 ? out.toString() : null;
        const expected = wire.size ? (JSON.parse(JSON.stringify(Object.fromEntries(wire))) as unknown) : null;
        expect(text === null ? null : JSON.parse(text)).toEqual(expected);
        compared++;
        changes += changed.count;
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect(changes).toBeGreaterThan(100);
  });
});
