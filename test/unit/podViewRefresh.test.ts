/**
 * A room refreshes each pod's view in place every frame (refreshPodView) and sends students the changed fields as
 * wire bytes (writePodPatch). Both must say exactly what building the view afresh and diffing it would: run the
 * built-in scenarios, with kills, restarts, evictions and rollouts, and compare at every tick.
 */
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../server/room/JsonBytes.ts';
import { writePodPatch } from '../../server/room/frameBytes.ts';
import { POD_KEYS } from '../../shared/protocol/frames.ts';
import { changedFields, podView, refreshPodView, type ChangedFields } from '../../shared/protocol/viewBuilders.ts';
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
    // The frame differ's list (a place for every field) in one half, a list grown by the refreshes in the other.
    const changed: ChangedFields = name.length % 2 === 0 ? changedFields() : { keys: [], count: 0 };
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
    expect(changed.keys.length).toBeLessThanOrEqual(Object.keys(podView(s, s.pods[0]!, null, 0)).length);
    expect(compared).toBeGreaterThan(500);
    expect(changes).toBeGreaterThan(100);
  });

  it('changedFields has a place for each of a view\'s fields, so refreshing never grows it', () => {
    const s = createSimulation(builtinScenarios().get('noisy-neighbour')!, { seed: 5 });
    advance(s, []);
    const p = s.pods[0]!;
    const fields = Object.keys(podView(s, p, null, 0));
    const changed = changedFields();
    expect(changed.keys).toHaveLength(fields.length);
    // A view that differs from the pod in five fields: those are named, in the view's order, in places the list has.
    const view = { ...podView(s, p, null, 0), name: '', phase: 'Succeeded', restarts: -1, score: -1 } satisfies PodView;
    refreshPodView(view, s, p, 'owner', 3, changed);
    expect(changed.keys.slice(0, changed.count)).toEqual(['name', 'owner', 'phase', 'restarts', 'score']);
    expect(changed.keys).toHaveLength(fields.length);
  });
});
